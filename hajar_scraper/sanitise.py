"""The one HTML sanitiser: docs/record.md's allow-list, applied with nh3 wherever story HTML is written or shown."""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {"p", "a", "strong", "em", "blockquote", "ul", "ol", "li", "h2", "h3", "h4",
                "figure", "img", "figcaption"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _allowed_attribute(tag: str, attribute: str, value: str) -> str | None:
    """The allow-list exactly: nh3 would otherwise keep `title` and `lang` on every element."""
    return value if attribute in ALLOWED_ATTRIBUTES.get(tag, ()) else None


def sanitise(html: str | None, link_rel: str | None = None) -> str:
    """Scripts, event handlers, `javascript:` links and every tag or attribute off the list are gone."""
    return nh3.clean(html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     attribute_filter=_allowed_attribute, link_rel=link_rel)
