"""The article reading page `/{database}/artikel/{id}`, Indonesian dates, and links to it from tables."""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
from datetime import datetime, tzinfo
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from datasette.utils.asgi import NotFound
from markupsafe import Markup, escape

from hajar_scraper.sanitise import sanitise
from hajar_scraper.web.rendering import html_page, render

DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")
ZONES = {7: "WIB", 8: "WITA", 9: "WIT"}
DIFF_CONTEXT = 12  # unchanged words kept either side of a change
# Whole stories make a table listing metres tall; the reading page and JSON show them in full.
LONG_TEXT = {"articles": {"body_text", "body_html"}, "article_versions": {"body_text"}}
LONG_TEXT_CHARS = 160
MAX_DIFFS = 20  # an article edited more often shows the diffs of its 20 latest edits


def zone(zone_of: str | None) -> tzinfo | None:
    """The zone `zone_of` names: a site's IANA zone, or the offset of an ISO moment (None for a day, which has none)."""
    if not zone_of:
        return None
    try:
        return datetime.fromisoformat(zone_of.replace("Z", "+00:00")).tzinfo
    except ValueError:
        pass
    try:
        return ZoneInfo(zone_of)
    except (ValueError, ZoneInfoNotFoundError):
        return None


def parse_time(value: str | None, zone_of: str | None = None) -> datetime | None:
    """An archive time as a datetime, moved into the zone `zone_of` names (e.g. a UTC crawl time into WIB).
    A day stays its day: it has no zone to move from."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    target = zone(zone_of)
    return moment.astimezone(target) if target and moment.tzinfo else moment


def indonesian_time(value: str | None, zone_of: str | None = None, day: bool = True, clock: bool = True) -> str:
    """`2021-05-25T16:42:00+07:00` → `Selasa, 25 Mei 2021 16:42 WIB`, as Indonesian outlets print it;
    a day (`2021-05-25`, printed without a time) → `Selasa, 25 Mei 2021`."""
    moment = parse_time(value, zone_of)
    if moment is None:
        return value or ""
    text = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    if day:
        text = f"{DAYS[moment.weekday()]}, {text}"
    has_clock = "T" in (value or "") or " " in (value or "")
    if clock and has_clock:
        text += f" {moment:%H:%M}"
        if moment.tzinfo is not None:
            text += " " + zone_name(moment)
    return text


def zone_name(moment: datetime) -> str:
    """WIB, WITA or WIT for Indonesia's zones; a plain UTC offset for any other."""
    hours, rest = divmod(int(moment.utcoffset().total_seconds()), 3600)
    return ZONES[hours] if not rest and hours in ZONES else f"UTC{moment:%z}"


def short_date(value: str | None) -> str:
    return indonesian_time(value, day=False, clock=False)


def safe_body(html: str | None) -> Markup:
    """Sanitise body_html again at render time, to the parser's allow-list: defence in depth."""
    return Markup(sanitise(html, link_rel="noopener noreferrer nofollow"))


def web_url(url: str | None) -> str | None:
    """Only http(s) URLs become links; anything else (javascript:, data:) is dropped."""
    return url if url and re.match(r"^https?://", url, re.I) else None


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff as (`same`/`del`/`ins`/`gap`, text) pieces, long unchanged runs shortened."""
    a, b = re.findall(r"\S+\s*", old or ""), re.findall(r"\S+\s*", new or "")
    pieces: list[tuple[str, str]] = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            run = a[i1:i2]
            head = run[:DIFF_CONTEXT] if n else []
            tail = run[-DIFF_CONTEXT:] if n < len(opcodes) - 1 else []
            if len(head) + len(tail) >= len(run):
                pieces.append(("same", "".join(run)))
            else:
                pieces += [("same", "".join(head)), ("gap", "… "), ("same", "".join(tail))]
            continue
        if i2 > i1:
            pieces.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("ins", "".join(b[j1:j2])))
    return [p for p in pieces if p[1]]


def facet_link(datasette, database: str, column: str, value: str) -> str:
    """The articles list filtered to one JSON-array value, with that facet open."""
    query = urlencode({"_facet_array": column, f"{column}__arraycontains": value})
    return f"{datasette.urls.table(database, 'articles')}?{query}"


def article_url(datasette, database: str, article_id) -> str:
    return f"{datasette.urls.database(database)}/artikel/{article_id}"


def source_links(article: dict) -> list[dict]:
    """Where the article can be read outside this archive: the original URL (a WARC capture joins here)."""
    url = web_url(article["url"])
    return [{"label": "Artikel asli di situs penerbit", "href": url}] if url else []


def read_article(conn, article_id: int) -> tuple[dict, list[dict], list[dict], tuple] | None:
    """The article, its images, its versions and its site's (name, zone): four lookups by primary key, run
    together in one trip to the database's thread (None: no such article, or no articles table)."""
    factory, conn.row_factory = conn.row_factory, sqlite3.Row  # Datasette's connection: put it back after
    try:
        row = conn.execute("SELECT * FROM articles WHERE id = ?", [article_id]).fetchone()
        if row is None:
            return None
        images = conn.execute("SELECT position, url, caption, credit FROM images WHERE article_id = ? "
                              "ORDER BY position", [article_id]).fetchall()
        versions = conn.execute("SELECT version, content_hash, title, body_text, seen_at FROM article_versions "
                                "WHERE article_id = ? ORDER BY version", [article_id]).fetchall()
        site = conn.execute("SELECT name, timezone FROM sites WHERE slug = ?", [row["site"]]).fetchone()
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return None
        raise
    finally:
        conn.row_factory = factory
    return dict(row), [dict(r) for r in images], [dict(r) for r in versions], tuple(site) if site else (None, None)


async def article_context(datasette, database: str, article_id: int) -> dict:
    """Everything the reading page shows, read in a few indexed queries."""
    found = await datasette.get_database(database).execute_fn(lambda conn: read_article(conn, article_id))
    if found is None:
        raise NotFound("Artikel tidak ditemukan")
    article, images, versions, (site_name, site_zone) = found
    for before, after in list(zip(versions, versions[1:]))[-MAX_DIFFS:]:
        after["title_diff"] = word_diff(before["title"], after["title"]) if before["title"] != after["title"] else []
        after["body_diff"] = word_diff(before["body_text"], after["body_text"])
    lead = images[0] if images and web_url(images[0]["url"]) else None
    body_html = safe_body(article["body_html"])
    terms = {name: json.loads(article[name] or "[]") for name in ("authors", "categories", "tags")}
    corrections = [c for c in json.loads(article.get("corrections") or "[]") if isinstance(c, dict)]
    articles_url = datasette.urls.table(database, "articles")
    return {
        "article": article, "database": database, "site_name": site_name or article["site"],
        "zone": site_zone or article["published_at"],  # archive times (UTC) are shown in the site's zone
        "lead_image": lead if lead and str(escape(lead["url"])) not in body_html else None,
        "body_html": body_html, "versions": versions, "source_links": source_links(article),
        "corrections": corrections, "crumb_links": [(datasette.urls.instance(), "home"),
                                               (datasette.urls.database(database), database),
                                               (articles_url, "articles")],
        **{name: [{"name": v, "href": facet_link(datasette, database, name, v)} for v in values]
           for name, values in terms.items()},
        "dateline_href": f"{articles_url}?{urlencode({'dateline': article['dateline']})}"
        if article["dateline"] else None,
    }


async def article_page(datasette, request):
    database = request.url_vars["database"]
    if database not in datasette.databases or database.startswith("_"):
        raise NotFound("Basis data tidak ditemukan")
    context = await article_context(datasette, database, int(request.url_vars["id"]))
    context["metadata"] = datasette.metadata()
    return html_page(await render(datasette, "hajar_article.html", context, request))


ROUTES = [(r"^/(?P<database>[^/]+)/artikel/(?P<id>[0-9]{1,18})$", article_page)]


def add_functions(conn) -> None:
    conn.create_function("safe_html", 1, lambda html: str(safe_body(html)), deterministic=True)


def add_filters(env) -> None:
    env.auto_reload = False  # templates are read once, not stat()ed again on every page (~9 a page)
    env.filters["tanggal"] = indonesian_time
    env.filters["tanggal_pendek"] = short_date
    env.filters["web_url"] = web_url


def render_cell(row, value, column, table, database, datasette):
    """Headlines link to their reading page; long texts are cut in table listings (JSON keeps them whole)."""
    if not isinstance(value, str):
        return None
    if table in LONG_TEXT and column in LONG_TEXT[table] and len(value) > LONG_TEXT_CHARS:
        return value[:LONG_TEXT_CHARS].rsplit(" ", 1)[0] + " …"
    if column != "title":
        return None
    keys = row.keys()
    if table == "articles" or (table is None and "id" in keys and "published_at" in keys):
        return Markup('<a href="{}">{}</a>').format(article_url(datasette, database, row["id"]), value)
    return None
