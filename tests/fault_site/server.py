"""A WordPress-like site on 127.0.0.1 whose article URLs fail in every way a real one does, for fault tests.

It lists its articles in a core sitemap and an RSS feed; each article URL misbehaves as its kind says
(faults.py). It counts every request it gets, and starts an "elsewhere" site on 127.0.0.2 (same port
on 127.0.0.1/::1 when free, for `localhost`) that only counts: a crawler must never reach it.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import zlib
from collections import Counter
from dataclasses import replace
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent))
import faults  # noqa: E402  (also puts the sample site's modules on the path)
import render  # noqa: E402

SLOW = 5.0  # seconds a "timeout" page takes: longer than the DOWNLOAD_TIMEOUT the tests set
HUGE = 50 * 1024 * 1024
BOMB_SIZE = 64 * 1024 * 1024  # what the gzip bomb inflates to, from about 65 KB
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d4944415478da63f8cfc0f01f0005000201a2dd6e5a0000000049454e44ae426082")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n" + bytes(256)
COUNTS = web.AppKey("counts", Counter)
SITE = web.AppKey("site", dict)


def make_gzip_bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    blank = b" " * (1 << 20)  # inflates to a page of spaces
    return b"".join(packer.compress(blank) for _ in range(BOMB_SIZE >> 20)) + packer.flush()


@web.middleware
async def _count(request: web.Request, handler) -> web.StreamResponse:
    if not request.path.startswith("/_faults/"):
        request.app[COUNTS][request.path_qs] += 1
    return await handler(request)


def _html(text: str | bytes, status: int = 200, charset: str = "UTF-8", **headers: str) -> web.Response:
    body = text.encode("utf-8") if isinstance(text, str) else text
    return web.Response(body=body, status=status, headers={"Content-Type": f"text/html; charset={charset}", **headers})


class FaultSite:
    """The main site's state: the catalogue, the other site's origin and how often each fault has fired."""

    def __init__(self, seed: int, only: tuple[str, ...], other_port: int, hostile: bool):
        self.faults = faults.catalogue(seed, only)
        self.by_path = {f.path: f for f in self.faults}
        moved = next((f for f in self.faults if f.kind == "moved"), None)
        self.moved_to = replace(moved.article, slug="moved-here") if moved else None
        self.catalog = faults.site_catalog(self.faults)
        self.elsewhere, self.other_port, self.hostile = f"http://127.0.0.2:{other_port}", other_port, hostile
        self.fired: Counter = Counter()
        self.bomb = make_gzip_bomb() if any(f.kind == "gzip-bomb" for f in self.faults) else b""

    def base(self, request: web.Request) -> str:
        return f"{request.scheme}://{request.host}"

    def page(self, request: web.Request, article) -> str:
        return render.render_article_page(article, self.catalog, self.base(request))

    # discovery documents --------------------------------------------------------------------
    async def robots(self, request: web.Request) -> web.Response:
        lines = ["User-agent: *", "Disallow: /wp-admin/", f"Sitemap: {self.base(request)}/wp-sitemap.xml"]
        if self.hostile:
            lines.append(f"Sitemap: {self.elsewhere}/hostile-sitemap.xml")
        return web.Response(text="\n".join(lines) + "\n", content_type="text/plain")

    def offsite_links(self) -> list[str]:
        if not self.hostile:
            return []
        return [f"{self.elsewhere}/2021/06/01/listed-offsite/",
                f"http://localhost:{self.other_port}/2021/06/02/listed-offsite/",
                f"{self.elsewhere}/2021/06/03/feed-offsite/"]

    async def sitemap_index(self, request: web.Request) -> web.Response:
        newest = max(f.article.modified_gmt for f in self.faults)
        text = render.render_sitemap_index({"wp-sitemap-posts-post-1.xml": ([], newest)}, self.base(request))
        return web.Response(text=text, content_type="application/xml")

    async def sitemap(self, request: web.Request) -> web.Response:
        if self.fired["sitemap"] < 1:  # discovery documents fail too; the crawl must retry them
            self.fired["sitemap"] += 1
            return web.Response(status=503, text="Service Unavailable", headers={"Retry-After": "0"})
        base = self.base(request)
        entries = [(f"{base}{f.path}", f.article.modified_gmt) for f in self.faults if f.kind != "feed-only"]
        entries += [(url, None) for url in self.offsite_links()[:2]]
        return web.Response(text=render.render_sitemap(entries, base), content_type="application/xml")

    async def feed(self, request: web.Request) -> web.Response:
        listed = [f.article for f in self.faults if f.kind in ("ok", "feed-only")]
        text = render.render_feed(self.catalog, self.base(request), listed, title=render.SITE_NAME, path="/")
        for url in self.offsite_links()[2:]:
            text = text.replace("</channel>", f"<item><title>Di luar</title><link>{url}</link>"
                                              "<pubDate>Thu, 03 Jun 2021 02:00:00 +0000</pubDate></item></channel>")
        return web.Response(text=text, content_type="application/rss+xml")

    async def probe_redirect(self, request: web.Request) -> web.Response:
        if self.hostile:  # a probed discovery URL that moved off site
            raise web.HTTPFound(f"{self.elsewhere}{request.path}")
        raise web.HTTPNotFound()

    # articles -------------------------------------------------------------------------------
    async def article(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if self.moved_to and path == self.moved_to.path:
            return _html(self.page(request, self.moved_to))
        if path.endswith("-b/"):  # the other half of the redirect loop
            raise web.HTTPFound(path[:-3] + "/")
        fault = self.by_path.get(path)
        if fault is None:
            return _html(render.render_not_found(self.catalog, self.base(request)), status=404)
        self.fired[path] += 1
        first = self.fired[path] == 1
        handler = getattr(self, "_" + fault.kind.replace("-", "_"), None)
        if fault.kind == "flaky" and self.fired[path] <= fault.failures:
            extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return web.Response(status=fault.status, text=f"Error {fault.status}", headers=extra)
        if handler is not None:
            answer = await handler(request, fault, first)
            if answer is not None:
                return answer
        return _html(self.page(request, fault.article))

    async def _slow_once(self, request, fault, first):
        if first:
            await asyncio.sleep(SLOW)

    async def _timeout(self, request, fault, first):
        await asyncio.sleep(SLOW)

    async def _reset(self, request, fault, first, always=True):
        if not (always or first):
            return None
        body = self.page(request, fault.article).encode()
        response = web.StreamResponse(headers={"Content-Type": "text/html; charset=UTF-8",
                                               "Content-Length": str(len(body))})
        await response.prepare(request)
        await response.write(body[: len(body) // 2])
        request.transport.abort()  # the connection dies mid-body
        return response

    async def _reset_once(self, request, fault, first):
        return await self._reset(request, fault, first, always=False)

    async def _truncated_body(self, request, fault, first):
        page = self.page(request, fault.article)
        cut = page.index("</p>", page.index("entry-content")) + 4  # after the first paragraph
        return _html(page[:cut])

    async def _truncated_head(self, request, fault, first):
        page = self.page(request, fault.article)
        return _html(page[: page.index("application/ld+json")])

    async def _gzip_bomb(self, request, fault, first):
        return _html(self.bomb, **{"Content-Encoding": "gzip"})

    async def _huge_chunked(self, request, fault, first, declared=False):
        headers = {"Content-Type": "text/html; charset=UTF-8"}
        if declared:
            headers["Content-Length"] = str(HUGE)
        response = web.StreamResponse(headers=headers)
        if not declared:
            response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b"<p>" + b"x" * ((1 << 20) - 7) + b"</p>\n"
        try:
            for _ in range(HUGE >> 20):
                await response.write(chunk)
        except (ConnectionError, RuntimeError):  # the crawler hung up at its size limit
            return response
        await response.write_eof()
        return response

    async def _huge_declared(self, request, fault, first):
        return await self._huge_chunked(request, fault, first, declared=True)

    async def _latin1_says_utf8(self, request, fault, first):
        return _html(self.page(request, fault.article).encode("cp1252", "xmlcharrefreplace"), charset="UTF-8")

    async def _utf8_says_latin1(self, request, fault, first):
        page = self.page(request, fault.article).replace('<meta charset="UTF-8">', '<meta charset="ISO-8859-1">')
        return _html(page.encode("utf-8"), charset="ISO-8859-1")

    async def _control_char(self, request, fault, first):
        page = self.page(request, fault.article)
        at = page.index("<p", page.index("entry-content"))  # a Word-pasted \x0b after a share bar
        return _html(page[:at] + '<div class="sharedaddy">Bagikan</div>\x0b ' + page[at:])

    async def _moved(self, request, fault, first):
        raise web.HTTPMovedPermanently(self.base(request) + self.moved_to.path)

    async def _redirect_loop(self, request, fault, first):
        raise web.HTTPFound(request.path[:-1] + "-b/")

    async def _soft_404(self, request, fault, first):
        return _html(render.render_not_found(self.catalog, self.base(request)))

    async def _gone(self, request, fault, first):
        return _html(render.render_not_found(self.catalog, self.base(request)), status=404)

    async def _empty(self, request, fault, first):
        return _html(b"")

    async def _binary_png(self, request, fault, first):
        return web.Response(body=PNG, headers={"Content-Type": "text/html; charset=UTF-8"})

    async def _binary_pdf(self, request, fault, first):
        return web.Response(body=PDF, headers={"Content-Type": "application/octet-stream"})

    async def _offsite_redirect(self, request, fault, first, host="127.0.0.2"):
        raise web.HTTPFound(f"http://{host}:{self.other_port}{request.path}")

    async def _offsite_redirect_localhost(self, request, fault, first):
        return await self._offsite_redirect(request, fault, first, host="localhost")

    # what the tests read --------------------------------------------------------------------
    async def hits(self, request: web.Request) -> web.Response:
        return web.json_response({"site": dict(request.app[COUNTS]), "elsewhere": dict(request.app[SITE]["elsewhere"])})

    async def plan(self, request: web.Request) -> web.Response:
        return web.json_response([{"slug": f.slug, "kind": f.kind, "path": f.path, "failures": f.failures,
                                   "status": f.status, "retry_after": f.retry_after} for f in self.faults])


def make_other() -> web.Application:
    """The site elsewhere: it answers 404 to everything and counts what it was asked."""
    other = web.Application(middlewares=[_count])
    other[COUNTS] = Counter()
    other.router.add_route("*", "/{tail:.*}", lambda request: web.Response(status=404, text="elsewhere"))
    return other


def make_app(seed: int, only: tuple[str, ...], other: web.Application, other_port: int,
             hostile: bool) -> web.Application:
    """The fault site; `/_faults/hits` reports its own request counts and the other site's."""
    site = FaultSite(seed, only, other_port, hostile)
    app = web.Application(middlewares=[_count])
    app[COUNTS], app[SITE] = Counter(), {"elsewhere": other[COUNTS]}
    app.router.add_routes([
        web.get("/robots.txt", site.robots),
        web.get("/wp-sitemap.xml", site.sitemap_index),
        web.get("/wp-sitemap-posts-post-1.xml", site.sitemap),
        web.get("/feed/", site.feed),
        web.get("/news-sitemap.xml", site.probe_redirect),
        web.get("/_faults/hits", site.hits),
        web.get("/_faults/plan", site.plan),
        web.get(r"/{year:\d{4}}/{month:\d{2}}/{day:\d{2}}/{slug:[^/]+}/", site.article),
    ])
    return app


async def _serve(host: str, port: int, seed: int, only: tuple[str, ...], hostile: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    other = make_other()
    other_runner = web.AppRunner(other, access_log=None, shutdown_timeout=0.5)
    await other_runner.setup()
    await web.TCPSite(other_runner, "127.0.0.2", 0).start()
    other_port = other_runner.addresses[0][1]
    for extra in ("127.0.0.1", "::1"):  # so that http://localhost:PORT/ would reach the counter too
        try:
            await web.TCPSite(other_runner, extra, other_port).start()
        except OSError:
            pass
    runner = web.AppRunner(make_app(seed, only, other, other_port, hostile), access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    print(f"Serving fault site on http://{host}:{runner.addresses[0][1]}/", flush=True)
    print(f"Elsewhere on http://127.0.0.2:{other_port}/", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await other_runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the fault-injecting fixture site.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=faults.SEED, help="seed of the flaky answers")
    parser.add_argument("--only", default="", help=f"comma-separated kinds to serve (of {','.join(faults.KINDS)})")
    parser.add_argument("--hostile", action="store_true",
                        help="also point robots.txt, the sitemap, the feed and a probe's redirect off site")
    args = parser.parse_args(argv)
    only = tuple(k for k in args.only.split(",") if k)
    if set(only) - set(faults.KINDS):
        parser.exit(2, f"error: unknown kinds {sorted(set(only) - set(faults.KINDS))}\n")
    asyncio.run(_serve(args.host, args.port, args.seed, only, args.hostile))
    return 0


if __name__ == "__main__":
    sys.exit(main())
