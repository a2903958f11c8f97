"""An article's times: every source the page offers, the most trustworthy kept, disagreements noted.

Sources in trust order: JSON-LD, meta tags and microdata, the theme's date element, the date
printed near the headline; then, only when the page gives none, the date the discovery listing
gave for the URL and the date in the URL. A source whose date cannot be a publication date
(before 1990, after the fetch day) is no source.

Provenance keys: `provenance[field]` names the source kept; `provenance[field + "_conflict"]` lists
every source more than a day away from it as `source:ISO`, joined by `; `
(e.g. `"meta:2021-05-20T09:00:00+07:00"`). Within a day is agreement: visible dates are often
date-only or carry a wrong zone word, which is not a different publication. A day with no time is
kept as `YYYY-MM-DD` and `provenance[field + "_precision"]` says `day`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo

from hajar_scraper import dates
from hajar_scraper.parsers import nearby

TOLERANCE = timedelta(days=1)
CONFLICT_SUFFIX = "_conflict"
PRECISION_SUFFIX = "_precision"
DEFAULT_ZONE = "Asia/Jakarta"  # naive times on a page no profile knows, when nothing on it says otherwise
# Meta names and microdata properties that carry the publication or modification time (htmldate's lists, trimmed).
PUBLISHED_META = ("article:published_time", "article:published", "og:published_time", "og:article:published_time",
                  "datepublished", "date_published", "article:publicationdate", "pubdate", "publishdate",
                  "publish-date", "publish_date", "published_time", "sailthru.date", "parsely-pub-date",
                  "dc.date.issued", "dcterms.issued", "dcterms.created", "dc.date.created", "dc.date", "dcterms.date",
                  "citation_publication_date", "originalpublicationdate", "article.published", "date")
MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified", "dcterms.modified",
                 "article:modified")
# A time written as ISO but broken (`2015-11-05 T10:08:58Z`, detik's local time marked Z): its Z is not trusted.
_SLOPPY_ISO = re.compile(r"^(\d{4}-\d\d-\d\d)\s*T?\s*(\d\d)[:-](\d\d)[:-](\d\d)Z$")
MAX_LINE = 120  # a date line is short; longer text is a sentence of the story
# A line that dates a revision, not the publication: `Diperbarui 8 Maret 2023`, `Last updated …`, `Aktualisiert …`.
_UPDATED = re.compile(r"\b(?:diperbarui|diperbaharui|direvisi|pembaruan|update[ds]?|updated|aktualisiert|modifi[ée]|"
                      r"actualizado|edited)\b", re.I)
_DATED_OPENING = re.compile(r"^.{6,40}?(?=\s+(?:--|—|–)\s)")


def machine_time(value, tz) -> str | None:
    """An ISO or RFC 822 value from markup, in the zone `tz`; None when unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dates.to_site_time(_trusted(value.strip()), tz)
    except dates.DateError:
        return None


def _trusted(value: str) -> str:
    """The value as written, but a broken ISO time's `Z` dropped: it is read as local time."""
    sloppy = _SLOPPY_ISO.match(value)
    return f"{sloppy[1]}T{sloppy[2]}:{sloppy[3]}:{sloppy[4]}" if sloppy and not _iso(value) else value


def _iso(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def page_zone(values, language: str | None) -> tzinfo | str:
    """The zone a page no profile knows writes in: the first offset its machine times carry other than UTC
    (UTC is how servers serialise, not where the outlet is); else, for a page in Indonesian or of unknown
    language, WIB; else UTC when that is all its times say."""
    utc_seen = False
    for value in values:
        if isinstance(value, str) and value.strip() and not dates.is_day(value.strip()):
            try:
                moment = dates.read_machine(_trusted(value.strip()))
            except dates.DateError:
                continue
            if moment.utcoffset() is not None and moment.year >= dates.EARLIEST.year:
                if moment.utcoffset():
                    return timezone(moment.utcoffset())
                utc_seen = True
    return timezone.utc if utc_seen and language not in (None, "id") else DEFAULT_ZONE


def visible_time(nodes, tz, now: datetime | None) -> str | None:
    """The theme's date: a `datetime`/`content`/hAtom `title` attribute, else the printed text (relative ones
    from `now`)."""
    for node in nodes:
        value = machine_time(node.get("datetime") or node.get("content") or node.get("title"), tz)
        if value:
            return value
        try:
            return dates.parse_date(node.text_content(), tz, now=now)
        except dates.DateError:
            continue
    return None


def printed_date(tree, anchors, tz, now: datetime | None, within: bool = False) -> str | None:
    """The date a reader sees by the headline or the story's start: the nearest line that is one
    (a `<time>`, the byline's date). `within` reads only the anchors themselves (a `<title>`)."""
    for element in nearby.around(tree, anchors, 0 if within else nearby.WINDOW):
        if element.tag == "time" and element.get("datetime"):
            found = machine_time(element.get("datetime"), tz)
            if found and dates.plausible(found, now):
                return found
        text = " ".join(element.text_content().split())
        if len(text) > MAX_LINE and element.tag == "p":  # `April 17, 2015 -- Imagine …`: a dated first line
            text = (_DATED_OPENING.match(text) or [""])[0]
        if not 6 <= len(text) <= MAX_LINE or _UPDATED.search(text):
            continue
        try:
            found = dates.parse_date(text, tz, now=now)
        except dates.DateError:
            continue
        if dates.plausible(found, now):
            return found
    return None


def choose_time(prov: dict, field: str, candidates, now: datetime | None = None, tz=DEFAULT_ZONE) -> str | None:
    """Keep the most trustworthy of `(source, iso)` candidates given in trust order.

    Two sources that agree (within a day) outvote a third; otherwise the first in trust order wins.
    A day agreeing with a moment of that day gives way to the moment. Sources more than a day away
    from the kept value are recorded under `field + "_conflict"`.
    """
    found = [(source, value) for source, value in candidates if value and dates.plausible(value, now)]
    if not found:
        return None
    parsed = [(source, value, dates.as_datetime(value, tz)) for source, value in found]
    chosen = parsed[0]
    for candidate in parsed:
        agreeing = sum(abs(candidate[2] - other[2]) <= TOLERANCE for other in parsed)
        if agreeing * 2 > len(parsed):
            chosen = candidate
            break
    if dates.is_day(chosen[1]):
        chosen = next((c for c in parsed if not dates.is_day(c[1]) and c[1][:10] == chosen[1]), chosen)
    prov[field] = chosen[0]
    if dates.is_day(chosen[1]):
        prov[field + PRECISION_SUFFIX] = "day"
    conflicts = [f"{source}:{value}" for source, value, when in parsed if abs(when - chosen[2]) > TOLERANCE]
    if conflicts:
        prov[field + CONFLICT_SUFFIX] = "; ".join(conflicts)
    return chosen[1]
