"""The archive locked down for public serving, before Datasette sees a request.

- Read-only: any method but GET/HEAD/OPTIONS gets 405 (Datasette 0.65 answers a POST to a table or a
  read-only canned query with a 500; nothing here writes).
- Bounded: a request that asks one process for too much is refused or capped (`limits.py`),
  and an answer larger than `limits.MAX_RESPONSE_BYTES` is replaced by a 400.
- Row addresses: a row page whose key has more or fewer values than the table's primary key is a 404
  (Datasette answers a 500 for too few, e.g. `/hajarnews/images/1`, and shows the first row for too many).
- No file paths: `/-/databases.json` lists the databases without where they lie on the server's disk.
- No SQL of the visitor's and no download of a database file, whatever the settings say.

The limits Datasette itself keeps (query time, rows, CSV size) are settings, which a plugin cannot set:
SETTINGS (settings.json beside this module) are the values `hajar serve` gives them, and the most each
may be; `laxer_settings` names those a Datasette started otherwise sets higher.
"""

from __future__ import annotations

import json
import re
import sys
from importlib import resources

from datasette.utils import tilde_decode
from datasette.views.special import JsonDataView

from hajar_scraper.web import limits

SETTINGS: dict = json.loads(resources.files(__package__).joinpath("settings.json").read_text(encoding="utf-8"))
BOUNDED = ("sql_time_limit_ms", "facet_time_limit_ms", "max_returned_rows", "max_csv_mb")  # at most SETTINGS'
UNBOUNDED_ZERO = {"max_csv_mb"}  # where 0 means no limit at all
DENIED = {"execute-sql", "view-database-download"}  # default_allow_sql and allow_download off, enforced

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


def wrap(datasette, app):
    """`app` behind the guard: read-only, bounded, and no row address Datasette would answer wrongly."""

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


def public_databases(datasette) -> list[dict]:
    """Datasette's `/-/databases.json` without `path`: the archive's place on the server is nobody's business."""
    return [{key: value for key, value in entry.items() if key != "path"}
            for entry in datasette._connected_databases()]


def routes(datasette) -> list:
    return [(r"^/-/databases(\.(?P<format>json))?$",
             JsonDataView.as_view(datasette, "databases.json", lambda: public_databases(datasette)))]


def permission(action: str) -> bool | None:
    """False for what no visitor may do here (the last word: Datasette asks this plugin after its own rules)."""
    return False if action in DENIED else None


def laxer_settings(datasette) -> dict:
    """{setting: the value the lock-down wants} for each bound this Datasette keeps looser than SETTINGS."""
    lax = {}
    for name in BOUNDED:
        value = datasette.setting(name)
        if value > SETTINGS[name] or (name in UNBOUNDED_ZERO and value == 0):
            lax[name] = SETTINGS[name]
    return lax


def warn_if_lax(datasette) -> None:
    """One line on stderr, at startup, when a Datasette started by hand serves with looser bounds."""
    lax = laxer_settings(datasette)
    if lax:
        flags = " ".join(f"--setting {name} {value}" for name, value in lax.items())
        print(f"hajar-scraper: Datasette's limits are looser than the archive's lock-down; start it with {flags} "
              "(as `hajar serve` does)", file=sys.stderr)
