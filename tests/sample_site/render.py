"""Turns a Catalog into what a WordPress 5.7 + Yoast site serves: HTML, JSON-LD, RSS, sitemaps, REST JSON."""

from __future__ import annotations

import hashlib
import json
import math
import struct
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any, Iterable

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

try:
    from .catalog import Article, Catalog, Term
except ImportError:  # loaded with this folder on sys.path, e.g. by `python server.py`
    from catalog import Article, Catalog, Term

SITE_NAME = "Hajarnews.com"
TAGLINE = "Berita Kuala Tungkal, Tanjab Barat dan Jambi"
SITEMAP_MAX_URLS = 20  # core uses 2000; small here so the fixture has two post sitemaps
# A post listed in the sitemap that no longer exists, so crawls meet a real 404.
DELETED_POST_PATH = "/2021/07/30/berita-yang-sudah-dihapus/"
DELETED_POST_MODIFIED = datetime(2021, 7, 30, 2, 11, 45)
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
          "Agustus", "September", "Oktober", "November", "Desember")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
# The plain theme's pages are windows-1252, as the outlet's older CMS served them.
PLAIN_CHARSET = "windows-1252"
# What wptexturize turns typographic characters into in titles and excerpts.
_ENTITIES = str.maketrans({"–": "&#8211;", "—": "&#8212;", "‘": "&#8216;", "’": "&#8217;",
                           "“": "&#8220;", "”": "&#8221;", "…": "&#8230;"})


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def _tiny_jpeg() -> bytes:
    """A valid 1x1 grey baseline JPEG, so image fetches get real image bytes without shipping files."""
    one_code = bytes([1] + [0] * 15) + b"\x00"  # Huffman table: a single 1-bit code, for symbol 0
    return b"".join([
        b"\xff\xd8",
        _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        _segment(0xDB, b"\x00" + b"\x01" * 64),
        _segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00"),
        _segment(0xC4, b"\x00" + one_code),
        _segment(0xC4, b"\x10" + one_code),
        _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00"),
        b"\x3f",  # DC difference 0, then end-of-block, padded with 1-bits
        b"\xff\xd9",
    ])


JPEG = _tiny_jpeg()


@dataclass(frozen=True)
class StaticPage:
    id: int
    slug: str
    title: str
    date_gmt: datetime
    modified_gmt: datetime
    staff: tuple[tuple[str, str], ...]


REDAKSI = StaticPage(57, "redaksi", "Redaksi", datetime(2019, 3, 2, 3, 0), datetime(2021, 1, 4, 2, 30), (
    ("Pemimpin Umum", "H. Syamsul Bahri"),
    ("Pemimpin Redaksi", "Ahmad Fauzi"),
    ("Redaktur Pelaksana", "Rahmat Hidayat"),
    ("Wartawan Kuala Tungkal", "Oddy Pratama, Hendra Saputra"),
    ("Wartawan Hukum dan Kriminal", "Budi Santoso"),
    ("Wartawan Ekonomi dan Kesehatan", "Nurul Aini, Dewi Kartika"),
))


def id_date(dt: datetime) -> str:
    return f"{dt.day} {MONTHS[dt.month - 1]} {dt.year}"


def id_datetime(dt: datetime) -> str:
    """The plain theme's date line: `Selasa, 25 Mei 2021 - 16:42 WIB` (no seconds)."""
    return f"{DAYS[dt.weekday()]}, {id_date(dt)} - {dt:%H:%M} WIB"


def iso_local(dt: datetime) -> str:
    return f"{dt:%Y-%m-%dT%H:%M:%S}+07:00"


def iso_utc(dt: datetime) -> str:
    return f"{dt:%Y-%m-%dT%H:%M:%S}+00:00"


def rfc822(dt: datetime) -> str:
    return format_datetime(dt.replace(tzinfo=timezone.utc))


def wp_text(text: str) -> Markup:
    """Text as WordPress renders titles: HTML-escaped, typographic characters as entities."""
    return Markup(str(escape(text)).translate(_ENTITIES))


def cdata(text: str) -> Markup:
    return Markup(str(text).replace("]]>", "]]]]><![CDATA[>"))


_env = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html", "xml"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(id_date=id_date, id_datetime=id_datetime, iso_local=iso_local, iso_utc=iso_utc, rfc822=rfc822,
                    wp_text=wp_text, cdata=cdata)


def _catalog(articles: Catalog | Iterable[Article]) -> Catalog:
    return articles if isinstance(articles, Catalog) else Catalog(articles)


def _json_script(graph: list[dict[str, Any]]) -> Markup:
    text = json.dumps({"@context": "https://schema.org", "@graph": graph}, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c"))  # no "</script>" can end the block early


def _site_nodes(base: str) -> list[dict[str, Any]]:
    return [
        {"@type": "Organization", "@id": f"{base}/#organization", "name": SITE_NAME, "url": f"{base}/",
         "sameAs": ["https://www.facebook.com/hajarnews"]},
        {"@type": "WebSite", "@id": f"{base}/#website", "url": f"{base}/", "name": SITE_NAME,
         "description": TAGLINE, "publisher": {"@id": f"{base}/#organization"}, "inLanguage": "id",
         "potentialAction": [{"@type": "SearchAction", "target": f"{base}/?s={{search_term_string}}",
                              "query-input": "required name=search_term_string"}]},
    ]


def _page_node(kind: str, url: str, name: str, base: str, **extra: Any) -> dict[str, Any]:
    return {"@type": kind, "@id": f"{url}#webpage", "url": url, "name": name,
            "isPartOf": {"@id": f"{base}/#website"}, **extra, "inLanguage": "id"}


def article_graph(a: Article, base: str) -> list[dict[str, Any]]:
    """Yoast's graph for a post: the NewsArticle names its author by @id, resolved in the Person node."""
    url = f"{base}{a.path}"
    person = f"{base}/#/schema/person/{hashlib.md5(a.author_slug.encode()).hexdigest()}"
    dates = {"datePublished": iso_utc(a.date_gmt), "dateModified": iso_utc(a.modified_gmt)}
    graph, image_ref = _site_nodes(base), {}
    if a.image:
        src = f"{base}/wp-content/uploads/{a.image.file}"
        graph.append({"@type": "ImageObject", "@id": f"{url}#primaryimage", "inLanguage": "id", "url": src,
                      "contentUrl": src, "width": 800, "height": 450, "caption": a.image.caption_text})
        image_ref = {"image": {"@id": f"{url}#primaryimage"}, "thumbnailUrl": src}
    graph.append(_page_node("WebPage", url, f"{a.title} - {SITE_NAME}", base, **dates, description=a.excerpt,
                            **({"primaryImageOfPage": image_ref["image"]} if image_ref else {})))
    graph.append({
        "@type": "NewsArticle", "@id": f"{url}#article", "isPartOf": {"@id": f"{url}#webpage"},
        "author": {"@id": person}, "headline": a.title, **dates, "mainEntityOfPage": {"@id": f"{url}#webpage"},
        "wordCount": a.word_count, "commentCount": 0, "publisher": {"@id": f"{base}/#organization"}, **image_ref,
        "keywords": list(a.tags), "articleSection": list(a.categories), "inLanguage": "id",
    })
    graph.append({"@type": "Person", "@id": person, "name": a.author, "url": f"{base}/author/{a.author_slug}/"})
    return graph


def post_class(a: Article, catalog: Catalog) -> str:
    classes = [f"post-{a.id}", "post", "type-post", "status-publish", "format-standard"]
    classes += ["has-post-thumbnail"] if a.image else []
    classes += ["hentry"] + [f"category-{catalog.category(n).slug}" for n in a.categories]
    return " ".join(classes + [f"tag-{catalog.tag(n).slug}" for n in a.tags])


def _render(template: str, catalog: Catalog, base: str, current: Article | None = None, **context: Any) -> str:
    defaults = dict(description=None, canonical=None, prev_url=None, next_url=None, jsonld=None)
    return _env.get_template(template).render(
        {**defaults, **context}, base=base, nav=sorted(catalog.categories.values(), key=lambda t: t.name),
        recent=catalog.recent(current), popular=catalog.popular(current))


def entry_content(a: Article, articles: Catalog | Iterable[Article], base: str) -> Markup:
    """The inside of div.entry-content, shared by the page, the feed and the REST API."""
    catalog = _catalog(articles)
    baca_juga: dict[int, list[Article]] = {}
    for link in a.baca_juga:
        if link.id in catalog.by_id:
            baca_juga.setdefault(link.after, []).append(catalog.by_id[link.id])
    html = _env.get_template("_content.html").render(
        a=a, base=base, url=f"{base}{a.path}", baca_juga=baca_juga, related=catalog.related(a))
    return Markup(html.strip())


def render_article_page(article: Article, articles: Catalog | Iterable[Article], base_url: str) -> str:
    """The full single-post page, as https://hajarnews.com would serve it with base_url as its origin."""
    catalog, base, a = _catalog(articles), base_url.rstrip("/"), article
    url = f"{base}{a.path}"
    older, newer = catalog.neighbours(a)
    return _render(
        "single.html", catalog, base, current=a, a=a, url=url, page_title=f"{a.title} - {SITE_NAME}",
        description=a.excerpt, canonical=url, jsonld=_json_script(article_graph(a, base)),
        body_class=f"post-template-default single single-post postid-{a.id} single-format-standard",
        post_class=post_class(a, catalog), categories=[catalog.category(n) for n in a.categories],
        tags=[catalog.tag(n) for n in a.tags], content=entry_content(a, catalog, base), older=older, newer=newer)


def plain_story(a: Article, catalog: Catalog, base: str) -> Markup:
    """The inside of the plain theme's div.isi-berita, as an older CMS stored it: the first half of the
    paragraphs as `<p>`, the rest as bare text separated by `<br><br>`; "Baca Juga" links as their own `<p>`."""
    split = math.ceil(len(a.paragraphs) / 2)
    links: dict[int, list[Article]] = {}
    for link in a.baca_juga:
        if link.id in catalog.by_id:
            links.setdefault(link.after, []).append(catalog.by_id[link.id])
    lines: list[str] = []
    run: list[str] = []  # bare paragraphs waiting to be joined by <br><br>

    def close_run() -> None:
        if run:
            lines.append("<br><br>\n".join(run))
            run.clear()

    for number, text in enumerate(a.paragraphs, start=1):
        if number <= split:
            lines.append(f"<p>{escape(text)}</p>")
        else:
            run.append(str(escape(text)))
        for other in links.get(number, []):
            close_run()
            lines.append(f'<p><b>Baca Juga: <a href="{escape(base + other.path)}">{escape(other.title)}</a></b></p>')
    close_run()
    if a.signature:
        lines.append(f"<p>({escape(a.signature)})</p>")
    if a.editor:
        lines.append(f"<p>Editor: {escape(a.editor)}</p>")
    return Markup("\n".join(lines))


def render_plain_article_page(article: Article, articles: Catalog | Iterable[Article], base_url: str) -> bytes:
    """The post page in the outlet's older, plain theme, as windows-1252 bytes: no JSON-LD, no og:/article:
    meta, the headline in h2.post-title (the logo is the page's h1), the date printed as text beside it,
    the story in div.isi-berita. Characters windows-1252 lacks are written as character references."""
    catalog, base, a = _catalog(articles), base_url.rstrip("/"), article
    html = _render(
        "plain_single.html", catalog, base, current=a, a=a, page_title=f"{a.title} | {SITE_NAME}",
        category=catalog.category(a.categories[0]), tags=[catalog.tag(n) for n in a.tags],
        story=plain_story(a, catalog, base), related=catalog.related(a), charset=PLAIN_CHARSET)
    return html.encode(PLAIN_CHARSET, errors="xmlcharrefreplace")


def render_listing(catalog: Catalog, base: str, *, path: str, title: str, heading: str, body_class: str,
                   items: list[Article], page: int, per_page: int, home: bool = False) -> str | None:
    """One page of an archive (home, category, tag, author); None when the page is past the end."""
    pages = max(1, math.ceil(len(items) / per_page))
    if not 1 <= page <= pages:
        return None

    def page_url(n: int) -> str:
        return f"{base}{path}" if n == 1 else f"{base}{path}page/{n}/"

    if page == 1 and home:
        page_title = f"{SITE_NAME} - {TAGLINE}"
    else:
        page_title = title + (f" - Halaman {page} dari {pages}" if page > 1 else "") + f" - {SITE_NAME}"
    shown = items[(page - 1) * per_page: page * per_page]
    canonical = page_url(page)
    graph = _site_nodes(base) + [_page_node("CollectionPage", canonical, page_title, base)]
    return _render(
        "home.html" if home else "archive.html", catalog, base, page_title=page_title, heading=heading,
        canonical=canonical, description=TAGLINE if home else None, jsonld=_json_script(graph),
        body_class=body_class + (f" paged paged-{page}" if page > 1 else ""), items=shown,
        post_classes={a.id: post_class(a, catalog) for a in shown}, page=page, pages=pages, page_url=page_url,
        prev_url=page_url(page - 1) if page > 1 else None, next_url=page_url(page + 1) if page < pages else None)


def render_static_page(catalog: Catalog, base: str, page: StaticPage = REDAKSI) -> str:
    url = f"{base}/{page.slug}/"
    title = f"{page.title} - {SITE_NAME}"
    node = _page_node("WebPage", url, title, base, datePublished=iso_utc(page.date_gmt),
                      dateModified=iso_utc(page.modified_gmt))
    return _render("page.html", catalog, base, page=page, page_title=title, canonical=url,
                   jsonld=_json_script(_site_nodes(base) + [node]),
                   body_class=f"page-template-default page page-id-{page.id}")


def render_not_found(catalog: Catalog, base: str) -> str:
    return _render("404.html", catalog, base, page_title=f"Halaman tidak ditemukan - {SITE_NAME}",
                   body_class="error404")


def render_feed(catalog: Catalog, base: str, items: list[Article], *, title: str, path: str,
                updated: datetime | None = None) -> str:
    """RSS2 as wp-includes/feed-rss2.php writes it, for the 10 newest of items (none in a comments feed)."""
    shown = items[:10]
    return _env.get_template("feed.xml").render(
        base=base, channel_title=title, self_url=f"{base}{path}feed/", link=f"{base}{path}",
        last_build=max((a.modified_gmt for a in shown), default=updated),
        items=[{"article": a, "content": entry_content(a, catalog, base)} for a in shown])


Entries = list[tuple[str, "datetime | None"]]


def sitemaps(catalog: Catalog, base: str) -> dict[str, tuple[Entries, datetime]]:
    """Core's sitemap files by name, each with its URLs and its newest lastmod for the index."""
    posts: Entries = [(f"{base}{a.path}", a.modified_gmt) for a in sorted(catalog.articles, key=lambda a: a.id)]
    posts.append((f"{base}{DELETED_POST_PATH}", DELETED_POST_MODIFIED))
    files: dict[str, tuple[Entries, datetime]] = {}
    for number, start in enumerate(range(0, len(posts), SITEMAP_MAX_URLS), start=1):
        chunk = posts[start:start + SITEMAP_MAX_URLS]
        files[f"wp-sitemap-posts-post-{number}.xml"] = (chunk, max(m for _, m in chunk if m))
    files["wp-sitemap-posts-page-1.xml"] = ([(f"{base}/{REDAKSI.slug}/", REDAKSI.modified_gmt)], REDAKSI.modified_gmt)
    categories = sorted(catalog.categories.values(), key=lambda t: t.slug)
    files["wp-sitemap-taxonomies-category-1.xml"] = (
        [(f"{base}/category/{t.slug}/", None) for t in categories],
        max(a.modified_gmt for a in catalog.articles))
    return files


def render_sitemap_index(files: dict[str, tuple[Entries, datetime]], base: str) -> str:
    entries = [(f"{base}/{name}", lastmod) for name, (_, lastmod) in files.items()]
    return _env.get_template("sitemap-index.xml").render(base=base, entries=entries)


def render_sitemap(entries: Entries, base: str) -> str:
    return _env.get_template("sitemap.xml").render(base=base, entries=entries)


def _wp_time(dt: datetime) -> str:
    return f"{dt:%Y-%m-%dT%H:%M:%S}"


def term_json(term: Term, base: str, count: int | None = None) -> dict[str, Any]:
    # WordPress stores term names HTML-escaped ("Hukum &amp; Kriminal") and serves them so.
    path = "category" if term.taxonomy == "category" else "tag"
    data = {"id": term.id, "link": f"{base}/{path}/{term.slug}/", "name": str(escape(term.name)),
            "slug": term.slug, "taxonomy": term.taxonomy}
    return data if count is None else {**data, "count": count, "description": ""}


def post_json(a: Article, catalog: Catalog, base: str, embed: bool = False) -> dict[str, Any]:
    """A /wp/v2/posts object; with embed, the _embedded block that `?_embed` adds."""
    api, author = f"{base}/wp-json/wp/v2", catalog.authors[a.author_slug]
    categories = [catalog.category(n) for n in a.categories]
    tags = [catalog.tag(n) for n in a.tags]
    data: dict[str, Any] = {
        "id": a.id, "date": _wp_time(a.date_local), "date_gmt": _wp_time(a.date_gmt),
        "guid": {"rendered": f"{base}/?p={a.id}"},
        "modified": _wp_time(a.modified_local), "modified_gmt": _wp_time(a.modified_gmt),
        "slug": a.slug, "status": "publish", "type": "post", "link": f"{base}{a.path}",
        "title": {"rendered": wp_text(a.title)},
        "content": {"rendered": str(entry_content(a, catalog, base)), "protected": False},
        "excerpt": {"rendered": f"<p>{wp_text(a.excerpt)}</p>\n", "protected": False},
        "author": author.id, "featured_media": a.attachment_id if a.image else 0,
        "comment_status": "open", "ping_status": "open", "sticky": False, "template": "", "format": "standard",
        "meta": [], "categories": [t.id for t in categories], "tags": [t.id for t in tags],
        "_links": {
            "self": [{"href": f"{api}/posts/{a.id}"}], "collection": [{"href": f"{api}/posts"}],
            "author": [{"embeddable": True, "href": f"{api}/users/{author.id}"}],
            **({"wp:featuredmedia": [{"embeddable": True, "href": f"{api}/media/{a.attachment_id}"}]}
               if a.image else {}),
            "wp:term": [{"taxonomy": "category", "embeddable": True, "href": f"{api}/categories?post={a.id}"},
                        {"taxonomy": "post_tag", "embeddable": True, "href": f"{api}/tags?post={a.id}"}],
        },
    }
    if embed:
        embedded: dict[str, Any] = {"author": [{"id": author.id, "name": author.name, "url": "", "description": "",
                                                "link": f"{base}/author/{author.slug}/", "slug": author.slug}]}
        if a.image:
            stem = Path(a.image.file).stem.lower()
            embedded["wp:featuredmedia"] = [{
                "id": a.attachment_id, "date": _wp_time(a.date_local), "slug": stem, "type": "attachment",
                "link": f"{base}{a.path}{stem}/", "title": {"rendered": stem}, "author": author.id,
                "caption": {"rendered": f"<p>{wp_text(a.image.caption_text)}</p>\n"}, "alt_text": "",
                "media_type": "image", "mime_type": "image/jpeg",
                "media_details": {"width": 800, "height": 450, "file": a.image.file, "sizes": {}},
                "source_url": f"{base}/wp-content/uploads/{a.image.file}"}]
        embedded["wp:term"] = [[term_json(t, base) for t in categories], [term_json(t, base) for t in tags]]
        data["_embedded"] = embedded
    return data


def api_root(base: str) -> dict[str, Any]:
    return {"name": SITE_NAME, "description": TAGLINE, "url": base, "home": base, "gmt_offset": 7,
            "timezone_string": "Asia/Jakarta", "namespaces": ["oembed/1.0", "wp/v2"], "authentication": [],
            "routes": {route: {"namespace": "wp/v2", "methods": ["GET"]}
                       for route in ("/wp/v2/posts", "/wp/v2/posts/(?P<id>[\\d]+)", "/wp/v2/categories", "/wp/v2/tags")}}
