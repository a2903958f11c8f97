"""Serves the Hajarnews fixture site, a WordPress look-alike, on a local port for crawl tests and the demo."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import re
import signal
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlencode

from aiohttp import web

try:
    from . import render, seo, traffic
    from .catalog import WIB, Article, Catalog, Store, load_articles
    from .render import render_article_page
except ImportError:  # run as a script: python tests/sample_site/server.py
    import render
    import seo
    import traffic
    from catalog import WIB, Article, Catalog, Store, load_articles
    from render import render_article_page

__all__ = ["DEFAULT_DATA_DIR", "Article", "load_articles", "make_app", "render_article_page", "main"]

DEFAULT_DATA_DIR = Path(__file__).resolve().with_name("articles")
HOME_PER_PAGE = 10
ARCHIVE_PER_PAGE = 5
ROBOTS_TXT = "User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
# What the site exposes: core sitemaps, Yoast sitemaps (which replace core's), a Google News sitemap,
# the REST API and feeds. Turning them off makes the discovery fallbacks testable.
PLUGINS = ("core", "yoast", "news", "rest", "feed")
DEFAULT_PLUGINS = ("core", "rest", "feed")
# How post pages look: today's WordPress theme, or the outlet's older plain one (a theme change to crawl through).
THEMES = ("wordpress", "plain")


@dataclass(frozen=True)
class _Settings:
    store: Store
    public_url: str | None
    plugins: frozenset = frozenset(DEFAULT_PLUGINS)
    flaky: dict = None  # path -> failures still to serve (429 with Retry-After, then 503)
    missing: str = "404"  # how a removed post answers: 404, soft404 (200 not-found page) or home (301 to /)
    theme: str = "wordpress"  # how post pages look: wordpress, or plain (windows-1252, no structured data)
    disallow: tuple = ()  # paths robots.txt disallows besides /wp-admin/


SETTINGS = web.AppKey("settings", _Settings)


def _base(request: web.Request) -> str:
    public_url = request.app[SETTINGS].public_url
    return public_url or f"{request.scheme}://{request.host}"


def _catalog(request: web.Request) -> Catalog:
    return request.app[SETTINGS].store.catalog()


def _html(request: web.Request, text: str | bytes, status: int = 200, links: tuple[str, ...] = (),
          charset: str = "UTF-8") -> web.Response:
    """An HTML response; bytes are sent as they are, labelled with `charset`."""
    api = f'<{_base(request)}/wp-json/>; rel="https://api.w.org/"'
    body = text if isinstance(text, bytes) else text.encode(charset)
    return web.Response(body=body, status=status, content_type="text/html", charset=charset,
                        headers={"Link": ", ".join((api, *links))})


def _xml(text: str, content_type: str = "application/xml") -> web.Response:
    return web.Response(text=text, content_type=content_type, charset="UTF-8")


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(text=json.dumps(data), status=status, content_type="application/json",
                        charset="UTF-8", headers=headers)


def _rest_error(code: str, message: str, status: int) -> web.Response:
    return _json({"code": code, "message": message, "data": {"status": status}}, status=status)


def _page_number(request: web.Request, first_page: str) -> int:
    """The /page/N/ number; /page/1/ redirects to the archive's first page as WordPress does."""
    page = int(request.match_info.get("page", 1))
    if "page" in request.match_info and page <= 1:
        raise web.HTTPMovedPermanently(first_page)
    return page


@web.middleware
async def _themed_errors(request: web.Request, handler: Callable) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPNotFound:
        return _html(request, render.render_not_found(_catalog(request), _base(request)), status=404)


async def home(request: web.Request) -> web.Response:
    catalog, base = _catalog(request), _base(request)
    if "p" in request.query:  # the ?p=ID shortlink that feeds use as guid
        article = catalog.by_id.get(int(request.query["p"])) if request.query["p"].isdigit() else None
        if article is None:
            raise web.HTTPNotFound()
        raise web.HTTPMovedPermanently(f"{base}{article.path}")
    html = render.render_listing(
        catalog, base, path="/", title="Berita Terbaru", heading="Berita Terbaru", body_class="home blog",
        items=catalog.articles, page=_page_number(request, f"{base}/"), per_page=HOME_PER_PAGE, home=True)
    if html is None:
        raise web.HTTPNotFound()
    return _html(request, html)


def _archive(catalog: Catalog, kind: str, slug: str) -> tuple[list[Article], str, int]:
    """An archive's articles, display name and term (or user) id; HTTPNotFound when there is none."""
    terms = {"category": catalog.categories, "tag": catalog.tags, "author": catalog.authors}[kind]
    if slug not in terms:
        raise web.HTTPNotFound()
    items = {"category": catalog.in_category, "tag": catalog.with_tag, "author": catalog.by_author}[kind](slug)
    return items, terms[slug].name, terms[slug].id


async def archive(request: web.Request) -> web.Response:
    catalog, base = _catalog(request), _base(request)
    kind, slug = request.match_info["kind"], request.match_info["slug"]
    items, name, term_id = _archive(catalog, kind, slug)
    path = f"/{kind}/{slug}/"
    heading = {"category": "Kategori", "tag": "Tag", "author": "Penulis"}[kind] + f": {name}"
    html = render.render_listing(
        catalog, base, path=path, title=f"{name} Arsip", heading=heading,
        body_class=f"archive {kind} {kind}-{slug} {kind}-{term_id}", items=items,
        page=_page_number(request, f"{base}{path}"), per_page=ARCHIVE_PER_PAGE)
    if html is None:
        raise web.HTTPNotFound()
    return _html(request, html)


async def single(request: web.Request) -> web.Response:
    catalog, base = _catalog(request), _base(request)
    article = catalog.by_slug.get(request.match_info["slug"])
    if article is None:
        missing = request.app[SETTINGS].missing
        if missing == "home":  # what some sites do with removed posts
            raise web.HTTPMovedPermanently(f"{base}/")
        if missing == "soft404":  # the not-found page, with status 200
            return _html(request, render.render_not_found(catalog, base))
        raise web.HTTPNotFound()
    if request.path != article.path:  # right slug, wrong date: WordPress redirects to the permalink
        raise web.HTTPMovedPermanently(f"{base}{article.path}")
    links = (f'<{base}/wp-json/wp/v2/posts/{article.id}>; rel="alternate"; type="application/json"',
             f"<{base}/?p={article.id}>; rel=shortlink")
    if request.app[SETTINGS].theme == "plain":
        return _html(request, render.render_plain_article_page(article, catalog, base), links=links,
                     charset=render.PLAIN_CHARSET)
    return _html(request, render_article_page(article, catalog, base), links=links)


async def comments_feed(request: web.Request) -> web.Response:
    """The per-post comments feed that RSS items link as wfw:commentRss; the site has no comments."""
    catalog, base = _catalog(request), _base(request)
    article = catalog.by_slug.get(request.match_info["slug"])
    if article is None or request.path != f"{article.path}feed/":
        raise web.HTTPNotFound()
    return _xml(render.render_feed(catalog, base, [], title=f"Komentar pada: {article.title}", path=article.path,
                                   updated=article.modified_gmt), content_type="application/rss+xml")


async def redaksi(request: web.Request) -> web.Response:
    return _html(request, render.render_static_page(_catalog(request), _base(request)))


async def feed(request: web.Request) -> web.Response:
    catalog, base = _catalog(request), _base(request)
    if "kind" in request.match_info:
        kind, slug = request.match_info["kind"], request.match_info["slug"]
        items, name, _ = _archive(catalog, kind, slug)
        text = render.render_feed(catalog, base, items, title=f"{render.SITE_NAME} » {name}",
                                  path=f"/{kind}/{slug}/")
    else:
        text = render.render_feed(catalog, base, catalog.articles, title=render.SITE_NAME, path="/")
    return _xml(text, content_type="application/rss+xml")


async def robots(request: web.Request) -> web.Response:
    base, plugins = _base(request), request.app[SETTINGS].plugins
    maps = [("yoast", "/sitemap_index.xml"), ("core", "/wp-sitemap.xml"), ("news", "/news-sitemap.xml")]
    listed = [path for plugin, path in maps if plugin in plugins and not (plugin == "core" and "yoast" in plugins)]
    disallowed = "".join(f"Disallow: {path}\n" for path in request.app[SETTINGS].disallow)
    text = ROBOTS_TXT + disallowed + "".join(f"\nSitemap: {base}{path}" for path in listed) + "\n"
    return web.Response(text=text, content_type="text/plain", charset="UTF-8")


async def yoast_index(request: web.Request) -> web.Response:
    return _xml(seo.render_yoast_index(_catalog(request), _base(request)))


async def yoast_sitemap(request: web.Request) -> web.Response:
    files = seo.yoast_files(_catalog(request), _base(request))
    if request.match_info["name"] not in files:
        raise web.HTTPNotFound()
    return _xml(seo.render_yoast_sitemap(files[request.match_info["name"]]))


async def news_sitemap(request: web.Request) -> web.Response:
    return _xml(seo.render_news_sitemap(_catalog(request), _base(request)))


def _plugin_of(path: str) -> str | None:
    """Which plugin serves a path, if any."""
    if path.startswith("/wp-sitemap"):
        return "core"
    if path.startswith("/wp-json"):
        return "rest"
    if path == "/news-sitemap.xml":
        return "news"
    if path == "/sitemap_index.xml" or re.fullmatch(r"/(post|page)-sitemap\d*\.xml", path):
        return "yoast"
    if path == "/feed/" or re.fullmatch(r"/(category|tag|author)/[^/]+/feed/", path):
        return "feed"
    return None


@web.middleware
async def _plugins_and_faults(request: web.Request, handler: Callable) -> web.StreamResponse:
    """Off plugins answer 404 (core sitemaps redirect when Yoast is on); flaky paths fail twice first."""
    settings = request.app[SETTINGS]
    plugin = _plugin_of(request.path)
    if plugin == "core" and "yoast" in settings.plugins:
        raise web.HTTPMovedPermanently(f"{_base(request)}/sitemap_index.xml")
    if plugin and plugin not in settings.plugins:
        raise web.HTTPNotFound()
    left = settings.flaky.get(request.path, 0)
    if left:
        settings.flaky[request.path] = left - 1
        if left == 2:
            return web.Response(status=429, text="Too Many Requests", headers={"Retry-After": "1"})
        return web.Response(status=503, text="Service Unavailable")
    return await handler(request)


async def sitemap_index(request: web.Request) -> web.Response:
    base = _base(request)
    return _xml(render.render_sitemap_index(render.sitemaps(_catalog(request), base), base))


async def sitemap(request: web.Request) -> web.Response:
    base = _base(request)
    files = render.sitemaps(_catalog(request), base)
    if request.match_info["name"] not in files:
        raise web.HTTPNotFound()
    return _xml(render.render_sitemap(files[request.match_info["name"]][0], base))


async def upload(request: web.Request) -> web.Response:
    wanted = request.match_info["file"]
    if wanted not in _catalog(request).image_files:
        raise web.HTTPNotFound()
    return web.Response(body=render.JPEG, content_type="image/jpeg")


async def api_root(request: web.Request) -> web.Response:
    return _json(render.api_root(_base(request)))


def _int_param(request: web.Request, name: str, default: int, high: int | None = None) -> int:
    raw = request.query.get(name, str(default))
    if not raw.isdigit() or int(raw) < 1 or (high is not None and int(raw) > high):
        raise ValueError(f"{name} harus bilangan bulat antara 1 dan {high or 'tak hingga'}")
    return int(raw)


def _local_param(request: web.Request, name: str) -> datetime:
    """An ISO date parameter as WIB wall time, the zone WordPress compares `date` and `modified` in."""
    try:
        value = datetime.fromisoformat(request.query[name])
    except ValueError:
        raise ValueError(f"{name} bukan tanggal ISO 8601") from None
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None) + WIB
    return value


def _paged(request: web.Request, items: list, total_key: str = "rest_post_invalid_page_number") -> Any:
    """(page of items, headers) as WordPress pages collections, or an error response."""
    try:
        per_page = _int_param(request, "per_page", 10, high=100)
        page = _int_param(request, "page", 1)
    except ValueError as exc:
        return _rest_error("rest_invalid_param", f"Parameter tidak valid: {exc}.", 400)
    total, pages = len(items), math.ceil(len(items) / per_page)
    if page > pages and total > 0:
        return _rest_error(total_key, "Nomor halaman yang diminta lebih besar dari jumlah halaman yang tersedia.", 400)
    headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
    query = [(k, v) for k, v in request.query.items() if k != "page"]
    url = f"{_base(request)}{request.path}?"
    links = [f'<{url}{urlencode(query + [("page", n)])}>; rel="{rel}"'
             for n, rel in ((min(page - 1, pages), "prev"), (page + 1, "next"))
             if (rel == "prev" and page > 1) or (rel == "next" and page < pages)]
    if links:
        headers["Link"] = ", ".join(links)
    return items[(page - 1) * per_page: page * per_page], headers


_ORDERS: dict[str, Callable[[Article], Any]] = {
    "date": lambda a: (a.date_gmt, a.id), "modified": lambda a: (a.modified_gmt, a.id), "id": lambda a: a.id}
_DATE_FILTERS: dict[str, Callable[[Article, datetime], bool]] = {
    "after": lambda a, t: a.date_local > t, "before": lambda a, t: a.date_local < t,
    "modified_after": lambda a, t: a.modified_local > t, "modified_before": lambda a, t: a.modified_local < t}


async def rest_posts(request: web.Request) -> web.Response:
    catalog, base, query = _catalog(request), _base(request), request.query
    try:
        limits = [(_DATE_FILTERS[name], _local_param(request, name)) for name in _DATE_FILTERS if name in query]
        if query.get("orderby", "date") not in _ORDERS or query.get("order", "desc") not in ("asc", "desc"):
            raise ValueError("orderby atau order tidak dikenal")
    except ValueError as exc:
        return _rest_error("rest_invalid_param", f"Parameter tidak valid: {exc}.", 400)
    items = [a for a in catalog.articles if all(passes(a, when) for passes, when in limits)]
    items.sort(key=_ORDERS[query.get("orderby", "date")], reverse=query.get("order", "desc") == "desc")
    paged = _paged(request, items)
    if isinstance(paged, web.Response):
        return paged
    shown, headers = paged
    return _json([render.post_json(a, catalog, base, embed="_embed" in query) for a in shown], headers=headers)


async def rest_post(request: web.Request) -> web.Response:
    catalog, base = _catalog(request), _base(request)
    article = catalog.by_id.get(int(request.match_info["id"]))
    if article is None:
        return _rest_error("rest_post_invalid_id", "ID pos tidak valid.", 404)
    headers = {"Link": f'<{base}{article.path}>; rel="alternate"; type=text/html'}
    return _json(render.post_json(article, catalog, base, embed="_embed" in request.query), headers=headers)


async def rest_terms(request: web.Request) -> web.Response:
    catalog, base = _catalog(request), _base(request)
    if request.match_info["taxonomy"] == "categories":
        terms = [(t, len(catalog.in_category(t.slug))) for t in catalog.categories.values()]
    else:
        terms = [(t, len(catalog.with_tag(t.slug))) for t in catalog.tags.values()]
    paged = _paged(request, sorted(terms, key=lambda pair: pair[0].name), total_key="rest_term_invalid_page_number")
    if isinstance(paged, web.Response):
        return paged
    shown, headers = paged
    return _json([render.term_json(term, base, count) for term, count in shown], headers=headers)


async def rest_no_route(request: web.Request) -> web.Response:
    return _rest_error("rest_no_route", "Tidak ada rute yang cocok dengan URL dan metode permintaan.", 404)


def make_app(data_dir: Path = DEFAULT_DATA_DIR, public_url: str | None = None,
             plugins=DEFAULT_PLUGINS, flaky=(), missing: str = "404", theme: str = "wordpress",
             disallow=(), fail=(), log: Path | None = None) -> web.Application:
    """The site's aiohttp app; absolute URLs use public_url (an origin) or else the request's own origin.
    `fail` and `log` are for the politeness tests (traffic.py): scripted failures, and a request log file."""
    if theme not in THEMES:
        raise ValueError(f"unknown theme {theme!r}; known: {', '.join(THEMES)}")
    app = web.Application(middlewares=[
        *([traffic.request_log(log)] if log else []),
        traffic.scripted_failures(traffic.parse_failures(list(fail))),
        _themed_errors,
        _plugins_and_faults,
        web.normalize_path_middleware(append_slash=True, redirect_class=web.HTTPMovedPermanently),
    ])
    app[SETTINGS] = _Settings(Store(data_dir), public_url.rstrip("/") if public_url else None,
                              frozenset(plugins), {path: 2 for path in flaky}, missing, theme, tuple(disallow))
    archive_kind = "{kind:category|tag|author}/{slug:[^/]+}"
    app.router.add_routes([
        web.get("/", home),
        web.get(r"/page/{page:\d+}/", home),
        web.get("/feed/", feed),
        web.get("/robots.txt", robots),
        web.get("/redaksi/", redaksi),
        web.get("/wp-sitemap.xml", sitemap_index),
        web.get("/sitemap_index.xml", yoast_index),
        web.get("/news-sitemap.xml", news_sitemap),
        web.get(r"/{name:(post|page)-sitemap\d*\.xml}", yoast_sitemap),
        web.get(r"/{name:wp-sitemap-[a-z0-9_-]+\.xml}", sitemap),
        web.get(f"/{archive_kind}/", archive),
        web.get(f"/{archive_kind}/page/{{page:\\d+}}/", archive),
        web.get(f"/{archive_kind}/feed/", feed),
        web.get(r"/{year:\d{4}}/{month:\d{2}}/{day:\d{2}}/{slug:[^/]+}/", single),
        web.get(r"/{year:\d{4}}/{month:\d{2}}/{day:\d{2}}/{slug:[^/]+}/feed/", comments_feed),
        web.get("/wp-content/uploads/{file:.+}", upload),
        web.get("/wp-json/", api_root),
        web.get("/wp-json/wp/v2/posts", rest_posts),
        web.get(r"/wp-json/wp/v2/posts/{id:\d+}", rest_post),
        web.get("/wp-json/wp/v2/{taxonomy:categories|tags}", rest_terms),
        web.get("/wp-json/{rest:.*}", rest_no_route),
    ])
    return app


async def _serve(app: web.Application, host: str, port: int) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    # Handlers go in before the URL is announced, so a signal sent right after it is never lost.
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await web.TCPSite(runner, host, port).start()
    print(f"Serving sample site on http://{host}:{runner.addresses[0][1]}/", flush=True)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the Hajarnews sample site (a WordPress look-alike).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help="folder of article YAML files")
    parser.add_argument("--public-url", help="origin to use in absolute URLs instead of the request's")
    parser.add_argument("--plugins", default=",".join(DEFAULT_PLUGINS),
                        help=f"comma-separated subset of {','.join(PLUGINS)} ('' for none)")
    parser.add_argument("--flaky", action="append", default=[], metavar="PATH",
                        help="answer 429 (Retry-After: 1), then 503, before serving PATH")
    parser.add_argument("--missing", choices=("404", "soft404", "home"), default="404",
                        help="how a removed post answers")
    parser.add_argument("--theme", choices=THEMES, default="wordpress",
                        help="how post pages look: today's WordPress theme, or an older plain one "
                             "(windows-1252, no JSON-LD or og: meta, headline in h2.post-title)")
    parser.add_argument("--disallow", action="append", default=[], metavar="PATH",
                        help="a path robots.txt disallows (repeatable)")
    parser.add_argument("--fail", action="append", default=[], metavar="PATH=STATUS[:RETRY_AFTER],...",
                        help="answer PATH with these statuses first (Retry-After: seconds, or date+N for an HTTP "
                             "date N s after the next full second), then serve it")
    parser.add_argument("--log", type=Path, help="append one JSON line per request to this file")
    args = parser.parse_args(argv)
    plugins = [p for p in args.plugins.split(",") if p]
    if set(plugins) - set(PLUGINS):
        parser.exit(2, f"error: unknown plugins {sorted(set(plugins) - set(PLUGINS))}\n")
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        load_articles(args.data)  # fail before announcing a URL that would only answer 500
        traffic.parse_failures(args.fail)
    except (OSError, ValueError) as exc:
        parser.exit(2, f"error: {exc}\n")
    app = make_app(args.data, args.public_url, plugins, args.flaky, args.missing, args.theme, args.disallow,
                   args.fail, args.log)
    asyncio.run(_serve(app, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
