"""A synthetic Hajarnews of N articles, pre-rendered into memory and served by a bare aiohttp app.

The crawl benchmark measures the crawler, so the server must cost next to nothing per request:
every page is rendered once at start-up (tests/sample_site's templates) and served as bytes.
Prints `Serving N pages on http://127.0.0.1:PORT` when it is ready.
"""

from __future__ import annotations

import argparse
import socket

from aiohttp import web

from common import render_site


def make_app(pages: dict[str, tuple[str, bytes]]) -> web.Application:
    not_found = b"<!doctype html><title>Halaman tidak ditemukan</title><h1>404</h1>"

    async def serve(request: web.Request) -> web.Response:
        page = pages.get(request.path)
        if page is None:
            return web.Response(body=not_found, status=404, content_type="text/html")
        return web.Response(body=page[1], headers={"Content-Type": page[0]})

    app = web.Application()
    app.router.add_get("/{path:.*}", serve)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))  # the port must be known before rendering: pages hold absolute URLs
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    pages = render_site(args.articles, base, args.seed)
    print(f"Serving {len(pages)} pages on {base}", flush=True)
    web.run_app(make_app(pages), sock=sock, access_log=None, print=None)


if __name__ == "__main__":
    main()
