"""One of `hajar serve`'s Datasette processes: the archive directory's app, on a port its siblings share.

Each process listens on the port with SO_REUSEPORT, so the kernel spreads new connections over them by
address hash; one shared listening socket would let the first process to wake take them all. One
process runs its pages' Python on one core, hence several.

    python -m hajar_scraper.serving DIRECTORY HOST PORT
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import uvicorn
from datasette.app import Datasette


def family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def port_taken(host: str, port: int) -> str | None:
    """Why nothing can listen on the port (another program does), or None: one line, not a worker's traceback."""
    with socket.socket(family(host)) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past connections do not count
        try:
            probe.bind((host, port))
        except OSError as error:
            return error.strerror
    return None


def listener(host: str, port: int) -> socket.socket:
    """A listening socket that shares its port. It says it is TCP: asyncio turns Nagle's delay off only
    for sockets that do (40 ms more a page otherwise)."""
    sock = socket.socket(family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def serve(directory: Path, host: str, port: int) -> None:
    datasette = Datasette([], config_dir=directory)
    asyncio.run(datasette.invoke_startup())
    config = uvicorn.Config(datasette.app(), log_level="info", lifespan="on")
    uvicorn.Server(config).run(sockets=[listener(host, port)])


def stop(processes: list[subprocess.Popen]) -> None:
    """Ask every child process to stop, then kill those still running after 10 seconds."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
