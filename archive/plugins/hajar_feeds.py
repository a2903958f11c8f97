"""An empty Atom feed instead of a 500 when a feed query matches nothing yet.

datasette-atom 0.9 takes max() of the rows' atom_updated, which fails on no rows; a reader who
subscribes to a tag or a search before its first article should get a valid, empty feed.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from datasette import hookimpl
from datasette.utils.asgi import Response
from feedgen.feed import FeedGenerator

FEED_PATH = re.compile(r"^/(?P<database>[^/]+)/(?P<query>[^/]+)\.atom$")


def empty_feed(url: str, title: str) -> Response:
    feed = FeedGenerator()
    feed.id(url)
    feed.title(title)
    feed.link(href=url, rel="self")
    feed.updated(datetime.now(timezone.utc).replace(microsecond=0))
    return Response(feed.atom_str(pretty=True), content_type="application/xml; charset=utf-8", status=200)


@hookimpl
def handle_exception(datasette, request, exception):
    match = FEED_PATH.match(request.path)
    if not match or not isinstance(exception, ValueError) or "empty" not in str(exception):
        return None
    queries = datasette.metadata("queries", database=match["database"]) or {}
    query = queries.get(match["query"])
    if not isinstance(query, dict):
        return None
    return empty_feed(request.url, query.get("title") or match["query"])
