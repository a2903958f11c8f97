"""Headlines without the site name that `<title>` and og:title append (`Judul - Jambiupdate.co`)."""

from __future__ import annotations

import re

from hajar_scraper.parsers import structured as sd
from hajar_scraper.record import normalise_text
from hajar_scraper.urls import host_of

_SEPARATOR = re.compile(r"\s+[-|–—:»•]\s+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_SECOND_LEVEL = {"co", "or", "ac", "go", "web", "my", "sch", "net", "com", "org"}


def site_names(data: sd.Structured, outlet_names, url: str) -> set[str]:
    """Every name the site goes by: the profile's, og:site_name, JSON-LD WebSite/Organization names."""
    names = {n for n in (*outlet_names, data.meta1("og:site_name"), data.meta1("application-name")) if n}
    for node in data.nodes.values():
        if {"WebSite", "Organization", "NewsMediaOrganization"} & set(sd.node_types(node)):
            if isinstance(node.get("name"), str):
                names.add(node["name"])
    return {key for key in map(_key, names) if key} | ({_domain_key(url)} - {""})


def clean_title(title, names: set[str]) -> str | None:
    """Drop trailing (or leading) parts that are the site's name; keep the headline's own dashes."""
    if not isinstance(title, str) or not title.strip():
        return None
    title = normalise_text(title)
    while True:
        parts = _SEPARATOR.split(title)
        if len(parts) < 2:
            return title
        if _is_site(parts[-1], names):
            title = title[: title.rfind(parts[-1])].rstrip(" -|–—:»•")
        elif _is_site(parts[0], names):
            title = title[len(parts[0]):].lstrip(" -|–—:»•")
        else:
            return title


def _is_site(part: str, names: set[str]) -> bool:
    key = _key(part)
    return bool(key) and any(key == n or (len(n) >= 5 and key.startswith(n)) for n in names)


def _key(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower())


def _domain_key(url: str) -> str:
    """`jambi.antaranews.com` → `antaranews`; `jambiekspres.co.id` → `jambiekspres`."""
    labels = [label for label in host_of(url).split(".") if label and label != "www"]
    while len(labels) > 1 and (labels[-1] in _SECOND_LEVEL or len(labels[-1]) <= 2):
        labels.pop()
    return _key(labels[-1]) if labels else ""
