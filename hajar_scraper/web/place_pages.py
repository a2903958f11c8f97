"""Places in Datasette: a page per place (`/{database}/tempat/{code}`), the picture of where the news is
(`/{database}/tempat`), a place facet and filter on the articles table, and each article's places.

A place's stories are its own and those of every place under it (placestore.under). Charts are SVG
drawn here, like the home page's: the pages run no script.
"""

from __future__ import annotations

import sqlite3
from urllib.parse import urlencode

from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import path_with_added_args, path_with_removed_args, sqlite_timelimit
from datasette.utils.asgi import NotFound, Response

from hajar_scraper import placestore
from hajar_scraper.web.rendering import html_page, render

NEWEST = 10
MONTHS = 24  # the monthly chart's span, ending at the place's newest story
CHART_HEIGHT = 60
MONTH_STEP = 22  # px a month: an 18 px bar and a 4 px gap
ROW_HEIGHT = 22  # px a place in the picture
BAR_WIDTH = 360  # px of the place with the most stories
LABEL_WIDTH = 190
FILTER = "_tempat"
LEVELS = {"provinsi": 1, "kabupaten": 2, "kecamatan": 3, "desa": 4}


def monthly_chart(counts: dict[str, int], last_month: str, months: int = MONTHS) -> dict:
    """Bars for the `months` months ending at `last_month` (YYYY-MM), empty months included."""
    year, month = int(last_month[:4]), int(last_month[5:7])
    series = []
    for back in range(months - 1, -1, -1):
        y, m = divmod(year * 12 + month - 1 - back, 12)
        series.append(f"{y:04d}-{m + 1:02d}")
    peak = max([counts.get(m, 0) for m in series] + [1])
    bars = []
    for i, key in enumerate(series):
        count = counts.get(key, 0)
        height = max(round(count / peak * CHART_HEIGHT), 2) if count else 0
        bars.append({"month": key, "count": count, "x": i * MONTH_STEP, "height": height, "y": CHART_HEIGHT - height})
    return {"bars": bars, "peak": peak, "total": sum(b["count"] for b in bars), "first": series[0],
            "last": series[-1], "width": months * MONTH_STEP, "height": CHART_HEIGHT}


def picture(places: list[dict]) -> dict:
    """Horizontal bars, one a place, as long as its story count; a place with none keeps its row and an
    empty outline, so the places the news never reaches show."""
    peak = max([p["count"] for p in places] + [1])
    rows = [{**p, "y": i * ROW_HEIGHT, "width": round(p["count"] / peak * BAR_WIDTH) if p["count"] else 0}
            for i, p in enumerate(places)]
    return {"rows": rows, "height": len(rows) * ROW_HEIGHT, "width": LABEL_WIDTH + BAR_WIDTH + 50,
            "label_width": LABEL_WIDTH, "bar_width": BAR_WIDTH, "empty": sum(1 for p in places if not p["count"])}


def _check_database(datasette, database: str) -> None:
    if database not in datasette.databases or database.startswith("_"):
        raise NotFound("Basis data tidak ditemukan")


def place_context(conn, code: str) -> dict | None:
    """Everything a place page shows, read in one trip to the database thread."""
    found = placestore.place(conn, code)
    if found is None:
        return None
    kids = placestore.children(conn, code) if found["level"] < 4 else []
    counts = placestore.monthly(conn, code)
    return {"place": found, "chain": placestore.chain(conn, code), "count": placestore.story_count(conn, code),
            "newest": placestore.newest(conn, code, NEWEST), "children": kids, "monthly": counts,
            "aliases": placestore.aliases(conn, code), "source": placestore.source_row(conn)}


async def _read(datasette, database: str, fn):
    """fn(conn) in one trip to the database thread, under the query time limit like any page's SQL
    (a province of a million-article archive counts many rows)."""
    limit = datasette.setting("sql_time_limit_ms")

    def limited(conn):
        with sqlite_timelimit(conn, limit):
            return fn(conn)

    try:
        return await datasette.get_database(database).execute_fn(limited)
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            raise NotFound("Arsip ini belum punya data tempat") from None
        if "interrupted" in str(error):  # Datasette's page for a query that ran out of time
            raise QueryInterrupted(error, "place page", []) from None
        raise


def _crumbs(datasette, database: str) -> list[tuple[str, str]]:
    return [(datasette.urls.instance(), "home"), (datasette.urls.database(database), database),
            (f"{datasette.urls.database(database)}/tempat", "tempat")]


async def place_page(datasette, request):
    database, code = request.url_vars["database"], request.url_vars["code"]
    _check_database(datasette, database)
    context = await _read(datasette, database, lambda conn: place_context(conn, code))
    if context is None:
        raise NotFound("Tempat tidak ditemukan")
    base = datasette.urls.database(database)
    newest_month = max(context["monthly"]) if context["monthly"] else None
    context.update(
        database=database, base=base, metadata=datasette.metadata(), crumb_links=_crumbs(datasette, database),
        chart=monthly_chart(context["monthly"], newest_month) if newest_month else None,
        picture=picture(context["children"]) if context["children"] else None,
        child_label=placestore.CHILD_LABELS.get(context["place"]["level"]),
        feed=datasette.urls.query(database, "place_feed", format="atom") + "?" + urlencode({"code": code}),
        table=datasette.urls.table(database, "articles") + "?" + urlencode({FILTER: code}),
        search=datasette.urls.path("/-/cari"))
    return html_page(await render(datasette, "hajar_place.html", context, request))


def index_context(conn, name: str) -> dict:
    home = placestore.home(conn)
    return {"home": placestore.place(conn, home) if home else None,
            "home_count": placestore.story_count(conn, home) if home else 0,
            "home_children": placestore.children(conn, home) if home else [],
            "provinces": placestore.top(conn, 1, 10), "regencies": placestore.top(conn, 2, 20),
            "districts": placestore.top(conn, 3, 20), "tagged": placestore.story_count(conn, None),
            "matches": [placestore.place(conn, c) for c in placestore.resolve(conn, name)] if name else [],
            "source": placestore.source_row(conn)}


async def index_page(datasette, request):
    database = request.url_vars["database"]
    _check_database(datasette, database)
    name = request.args.get("nama", "").strip()[:100]
    context = await _read(datasette, database, lambda conn: index_context(conn, name))
    base = datasette.urls.database(database)
    if name and len(context["matches"]) == 1:
        return Response.redirect(f"{base}/tempat/{context['matches'][0]['code']}")
    context.update(database=database, base=base, metadata=datasette.metadata(), name=name,
                   crumb_links=_crumbs(datasette, database)[:2],
                   picture=picture(context["home_children"]) if context["home_children"] else None)
    return html_page(await render(datasette, "hajar_places.html", context, request))


ROUTES = [(r"^/(?P<database>[^/]+)/tempat$", index_page),
          (r"^/(?P<database>[^/]+)/tempat/(?P<code>\d\d(?:\.\d\d(?:\.\d\d(?:\.\d{4})?)?)?)$", place_page)]


# --- the articles table ---------------------------------------------------------------------------

class PlaceFacet(Facet):
    """Stories per place of one level (`tempat: kecamatan` in metadata.yml, or `?_facet_tempat=kabupaten`):
    a story about a desa counts for its kecamatan and kabupaten. Choosing one filters with `_tempat`."""

    type = "tempat"

    async def facet_results(self):
        results, timed_out = [], []
        if self.table != "articles":
            return results, timed_out
        selected = self.request.args.getlist(FILTER)
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            level_name = config.get("level") or config.get("simple") or "kabupaten"
            level = LEVELS.get(level_name, 2)
            width = (2, 5, 8, 13)[level - 1]
            sql = (f"WITH inner AS ({self.sql}) SELECT t.code AS value, p.name AS name, p.type AS type, t.n AS count"
                   f" FROM (SELECT substr(place_code, 1, {width}) AS code, count(DISTINCT article_id) AS n"
                   f" FROM article_places WHERE length(place_code) >= {width}"
                   f" AND article_id IN (SELECT id FROM inner) GROUP BY 1) t JOIN places p ON p.code = t.code"
                   f" ORDER BY t.n DESC, p.name LIMIT {self.get_facet_size() + 1}")
            try:
                rows = await self.ds.execute(self.database, sql, self.params, truncate=False,
                                             custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except (QueryInterrupted, sqlite3.OperationalError):
                timed_out.append(f"tempat ({level_name})")
                continue
            values = []
            for row in rows.rows[:self.get_facet_size()]:
                chosen = row["value"] in selected
                path = (path_with_removed_args(self.request, {FILTER: row["value"]}) if chosen
                        else path_with_added_args(self.request, {FILTER: row["value"]}))
                values.append({"value": row["value"], "label": placestore.label(row["name"], row["type"]),
                               "count": row["count"], "selected": chosen,
                               "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(path))})
            results.append({"name": f"tempat ({level_name})", "type": self.type, "results": values,
                            "hideable": source_and_config["source"] != "metadata",
                            "toggle_url": self.ds.urls.path(path_with_removed_args(
                                self.request, {"_facet_tempat": config.get("simple") or level_name})),
                            "truncated": len(rows.rows) > self.get_facet_size()})
        return results, timed_out


def filters_from_request(request, database, table, datasette):
    """`?_tempat=15.06.05`: the articles about the place or a place under it."""
    if table != "articles":
        return None
    codes = [c for c in request.args.getlist(FILTER) if placestore.is_code(c)]
    if not codes:
        return None
    clause, params = placestore.place_filter("id", codes)

    async def inner():
        try:
            found = await datasette.get_database(database).execute_fn(
                lambda conn: [placestore.place(conn, code) for code in codes])
        except sqlite3.OperationalError:
            found = []
        names = [p["label"] if p else code for p, code in zip(found, codes)] or codes
        return FilterArguments([clause], params=params, human_descriptions=[f"tentang {' atau '.join(names)}"])

    return inner


# --- the reading page -----------------------------------------------------------------------------

def article_vars(database, request, datasette):
    """The article's places, for the reading page (hajar_article.html)."""
    if request is None or "id" not in request.url_vars:
        return None
    article_id = int(request.url_vars["id"])

    async def inner():
        try:
            found = await datasette.get_database(database).execute_fn(
                lambda conn: placestore.article_places(conn, article_id))
        except sqlite3.OperationalError:
            found = []
        base = datasette.urls.database(database)
        return {"article_places": [{**p, "href": f"{base}/tempat/{p['code']}"} for p in found]}

    return inner
