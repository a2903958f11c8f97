"""A hostile WordPress-like site on 127.0.0.1, for the attack tests: payloads in every field, a refresh in a
story's body, sitemap entries of another scheme and another port, redirects there, and (`--disallow-all`)
a robots.txt that forbids everything. It counts every request, and so does "elsewhere", a second server
on another port of the same host, which a crawl must never reach.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections import Counter
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # noqa: E402

COUNTS = web.AppKey("counts", Counter)
ELSEWHERE = web.AppKey("elsewhere", Counter)
# Listed in the posts sitemap: what each URL (path on this site, or a template) does.
OTHER_PORT_PATH = "/2021/05/29/port-lain/"
REDIRECT_PORT_PATH = "/2021/05/30/dialihkan-ke-port-lain/"
REDIRECT_FTP_PATH = "/2021/05/31/dialihkan-ke-ftp/"
FTP_PATH = "/2021/05/28/lewat-ftp/"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8cfc0f01f0005000201a2dd6e5a0000000049454e44ae426082")


@web.middleware
async def _count(request: web.Request, handler) -> web.StreamResponse:
    if not request.path.startswith("/_hostile/"):
        request.app[COUNTS][request.path_qs] += 1
    return await handler(request)


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(body=text.encode("utf-8"), status=status, headers={"Content-Type": "text/html; charset=UTF-8"})


def _xml(text: str) -> web.Response:
    return web.Response(text=text, content_type="application/xml")


def urlset(urls: list[str]) -> str:
    entries = "".join(f"<url><loc>{url}</loc><lastmod>2021-06-01T00:00:00+00:00</lastmod></url>" for url in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'


class HostileSite:
    def __init__(self, other_port: int, disallow_all: bool):
        self.other_port, self.disallow_all = other_port, disallow_all

    def base(self, request: web.Request) -> str:
        return f"http://{request.host}"

    def other(self, request: web.Request) -> str:
        return f"http://{request.url.host}:{self.other_port}"

    def ftp(self, request: web.Request) -> str:
        return f"ftp://{request.host}"

    async def robots(self, request: web.Request) -> web.Response:
        if self.disallow_all:
            return web.Response(text="User-agent: *\nDisallow: /\n", content_type="text/plain")
        lines = ["User-agent: *", "Disallow: /wp-admin/", f"Sitemap: {self.base(request)}/wp-sitemap.xml",
                 f"Sitemap: {self.other(request)}/sitemap-port-lain.xml", f"Sitemap: {self.ftp(request)}/sitemap-ftp.xml"]
        return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")

    async def sitemap_index(self, request: web.Request) -> web.Response:
        children = [f"{self.base(request)}/wp-sitemap-posts-post-1.xml", f"{self.other(request)}/wp-sitemap-posts-post-2.xml",
                    f"{self.ftp(request)}/wp-sitemap-posts-post-3.xml"]
        entries = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in children)
        return _xml(f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                    f"{entries}</sitemapindex>")

    async def sitemap(self, request: web.Request) -> web.Response:
        base = self.base(request)
        return _xml(urlset([base + pages.PAYLOAD_PATH, base + pages.BODY_REFRESH_PATH, base + pages.HEAD_REFRESH_PATH,
                            base + pages.NOT_FOUND_PATH, base + REDIRECT_PORT_PATH, base + REDIRECT_FTP_PATH,
                            self.ftp(request) + FTP_PATH, self.other(request) + OTHER_PORT_PATH]))

    async def page(self, request: web.Request) -> web.StreamResponse:
        base, path = self.base(request), request.path
        if path == pages.PAYLOAD_PATH:
            return _html(pages.payload_article(base, self.other(request)))
        if path == pages.BODY_REFRESH_PATH:
            return _html(pages.body_refresh_article(base))
        if path == pages.BODY_REFRESH_TARGET:
            return _html(pages.refresh_target())
        if path == pages.HEAD_REFRESH_PATH:
            return _html(pages.head_refresh_page(base))
        if path == pages.HEAD_REFRESH_TARGET:
            return _html(pages.moved_article())
        if path == pages.NOT_FOUND_PATH:
            return _html(pages.not_found_page())
        if path == REDIRECT_PORT_PATH:
            raise web.HTTPFound(self.other(request) + path)
        if path == REDIRECT_FTP_PATH:
            raise web.HTTPFound(self.ftp(request) + path)
        if path.startswith("/wp-content/uploads/"):
            return web.Response(body=PNG, content_type="image/png")
        return _html("<html><body><h1>404</h1></body></html>", status=404)

    async def hits(self, request: web.Request) -> web.Response:
        return web.json_response({"site": dict(request.app[COUNTS]), "elsewhere": dict(request.app[ELSEWHERE])})


def make_elsewhere() -> web.Application:
    """Another port of the site's host: it answers 404 to everything and counts what it was asked."""
    elsewhere = web.Application(middlewares=[_count])
    elsewhere[COUNTS] = Counter()
    elsewhere.router.add_route("*", "/{tail:.*}", lambda request: web.Response(status=404, text="elsewhere"))
    return elsewhere


def make_app(elsewhere: web.Application, other_port: int, disallow_all: bool) -> web.Application:
    """The site; `/_hostile/hits` reports its own request counts and elsewhere's."""
    site = HostileSite(other_port, disallow_all)
    app = web.Application(middlewares=[_count])
    app[COUNTS], app[ELSEWHERE] = Counter(), elsewhere[COUNTS]
    app.router.add_routes([
        web.get("/robots.txt", site.robots),
        web.get("/wp-sitemap.xml", site.sitemap_index),
        web.get("/wp-sitemap-posts-post-1.xml", site.sitemap),
        web.get("/_hostile/hits", site.hits),
        web.get("/{tail:.*}", site.page),
    ])
    return app


async def _serve(port: int, disallow_all: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    elsewhere = make_elsewhere()
    other_runner = web.AppRunner(elsewhere, access_log=None, shutdown_timeout=0.5)
    await other_runner.setup()
    await web.TCPSite(other_runner, "127.0.0.1", 0).start()
    other_port = other_runner.addresses[0][1]
    runner = web.AppRunner(make_app(elsewhere, other_port, disallow_all), access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print(f"Serving hostile site on http://127.0.0.1:{runner.addresses[0][1]}/", flush=True)
    print(f"Elsewhere on http://127.0.0.1:{other_port}/", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await other_runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the hostile fixture site.")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--disallow-all", action="store_true", help="robots.txt: User-agent: * / Disallow: /")
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.port, args.disallow_all))
    return 0


if __name__ == "__main__":
    sys.exit(main())
