"""The Atom feeds' times, and an empty feed instead of a 500 when a feed query matches nothing yet.

Atom needs a full timestamp for `updated`: `feed_time` gives a day an outlet printed without a time as
that day's first moment in the site's zone (feedgen refuses a time without a zone).
datasette-atom 0.9 takes max() of the rows' atom_updated, which fails on no rows; a reader who
subscribes to a tag or a search before its first article should get a valid, empty feed.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from zoneinfo import ZoneInfoNotFoundError

from datasette.utils.asgi import Response
from feedgen.feed import FeedGenerator

from hajar_scraper import dates
from hajar_scraper.web.archive_metadata import QUERIES

FEED_PATH = re.compile(r"^/(?P<database>[^/]+)/(?P<query>[^/]+)\.atom$")
DEFAULT_ZONE = "Asia/Jakarta"


def feed_time(value: str | None, zone: str | None) -> str | None:
    """An article time for a feed: a moment as it is; a day as its first moment in the site's zone `zone`."""
    if not value or not dates.is_day(value):
        return value
    try:
        return dates.as_datetime(value, zone or DEFAULT_ZONE).isoformat()
    except (ValueError, ZoneInfoNotFoundError):
        return dates.as_datetime(value, DEFAULT_ZONE).isoformat()


def empty_feed(url: str, title: str) -> Response:
    feed = FeedGenerator()
    feed.id(url)
    feed.title(title)
    feed.link(href=url, rel="self")
    feed.updated(datetime.now(timezone.utc).replace(microsecond=0))
    return Response(feed.atom_str(pretty=True), content_type="application/xml; charset=utf-8", status=200)


def add_functions(conn) -> None:
    conn.create_function("feed_time", 2, feed_time, deterministic=True)


def empty_feed_for(request, exception) -> Response | None:
    """The empty feed, when datasette-atom failed on a feed query of archive.yml that matched nothing."""
    match = FEED_PATH.match(request.path)
    if not match or not isinstance(exception, ValueError) or "empty" not in str(exception):
        return None
    query = QUERIES.get(match["query"])
    if not isinstance(query, dict):
        return None
    return empty_feed(request.url, query.get("title") or match["query"])
