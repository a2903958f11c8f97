"""Search in Bahasa Indonesia: the SQL functions the `search` canned query needs, and the page /-/cari.

The ranked SQL itself lives once, in metadata.yml (canned query `search` of every site database);
this page runs that query on each site database and merges the results.
"""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from urllib.parse import urlencode

import nh3
from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.utils.asgi import Response
from markupsafe import Markup

from hajar_scraper import search

DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
MAX_QUERY_CHARS = 200
MAX_RESULTS = 50
SORTS = {"": "relevansi", "newest": "terbaru"}
PAGE_HEADERS = {"Content-Security-Policy": "script-src 'none'; object-src 'none'; base-uri 'none'",
                "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"}


def _snippet(text, query, size=32):
    return search.snippet(text, query, int(size))


@hookimpl
def startup():
    """Load Sastrawi's dictionary (~0.1 s) before the first search rather than during it."""
    search.stem_word("pembangunan")


@hookimpl
def prepare_connection(conn):
    conn.create_function("stem_query", 1, search.stem_query, deterministic=True)
    conn.create_function("stem_text", 1, search.stem_text, deterministic=True)
    conn.create_function("search_snippet", -1, _snippet, deterministic=True)


def marked(html: str | None) -> Markup:
    """A snippet is escaped text plus <mark>; cleaning it to exactly that keeps it so."""
    return Markup(nh3.clean(html or "", tags={"mark"}, attributes={}))


@hookimpl
def render_cell(value, column, table):
    if table is None and column == "snippet" and isinstance(value, str):
        return marked(value)
    return None


async def searchable_databases(datasette, actor) -> list[str]:
    """Site databases with the stemmed index and a `search` query this visitor may run."""
    names = []
    for name, db in datasette.databases.items():
        if name.startswith("_") or not await db.table_exists(search.STEM_TABLE):
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
            "dari": since if DATE.match(since) else "", "sampai": until if DATE.match(until) else "",
            "urut": sort if sort in SORTS else ""}


async def run_search(datasette, actor, form: dict, databases: list[str]) -> tuple[list[dict], list[str]]:
    """The merged results of every chosen database, and the databases whose search ran out of time."""
    rows, timed_out = [], []
    params = {"q": form["q"], "since": form["dari"], "until": form["sampai"], "sort": form["urut"]}
    for name in databases:
        query = await datasette.get_canned_query(name, "search", actor)
        try:
            result = await datasette.get_database(name).execute(query["sql"], params)
        except QueryInterrupted:  # sql_time_limit_ms: say so, and show what the other sites found
            timed_out.append(name)
            continue
        for row in result.rows:
            row = dict(row)
            row.update(database=name, snippet=marked(row["snippet"]),
                       title_html=marked(search.snippet(row["title"], form["q"], 0)),
                       authors=json.loads(row["authors"] or "[]"),
                       href=f"{datasette.urls.database(name)}/artikel/{row['id']}")
            rows.append(row)
    def moment(row):  # sites differ in zone (WIB, WITA, WIT): compare instants, not strings
        return datetime.fromisoformat(row["published_at"]).timestamp()

    if form["urut"] == "newest":
        rows.sort(key=moment, reverse=True)
    else:
        rows.sort(key=lambda r: (r["score"], -moment(r)))
    return rows[:MAX_RESULTS], timed_out


async def search_page(datasette, request):
    form = read_form(request.args)
    databases = await searchable_databases(datasette, request.actor)
    chosen = [form["situs"]] if form["situs"] in databases else databases
    started = time.perf_counter()
    rows, timed_out = await run_search(datasette, request.actor, form, chosen) if form["q"] else ([], [])
    context = {
        "form": form, "rows": rows, "timed_out": timed_out, "databases": databases, "sorts": SORTS,
        "metadata": datasette.metadata(),
        "elapsed_ms": round((time.perf_counter() - started) * 1000, 1),
        "feeds": [{"database": name, "href": datasette.urls.query(name, "search_feed", format="atom")
                   + "?" + urlencode({"q": form["q"]})} for name in chosen] if form["q"] else [],
    }
    html = await datasette.render_template("hajar_search.html", context, request=request)
    return Response.html(html, headers=PAGE_HEADERS)


@hookimpl
def register_routes():
    return [(r"^/-/cari$", search_page)]
