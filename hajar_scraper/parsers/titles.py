"""The headline, without the site's name, and the node that prints it.

The page's machine titles come first, in trust order: JSON-LD headline, og:title, twitter:title.
Measured on the 278 real pages with a title (bench/realpages.py), that order is right on 233; the
visible `h1` where it agrees with one of them, 209; a majority vote, 214: outlets write a
headline for machines and readers alike, and vary the visible one. A page with none of them
(an older theme) gives the visible heading that agrees with its `<title>` (`h2.post-title`,
`div.judul`), else the `<title>` itself. Every candidate loses its site-name affix
(`Judul - Jambiupdate.co`, `KapanLagi.com: Judul`, `Judul | Republika Online`) and the
entities a CMS escaped twice.
"""

from __future__ import annotations

import html
import re

from hajar_scraper.parsers import structured as sd
from hajar_scraper.parsers.selectors import Scope
from hajar_scraper.record import normalise_text
from hajar_scraper.urls import host_of

# `Judul - Situs`, `Situs | Judul`, `KapanLagi.com: Judul`, `Judul » Situs`, `Judul :: Situs`
_SEPARATOR = re.compile(r"\s+[-–—|»•·~/:]\s+|\s*\|\s*|(?<=\S):\s+|\s+::\s+")
_SEPARATOR_CHARS = " -–—|»•·~/:"
_AFFIX_SEPARATOR = re.compile(r"\s+[|»•·]\s+|\s*\|\s*")  # what sets a section or site apart; a colon opens a kicker
_NOT_ALNUM = re.compile(r"\W|_")
_SECOND_LEVEL = {"co", "or", "ac", "go", "web", "my", "sch", "net", "com", "org"}
_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.I)
HEADINGS = "h1, h2, [itemprop=headline], .judul, .post-title, .entry-title, .headline, .title"
MIN_CHARS, MAX_CHARS = 5, 400


def site_names(data: sd.Structured, outlet_names, url: str) -> set[str]:
    """Every name the site goes by: the profile's, og:site_name, JSON-LD WebSite/Organization names."""
    names = {n for n in (*outlet_names, data.meta1("og:site_name"), data.meta1("application-name")) if n}
    for node in data.nodes.values():
        if {"WebSite", "Organization", "NewsMediaOrganization"} & set(sd.node_types(node)):
            if isinstance(node.get("name"), str):
                names.add(node["name"])
    return {key for key in map(key_of, names) if key} | ({_domain_key(url)} - {""})


def clean_title(title, names: set[str]) -> str | None:
    """Text of a title: entities a CMS escaped twice read, leading or trailing parts that are the site's name cut."""
    if not isinstance(title, str) or not title.strip():
        return None
    if _ENTITY.search(title):
        title = html.unescape(title)
    title = normalise_text(title)
    while True:
        parts = [part for part in _SEPARATOR.split(title) if part.strip()]
        if len(parts) < 2:
            return title
        if _is_site(parts[-1], names):
            title = title[: title.rfind(parts[-1])].rstrip(_SEPARATOR_CHARS)
        elif _is_site(parts[0], names):
            title = title[title.find(parts[0]) + len(parts[0]):].lstrip(_SEPARATOR_CHARS)
        else:
            return title


def choose_title(prov: dict, page_titles, scope: Scope, tree, names: set[str], selector: str = ""):
    """(headline, the nodes printing it) from `(source, title)` machine titles in trust order, then the headings.

    A page may print its headline more than once (a sticky bar, a hidden copy): every agreeing node is given.
    """
    machine = [(source, cleaned) for source, title in page_titles if (cleaned := clean_title(title, names))]
    headings = []
    for node in (*scope.select(selector), *Scope(tree).select(HEADINGS)) if selector else Scope(tree).select(HEADINGS):
        text = clean_title(node.text_content(), names)
        if text and MIN_CHARS <= len(text) <= MAX_CHARS:
            headings.append((text, node))
    if machine:
        source, title = machine[0]
        printed = [(text, node) for text, node in headings if agree(key_of(text), key_of(title))]
        shorter = next((text for text, _ in printed if _affix_of(title, text)), None)
        prov["title"] = "selector" if shorter else source
        # A machine title written for search engines may differ from the printed headline (MDR, LTO):
        # the page's first h1 still marks where the byline and date are printed.
        anchors = [node for _, node in printed] or [node for _, node in headings if node.tag == "h1"][:1]
        return shorter or title, anchors
    page_title = clean_title(tree.findtext(".//title"), names)
    for text, node in headings:
        if page_title is None or agree(key_of(text), key_of(page_title)):
            prov["title"] = "selector"
            return text, [node]
    if page_title:
        prov["title"] = "text"
        return page_title, []
    return None, []


def _affix_of(title: str, heading: str) -> bool:
    """The machine title is the printed headline plus one separated part (a section or a site name the
    outlet's names do not list, `Judul | Sport`): the headline is the title."""
    parts = [part for part in _AFFIX_SEPARATOR.split(title) if part.strip()]
    return len(parts) > 1 and key_of(heading) in (key_of(title[: title.rfind(parts[-1])]),
                                                  key_of(title[title.find(parts[0]) + len(parts[0]):]))


def agree(key: str, other: str) -> bool:
    """Two titles of one story: equal, or one is the other with words added at one end (a kicker, a site name)."""
    if not key or not other:
        return False
    if key == other:
        return True
    short, long = sorted((key, other), key=len)
    return len(short) >= 0.4 * len(long) and len(short) >= 12 and (long.startswith(short) or long.endswith(short))


def _is_site(part: str, names: set[str]) -> bool:
    key = key_of(part)
    return bool(key) and any(key == n or (len(n) >= 5 and key.startswith(n)) for n in names)


def key_of(text: str) -> str:
    """Letters and digits only, casefolded: what two spellings of one title share."""
    return _NOT_ALNUM.sub("", text.casefold())


def _domain_key(url: str) -> str:
    """`jambi.antaranews.com` → `antaranews`; `jambiekspres.co.id` → `jambiekspres`."""
    labels = [label for label in host_of(url).split(".") if label and label != "www"]
    while len(labels) > 1 and (labels[-1] in _SECOND_LEVEL or len(labels[-1]) <= 2):
        labels.pop()
    return key_of(labels[-1]) if labels else ""
