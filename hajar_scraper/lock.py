"""One crawl per archive at a time: an advisory file lock beside the SQLite file."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class AlreadyRunning(RuntimeError):
    """Another crawl holds the archive's lock."""


class ArchiveLock:
    """`flock` on `<archive>.lock`; the kernel releases it when the holder dies, even by SIGKILL."""

    def __init__(self, archive_path: Path):
        self.path = Path(f"{archive_path}.lock")
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise AlreadyRunning(f"another crawl is already writing {self.path.with_suffix('')} "
                                 f"(lock {self.path} is held)") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
