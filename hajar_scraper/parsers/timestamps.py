"""Choose an article's time among JSON-LD, meta tags and the visible date, and note when they disagree.

Provenance keys: `provenance[field]` names the source kept; `provenance[field + "_conflict"]` lists
every source more than a day away from it as `source:ISO`, joined by `; `
(e.g. `"meta:2021-05-20T09:00:00+07:00"`). Within a day is agreement: visible dates are often
date-only (midnight) or carry a wrong zone word, which is not a different publication.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hajar_scraper import dates

TOLERANCE = timedelta(days=1)
CONFLICT_SUFFIX = "_conflict"


def machine_time(value, tz: str) -> str | None:
    """An ISO or RFC 822 value from markup, in the site zone; None when unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dates.to_site_time(value.strip(), tz)
    except dates.DateError:
        return None


def visible_time(nodes, tz: str, now: datetime | None) -> str | None:
    """The theme's date: a `datetime`/`content`/hAtom `title` attribute, else the printed text (relative ones from `now`)."""
    for node in nodes:
        value = machine_time(node.get("datetime") or node.get("content") or node.get("title"), tz)
        if value:
            return value
        try:
            return dates.parse_date(node.text_content(), tz, now=now)
        except dates.DateError:
            continue
    return None


def date_near_headline(tree, tz: str, now: datetime | None) -> str | None:
    """A page without markup prints its date in a short line just after the `<h1>`; read the first that parses."""
    headline = tree.find(".//h1")
    if headline is None:
        return None
    for seen, node in enumerate(headline.itersiblings()):
        text = " ".join(node.text_content().split())
        if seen >= 4:
            break
        if 6 <= len(text) <= 100:
            try:
                return dates.parse_date(text, tz, now=now)
            except dates.DateError:
                continue
    return None


def choose_time(prov: dict, field: str, candidates) -> str | None:
    """Keep the most trustworthy of `(source, iso)` candidates given in trust order.

    Two sources that agree (within a day) outvote a third; otherwise the first in trust order wins.
    Sources more than a day away from the kept value are recorded under `field + "_conflict"`.
    """
    found = [(source, value) for source, value in candidates if value]
    if not found:
        return None
    parsed = [(source, value, datetime.fromisoformat(value)) for source, value in found]
    chosen = parsed[0]
    for candidate in parsed:
        agreeing = sum(abs(candidate[2] - other[2]) <= TOLERANCE for other in parsed)
        if agreeing * 2 > len(parsed):
            chosen = candidate
            break
    prov[field] = chosen[0]
    conflicts = [f"{source}:{value}" for source, value, when in parsed if abs(when - chosen[2]) > TOLERANCE]
    if conflicts:
        prov[field + CONFLICT_SUFFIX] = "; ".join(conflicts)
    return chosen[1]
