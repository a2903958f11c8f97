"""The archive locked down for public serving, before Datasette sees a request.

- Read-only: any method but GET/HEAD/OPTIONS gets 405 (Datasette 0.65 answers a POST to a table or a
  read-only canned query with a 500; nothing here writes).
- Bounded: a request that asks one process for too much is refused or capped (`hajar_scraper.limits`),
  and an answer larger than `limits.MAX_RESPONSE_BYTES` is replaced by a 400.
- Row addresses: a row page whose key has more or fewer values than the table's primary key is a 404
  (Datasette answers a 500 for too few, e.g. `/hajarnews/images/1`, and shows the first row for too many).
- No file paths: `/-/databases.json` lists the databases without where they lie on the server's disk.
"""

from __future__ import annotations

import json
import re

from datasette import hookimpl
from datasette.utils import tilde_decode
from datasette.views.special import JsonDataView

from hajar_scraper import limits

READ_METHODS = {"GET", "HEAD", "OPTIONS"}
# Datasette's own row route (datasette/app.py); our plugin routes and static files never name a table.
ROW = re.compile(r"^/(?P<database>[^/.]+)/(?P<table>[^/]+?)/(?P<pks>[^/]+?)(\.(?P<format>\w+))?$")
_TABLES: dict[str, set[str]] = {}  # database -> its tables
_KEY_LENGTHS: dict[tuple[str, str], int] = {}  # (database, table) -> values in a row's key


async def error_page(datasette, scope, send, status: int, message: str) -> None:
    """Datasette's own error answer: JSON for a .json address, else its error page."""
    info = {"ok": False, "error": message, "status": status, "title": None}
    if scope["path"].endswith(".json"):
        body, kind = json.dumps(info).encode(), b"application/json; charset=utf-8"
    else:
        template = datasette.jinja_env.select_template([f"{status}.html", "error.html"])
        page = await template.render_async(dict(info, urls=datasette.urls, app_css_hash=datasette.app_css_hash(),
                                                menu_links=lambda: []))
        body, kind = page.encode(), b"text/html; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def key_length(datasette, database: str, table: str) -> int | None:
    """How many values a row address of the table holds (1 for a rowid table); None: no such table.
    Both are read once per process (`hajar serve` upgrades the archives before it serves them; a table
    made later is left to Datasette), and only real tables are kept, so made-up names grow nothing."""
    if database not in _TABLES:
        _TABLES[database] = set(await datasette.databases[database].table_names())
    if table not in _TABLES[database]:
        return None
    if (database, table) not in _KEY_LENGTHS:
        _KEY_LENGTHS[database, table] = max(1, len(await datasette.databases[database].primary_keys(table)))
    return _KEY_LENGTHS[database, table]


def route_path(scope) -> str:
    """The path as Datasette routes it: undecoded, so that `a%2Fb` stays one segment."""
    raw = scope.get("raw_path")
    return raw.decode("ascii", "replace").partition("?")[0] if raw else scope["path"]


async def wrong_row_key(datasette, path: str) -> bool:
    match = ROW.match(path)
    if not match or match["database"] not in datasette.databases or match["database"].startswith("_"):
        return False
    try:
        table = tilde_decode(match["table"])
    except ValueError:
        return False
    expected = await key_length(datasette, match["database"], table)
    return expected is not None and len(match["pks"].split(",")) != expected


def capped_send(datasette, scope, send):
    """`send` that replaces a whole answer larger than MAX_RESPONSE_BYTES by a 400. Datasette sends a page
    as one body message; a stream (CSV) is bounded by its own `max_csv_mb` and passes as it comes."""
    held = []

    async def checked(message):
        if message["type"] == "http.response.start":
            held.append(message)
            return
        if held:
            start = held.pop()
            body = message.get("body", b"")
            if not message.get("more_body") and len(body) > limits.MAX_RESPONSE_BYTES:
                size = len(body) / 1024 / 1024
                await error_page(datasette, scope, send, 400,
                                 f"The answer would be {size:.0f} MB, more than this archive sends at once "
                                 f"({limits.MAX_RESPONSE_BYTES // 1024 // 1024} MB): ask for fewer rows (_size) "
                                 "or columns (_col).")
                return
            await send(start)
        await send(message)

    return checked


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def locked_down(scope, receive, send):
            if scope["type"] != "http":
                return await app(scope, receive, send)
            if scope["method"] not in READ_METHODS:
                await send({"type": "http.response.start", "status": 405,
                            "headers": [(b"allow", b"GET, HEAD, OPTIONS"), (b"content-type", b"text/plain")]})
                await send({"type": "http.response.body", "body": b"This archive is read-only.\n"})
                return
            query = scope.get("query_string", b"").decode("latin-1")
            refused = limits.refusal(query)
            if refused:
                return await error_page(datasette, scope, send, *refused)
            if await wrong_row_key(datasette, route_path(scope)):
                return await error_page(datasette, scope, send, 404, "Record not found")
            if (bounded := limits.capped(query)) != query:
                scope = {**scope, "query_string": bounded.encode("latin-1")}
            await app(scope, receive, capped_send(datasette, scope, send))

        return locked_down

    return wrap


def public_databases(datasette) -> list[dict]:
    """Datasette's `/-/databases.json` without `path`: the archive's place on the server is nobody's business."""
    return [{key: value for key, value in entry.items() if key != "path"}
            for entry in datasette._connected_databases()]


@hookimpl
def register_routes(datasette):
    return [(r"^/-/databases(\.(?P<format>json))?$",
             JsonDataView.as_view(datasette, "databases.json", lambda: public_databases(datasette)))]
