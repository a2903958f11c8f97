"""One of `hajar serve`'s Datasette processes: a configuration directory's or some archives' app, on a port
its siblings share.

Each process listens on the port with SO_REUSEPORT, so the kernel spreads new connections over them by
address hash; one shared listening socket would let the first process to wake take them all. One
process runs its pages' Python on one core, hence several. Archive files served without a configuration
directory get the settings the plugin's lock-down asks for (hajar_scraper/web/settings.json).

    python -m hajar_scraper.serving HOST PORT DIRECTORY
    python -m hajar_scraper.serving HOST PORT ARCHIVE.db [ARCHIVE.db ...]
"""

from __future__ import annotations

import asyncio
import gc
import socket
import subprocess
import sys
from pathlib import Path

import uvicorn
from datasette.app import Datasette

from hajar_scraper.web.lockdown import SETTINGS


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


def datasette_for(paths: list[Path]) -> Datasette:
    """One configuration directory, or archive files with the lock-down's settings."""
    if len(paths) == 1 and paths[0].is_dir():
        return Datasette([], config_dir=paths[0])
    return Datasette([str(path) for path in paths], settings=SETTINGS)


def datasette_command(paths: list[Path], host: str, port: int) -> list[str]:
    """`datasette serve` of what `datasette_for` serves, as a user would type it."""
    settings = [] if len(paths) == 1 and paths[0].is_dir() else [
        part for name, value in SETTINGS.items()
        for part in ("--setting", name, ("on" if value else "off") if isinstance(value, bool) else str(value))]
    return [sys.executable, "-m", "datasette", "serve", *map(str, paths), "--host", host, "--port", str(port),
            *settings]


def serve(paths: list[Path], host: str, port: int) -> None:
    datasette = datasette_for(paths)
    asyncio.run(datasette.invoke_startup())
    # What startup made (Datasette, plugins, Sastrawi's dictionary) lives as long as the process: the
    # full collections that a page's garbage sets off every few hundred pages skip it (~45 ms → ~2 ms).
    gc.freeze()
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
    serve([Path(path) for path in sys.argv[3:]], sys.argv[1], int(sys.argv[2]))
