"""How much one request to the public archive may ask of Datasette; `lockdown.py` applies it.

One GET of `articles.json` with `_facet=title` given 1,000 times (a 13 KB address) kept a Datasette process
busy for 110 s, took it to 1.6 GB and answered 400 MB: every value of every facet carries toggle links that
hold the whole query string, so the answer grows as facets × values × address length, the square of the
repeats (`_facet_date` 757 MB, 3 GB; the HTML table 538 MB, 2.6 GB). `hajar serve` runs two processes,
so two such requests take the archive down. Nothing a reader or a script needs repeats a parameter or
asks for more than a few facets at once, so such requests are refused (400) before Datasette sees them,
and what multiplies the rest is capped: the address (every toggle link repeats it), the values shown
of a facet, and, last, the answer itself. `_size` is capped by Datasette (`max_returned_rows`), CSV
streams by `max_csv_mb` (settings.json).
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qsl

MAX_QUERY_BYTES = 2048  # the longest address the archive's own pages make is a few hundred bytes
MAX_FACETS = 5  # asked for in one request, besides the facets the table's metadata opens
MAX_FACET_SIZE = 100  # values shown of one facet; `_facet_size=max` (Datasette's own "…" link) gets these
MAX_RESPONSE_BYTES = 32 * 1024 * 1024  # a page of 1,000 whole articles as JSON is ~15 MB
FACET = re.compile(r"_facet(?:_(?!size$)\w+)?")  # _facet, _facet_array, _facet_date, …; not _facet_size
SORTS = ("_sort", "_sort_desc")
_FACET_SIZE = re.compile(r"(?<![^&])_facet_size=([^&]*)")


def _facet_column(value: str) -> str:
    """The column a facet parameter names: its value, or the `column` of a JSON configuration."""
    if not value.startswith("{"):
        return value
    config = json.loads(value)  # ValueError: Datasette would fail with a 500 on it
    if not isinstance(config, dict):
        raise ValueError("a facet configuration is a JSON object")
    return str(config.get("column", config.get("simple", "")))


def refusal(query_string: str) -> tuple[int, str] | None:
    """(status, why) when the request asks too much of one process; None when it may be served."""
    if len(query_string) > MAX_QUERY_BYTES:
        return 414, f"The address asks too much: its query is longer than {MAX_QUERY_BYTES} bytes."
    pairs = parse_qsl(query_string, keep_blank_values=True)
    seen: set[tuple[str, str]] = set()
    facets: set[tuple[str, str]] = set()
    for key, value in pairs:
        if (key, value) in seen:
            return 400, f"{key}={value} is given more than once."
        seen.add((key, value))
        if FACET.fullmatch(key):
            try:
                facet = (key, _facet_column(value))
            except ValueError as error:
                return 400, f"{key} is not a column name or a JSON facet configuration: {error}"
            if facet in facets:
                return 400, f"The facet {key}={facet[1]} is asked for more than once."
            facets.add(facet)
    if len(facets) > MAX_FACETS:
        return 400, f"At most {MAX_FACETS} facets can be asked for at once; this asks for {len(facets)}."
    if sum(key in SORTS for key, _ in pairs) > 1:
        return 400, "One sort at a time: give _sort or _sort_desc, once."
    return None


def capped(query_string: str) -> str:
    """The query with `_facet_size` brought down to MAX_FACET_SIZE (`max` included)."""
    def cap(match: re.Match) -> str:
        value = match[1]
        if value == "max" or (value.isdigit() and int(value) > MAX_FACET_SIZE):
            return f"_facet_size={MAX_FACET_SIZE}"
        return match[0]

    return _FACET_SIZE.sub(cap, query_string) if "_facet_size=" in query_string else query_string
