"""The home page's data: per site, its newest articles, a 90-day chart and the health of its last crawl."""

from __future__ import annotations

import json
from datetime import date, timedelta

LATEST = 8
CHART_DAYS = 90
CHART_HEIGHT = 60  # px of the tallest bar
BAR_STEP = 7  # px per day: a 5 px bar and a 2 px gap


def daily_chart(counts: dict[str, int], last_day: str, days: int = CHART_DAYS) -> dict:
    """Bars for the `days` days ending at `last_day` (the newest article's), so old archives show too."""
    end = date.fromisoformat(last_day)
    series = [(end - timedelta(days=days - 1 - i)).isoformat() for i in range(days)]
    peak = max([counts.get(d, 0) for d in series] + [1])
    bars = []
    for i, day in enumerate(series):
        count = counts.get(day, 0)
        height = round(count / peak * CHART_HEIGHT) if count else 0
        bars.append({"day": day, "count": count, "x": i * BAR_STEP, "height": max(height, 2 if count else 0),
                     "y": CHART_HEIGHT - max(height, 2 if count else 0)})
    return {"bars": bars, "peak": peak, "total": sum(b["count"] for b in bars), "first": series[0],
            "last": series[-1], "width": days * BAR_STEP, "height": CHART_HEIGHT}


def crawl_health(run: dict | None) -> dict | None:
    """The last crawl run with its fill rates read, weakest field first (the alarm for a changed layout)."""
    if not run:
        return None
    try:
        rates = json.loads(run.get("fill_rates") or "{}")
    except ValueError:
        rates = {}
    run = dict(run)
    run["fill_rates"] = sorted(((field, float(rate)) for field, rate in rates.items()), key=lambda fr: (fr[1], fr[0]))
    run["ok"] = run.get("status") == "finished" and not run.get("failed") and not run.get("alarm")
    return run


async def site_summary(db, site: str) -> dict:
    """One site's block on the home page, from indexed queries on (site, published_at)."""
    name = (await db.execute("SELECT name, timezone FROM sites WHERE slug = ?", [site])).rows
    count = (await db.execute("SELECT count(*) FROM articles WHERE site = ?", [site])).rows[0][0]
    latest = [dict(r) for r in (await db.execute(
        "SELECT id, title, published_at, authors, dateline FROM articles WHERE site = ? "
        "ORDER BY published_at DESC LIMIT ?", [site, LATEST])).rows]
    for row in latest:
        row["authors"] = json.loads(row["authors"] or "[]")
    chart = None
    if latest:
        last_day = latest[0]["published_at"][:10]
        first_day = (date.fromisoformat(last_day) - timedelta(days=CHART_DAYS - 1)).isoformat()
        per_day = await db.execute(
            "SELECT substr(published_at, 1, 10) AS day, count(*) AS n FROM articles "
            "WHERE site = ? AND published_at >= ? GROUP BY day", [site, first_day])
        chart = daily_chart({r["day"]: r["n"] for r in per_day.rows}, last_day)
    runs = (await db.execute("SELECT * FROM crawl_runs WHERE site = ? ORDER BY id DESC LIMIT 1", [site])).rows
    run_count = (await db.execute("SELECT count(*) FROM crawl_runs WHERE site = ?", [site])).rows[0][0]
    zone = (name[0]["timezone"] if name else None) or (latest[0]["published_at"] if latest else None)
    return {"slug": site, "name": name[0]["name"] if name else site, "count": count, "latest": latest, "zone": zone,
            "chart": chart, "last_run": crawl_health(dict(runs[0]) if runs else None), "run_count": run_count}


async def home_sites(datasette) -> list[dict]:
    """Every site of every archive database, in database order."""
    found = []
    for name, db in datasette.databases.items():
        if name.startswith("_") or not await db.table_exists("articles"):
            continue
        sites = {r[0] for r in (await db.execute("SELECT DISTINCT site FROM articles")).rows}
        if await db.table_exists("crawl_runs"):  # a site whose crawls found nothing yet still shows
            sites |= {r[0] for r in (await db.execute("SELECT DISTINCT site FROM crawl_runs")).rows}
        for site in sorted(s for s in sites if s):
            found.append({"database": name, **await site_summary(db, site)})
    return found


async def home_vars(datasette) -> dict:
    """What index.html shows beyond Datasette's own."""
    return {"sites": await home_sites(datasette)}
