"""Search in Bahasa Indonesia: the page /-/cari, and the SQL functions the `search` canned query needs.

The page runs `search.find` (the newest 500 hits, bm25 over the words that are not common) on each
site database the visitor may search with the `search` canned query, merges them and shows a page
of 20 with snippets cut from the stored stems. The canned query stays the SQL/JSON interface.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import weakref
from typing import NamedTuple
from urllib.parse import parse_qs, urlencode

import nh3
from datasette.utils import sqlite_timelimit
from markupsafe import Markup

from hajar_scraper import dates, placestore, search
from hajar_scraper.stems import stem_text, stem_word
from hajar_scraper.web.rendering import html_page, render

DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
DEFAULT_ZONE = "Asia/Jakarta"
MAX_QUERY_CHARS = 200
SORTS = {"": "relevansi", "newest": "terbaru"}


def _snippet(text, query, size=32, stems=None):
    return search.stem_snippet(text, stems, query, int(size)) if stems is not None else search.snippet(
        text, query, int(size))


def load_stemmer() -> None:
    """Load Sastrawi's dictionary (~0.1 s) at startup rather than during the first search."""
    stem_word("pembangunan")


def add_functions(conn) -> None:
    conn.create_function("stem_query", 1, search.stem_query, deterministic=True)
    conn.create_function("stem_text", 1, stem_text, deterministic=True)
    conn.create_function("search_snippet", -1, _snippet, deterministic=True)


def marked(html: str | None) -> Markup:
    """A snippet is escaped text plus <mark>; cleaning it to exactly that keeps it so."""
    return Markup(nh3.clean(html or "", tags={"mark"}, attributes={}))


def render_cell(value, column, table):
    if table is None and column == "snippet" and isinstance(value, str):
        return marked(value)
    return None


_INDEXED: weakref.WeakSet = weakref.WeakSet()  # databases known to hold the stemmed index


async def has_index(db) -> bool:
    """Whether the database holds the stemmed index. Nothing drops it once made, so a yes is remembered
    (a trip to the database thread less a page) and only a no is asked again."""
    if db not in _INDEXED:
        if not await db.table_exists(search.STEM_TABLE):
            return False
        _INDEXED.add(db)
    return True


async def searchable_databases(datasette, actor) -> list[str]:
    """Site databases with the stemmed index and a `search` query this visitor may run."""
    names = []
    for name, db in datasette.databases.items():
        if name.startswith("_") or not await has_index(db):
            continue
        if not await datasette.get_canned_query(name, "search", actor):
            continue
        if await datasette.permission_allowed(actor, "view-query", (name, "search"), default=True):
            names.append(name)
    return names


def read_form(args) -> dict:
    """The search form's fields, with anything malformed dropped rather than passed to SQL."""
    since, until = args.get("dari", "").strip(), args.get("sampai", "").strip()
    sort = args.get("urut", "")
    return {"q": args.get("q", "").strip()[:MAX_QUERY_CHARS], "situs": args.get("situs", ""),
            "tempat": " ".join(args.get("tempat", "").split())[:100],
            "dari": since if DATE.match(since) else "", "sampai": until if DATE.match(until) else "",
            "urut": sort if sort in SORTS else "", "hal": _page_number(args.get("hal", ""))}


def _page_number(value: str) -> int:
    return int(value) if value.isdigit() and 0 < int(value) <= 1000 else 1


class Results(NamedTuple):
    """One page of merged results, and what the page must say about them."""

    rows: list[dict]
    total: int  # hits found, at most CANDIDATES a database
    capped: bool  # some database had more hits than that
    ranked: bool  # bm25; False: newest first
    common: list[str]  # words too common to rank by
    timed_out: list[str]  # databases whose search ran out of time


async def _in_time(datasette, name: str, fn):
    """fn(conn) on the database's read connection, interrupted after sql_time_limit_ms like any query."""
    def limited(conn):
        with sqlite_timelimit(conn, datasette.setting("sql_time_limit_ms")):
            return fn(conn)
    return await datasette.get_database(name).execute_fn(limited)


def _one_page(conn, form: dict, limit_ms: int):
    """One archive's hits and the chosen page's rows, read in one trip to the database thread (each
    trip costs a thread hand-over); each part under its own time limit, as when they were two trips.
    The rows are None when their part ran out of time. Rows come as plain tuples, not Datasette's
    sqlite3.Row (~500 a search), and the connection gets its row factory back."""
    factory, conn.row_factory = conn.row_factory, None
    try:
        with sqlite_timelimit(conn, limit_ms):
            hits = search.find(conn, form["q"], form["dari"], form["sampai"], form["urut"],
                               places=places_of(conn, form["tempat"]))
        first = (form["hal"] - 1) * search.PAGE_SIZE
        ids = [article_id for article_id, _, _ in hits.rows[first:first + search.PAGE_SIZE]]
        try:
            with sqlite_timelimit(conn, limit_ms):
                return hits, ids, search.result_rows(conn, ids, form["q"])
        except sqlite3.OperationalError:
            return hits, ids, None
    finally:
        conn.row_factory = factory


async def search_one(datasette, form: dict, name: str) -> Results:
    """`run_search` of a single archive: its hits are the merged list, in order already."""
    limit_ms = datasette.setting("sql_time_limit_ms")
    try:
        hits, ids, details = await datasette.get_database(name).execute_fn(lambda conn: _one_page(conn, form, limit_ms))
    except sqlite3.OperationalError:  # interrupted: say so
        return Results([], 0, False, False, [], [name])
    base = datasette.urls.database(name)
    rows = [shown_row(base, name, details[article_id]) for article_id in ids if article_id in (details or {})]
    ranked = form["urut"] != "newest" and hits.ranked and bool(hits.rows)
    return Results(rows, len(hits.rows), hits.capped, ranked, hits.common, [] if details is not None else [name])


def shown_row(base: str, name: str, row: dict) -> dict:
    """A result as the template shows it; `base` is its database's URL."""
    row = dict(row)
    # search.snippet escapes all it does not mark, so its HTML is used as it is
    row.update(database=name, snippet=Markup(row["snippet"]), title_html=Markup(row["title_html"]),
               authors=json.loads(row["authors"] or "[]"), href=f"{base}/artikel/{row['id']}")
    return row


def _moment(published_at: str, zone: str) -> float:
    """Sites differ in zone (WIB, WITA, WIT): compare instants, not strings. A day printed without a time
    counts as its first moment in its archive's zone, where it sorts within the archive too (by string)."""
    return dates.as_datetime(published_at, zone).timestamp()


def archive_zone(conn) -> str:
    """The zone of an archive's sites; an archive's dates share one, as its own newest-first order assumes."""
    row = conn.execute("SELECT timezone FROM sites WHERE timezone > '' ORDER BY slug LIMIT 1").fetchone()
    return row[0] if row else DEFAULT_ZONE


async def run_search(datasette, form: dict, databases: list[str]) -> Results:
    """The chosen page of the merged results of every chosen database."""
    if len(databases) == 1:
        return await search_one(datasette, form, databases[0])
    phrases = search.query_phrases(form["q"])
    common, timed_out, alive = set(), [], list(databases)
    if len(databases) > 1:  # a phrase common in any archive is left out of the ranking in all
        for name in databases:
            try:
                common |= await _in_time(datasette, name, lambda conn: search.common_phrases(conn, phrases))
            except sqlite3.OperationalError:  # interrupted: say so, and show what the other sites found
                timed_out.append(name)
                alive.remove(name)
    lists, capped, ranked = [], False, form["urut"] != "newest"
    for name in alive:
        try:
            hits, zone = await _in_time(datasette, name, lambda conn: (search.find(
                conn, form["q"], form["dari"], form["sampai"], form["urut"], common if len(databases) > 1 else None,
                places_of(conn, form["tempat"])), archive_zone(conn)))
        except sqlite3.OperationalError:
            timed_out.append(name)
            continue
        common.update(p for p in phrases if phrases[p] in hits.common)
        if hits.rows:
            lists.append([(name, article_id, published, score, zone) for article_id, published, score in hits.rows])
        capped, ranked = capped or hits.capped, ranked and hits.ranked
    found = lists[0] if len(lists) == 1 else [hit for hits in lists for hit in hits]
    if len(lists) > 1:  # one archive's list is in order already
        found.sort(key=lambda hit: hit[3] if ranked else -_moment(hit[2], hit[4]))
    first = (form["hal"] - 1) * search.PAGE_SIZE
    shown = found[first:first + search.PAGE_SIZE]
    details = {}
    for name in dict.fromkeys(hit[0] for hit in shown):
        ids = [hit[1] for hit in shown if hit[0] == name]
        try:
            rows = await _in_time(datasette, name, lambda conn: search.result_rows(conn, ids, form["q"]))
        except sqlite3.OperationalError:
            timed_out.append(name)
            continue
        details.update({(name, article_id): row for article_id, row in rows.items()})
    bases = {name: datasette.urls.database(name) for name in databases}
    rows = [shown_row(bases[name], name, details[name, article_id]) for name, article_id, *_ in shown
            if (name, article_id) in details]
    words = [phrases[p] for p in phrases if p in common]
    return Results(rows, len(found), capped, ranked and bool(found), words, timed_out)


def places_of(conn, tempat: str) -> list[str] | None:
    """`tempat` (a place's name or code) as the places it means in this archive, children included by
    the search (None: no place asked; [] : none here by that name)."""
    if not tempat:
        return None
    try:
        return placestore.resolve(conn, tempat)
    except sqlite3.OperationalError:  # an archive without the places tables
        return []


def page_link(datasette, form: dict, page: int) -> str:
    fields = {"q": form["q"], "situs": form["situs"], "tempat": form["tempat"], "dari": form["dari"],
              "sampai": form["sampai"], "urut": form["urut"], "hal": page}
    return datasette.urls.path("/-/cari") + "?" + urlencode({k: v for k, v in fields.items() if v not in ("", 1)})


async def search_page(datasette, request):
    form = read_form(request.args)
    databases = await searchable_databases(datasette, request.actor)
    chosen = [form["situs"]] if form["situs"] in databases else databases
    started = time.perf_counter()
    results = await run_search(datasette, form, chosen) if form["q"] else Results([], 0, False, False, [], [])
    pages = max(1, -(-results.total // search.PAGE_SIZE))
    context = {
        "form": form, "results": results, "rows": results.rows, "timed_out": results.timed_out,
        "databases": databases, "sorts": SORTS, "metadata": datasette.metadata(),
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1), "pages": pages,
        "first": (form["hal"] - 1) * search.PAGE_SIZE + 1,
        "previous": page_link(datasette, form, form["hal"] - 1) if form["hal"] > 1 else None,
        "next": page_link(datasette, form, form["hal"] + 1) if form["hal"] < pages else None,
        "feeds": [{"database": name, "href": datasette.urls.query(name, "search_feed", format="atom")
                   + "?" + urlencode({"q": form["q"]})} for name in chosen] if form["q"] else [],
    }
    return html_page(await render(datasette, "hajar_search.html", context, request))


TABLE_PAGE = re.compile(r"^/(?P<database>[^/]+)/articles$")


def table_search_redirect(datasette, path: str, query_string: str) -> str | None:
    """Where the articles table's own search box sends its query: /-/cari, stemmed and bounded.

    Datasette's `_search` on the table counts and facets every hit of plain FTS: 16 s and time-outs
    for a common word at a million articles. Other filters of that URL are dropped; the table's
    JSON (`articles.json?_search=`) is left to Datasette, for scripts that want plain FTS.
    """
    match = TABLE_PAGE.match(path)
    if not match or match["database"] not in datasette.databases:
        return None
    args = parse_qs(query_string)
    words = " ".join(v for k, values in args.items() if k.startswith("_search") for v in values).strip()
    if not words:
        return None
    return datasette.urls.path("/-/cari") + "?" + urlencode({"q": words[:MAX_QUERY_CHARS], "situs": match["database"]})


def wrap(datasette, app):
    """`app` with the articles table's search box sent to /-/cari (`table_search_redirect`)."""

    async def search_redirect(scope, receive, send):
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD"):
            location = table_search_redirect(datasette, scope["path"], scope.get("query_string", b"").decode(
                "latin-1"))
            if location:
                await send({"type": "http.response.start", "status": 302,
                            "headers": [(b"location", location.encode()), (b"content-type", b"text/plain")]})
                await send({"type": "http.response.body", "body": b""})
                return
        await app(scope, receive, send)

    return search_redirect


ROUTES = [(r"^/-/cari$", search_page)]
