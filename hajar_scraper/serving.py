"""One of `hajar serve`'s Datasette processes: the archive directory's app, on a port its siblings share.

Each process listens on the port with SO_REUSEPORT, so the kernel spreads new connections over them by
address hash; one shared listening socket would let the first process to wake take them all. One
process runs its pages' Python on one core, hence several. `render` is how the plugins' own pages
are rendered in every process, `datasette serve` included.

    python -m hajar_scraper.serving DIRECTORY HOST PORT
"""

from __future__ import annotations

import asyncio
import gc
import socket
import subprocess
import sys
import weakref
from pathlib import Path

import jinja2
import uvicorn
from datasette.app import Datasette
from datasette.utils.asgi import Response


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
    # What startup made (Datasette, plugins, Sastrawi's dictionary) lives as long as the process: the
    # full collections that a page's garbage sets off every few hundred pages skip it (~45 ms → ~2 ms).
    gc.freeze()
    config = uvicorn.Config(datasette.app(), log_level="info", lifespan="on")
    uvicorn.Server(config).run(sockets=[listener(host, port)])


class _Awaited(jinja2.Template):
    """A template of the synchronous environment, rendered by Datasette's `render_template` like its own.

    Datasette's environment is in Jinja's async mode, where every expression and output chunk goes
    through an awaitable check: 30-40 % of our pages' rendering (search page 1.1 → 0.65 ms, article
    0.84 → 0.58 ms). The only async values Datasette hands a template, the menu links and the crumbs
    (with their permission checks), are awaited first.
    """

    async def render_async(self, *args, **kwargs) -> str:
        context = dict(*args, **kwargs)
        links = await context["menu_links"]()
        crumbs = await context["crumb_items"](request=context.get("request"))
        context.update(menu_links=lambda: links, crumb_items=lambda **_: crumbs)
        return self.render(context)


_ENVIRONMENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# The plugins' own pages show scraped text and run no script at all: even a sanitiser bug could not run
# one there. One policy for every such page, here only.
PAGE_HEADERS = {"Content-Security-Policy": "script-src 'none'; object-src 'none'; base-uri 'none'; "
                                           "frame-src 'none'; form-action 'self'",
                "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}


async def render(datasette: Datasette, name: str, context: dict, request) -> str:
    """Datasette's `render_template` of a page whose template calls nothing async but the crumbs without
    a database or table (base.html's own) and the menu links: the same hooks and the same HTML, without
    Datasette's inline menu script, which PAGE_HEADERS would refuse (an error in the browser's console)."""
    env = _ENVIRONMENTS.get(datasette)
    if env is None:  # after startup: prepare_jinja2_environment has set the filters, which the overlay shares
        env = _ENVIRONMENTS[datasette] = datasette.jinja_env.overlay(enable_async=False, cache_size=50)
        env.template_class = _Awaited
    return await datasette.render_template(env.get_template(name), {**context, "script_free": True}, request=request)


def html_page(html: str) -> Response:
    """A page of `render`, with PAGE_HEADERS, that says its length. Without it uvicorn sends the page in
    chunks and ends it with a third write, an empty chunk: a send() on the socket costs ~0.2 ms of a page's
    CPU, receiver's included."""
    body = html.encode("utf-8")
    return Response(body, headers={**PAGE_HEADERS, "Content-Length": str(len(body))},
                    content_type="text/html; charset=utf-8")


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
