"""The one URL canonicaliser: what makes two addresses of the same story equal."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

TRACKING_PARAMS = (
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid",
    "mc_cid", "mc_eid", "_ga", "ref_src", "amp",
)
_AMP_PATH = re.compile(r"/amp/?$")
# A day in a permalink: `/2021/05/25/`, `/2021-05-25/`, or a story id opening `20170309-` or `/20210525`.
_ORIGIN = re.compile(r"^[a-zA-Z][\w+.-]*://[^/?#]*")
_URL_DATE = re.compile(r"(?<![\d])((?:19|20)\d\d)(?:/(\d\d)/(\d\d)(?=/)|-(\d\d)-(\d\d)(?![\d])|(\d\d)(\d\d)(?=[-_/]|\d{4,}))")


def canonical_url(url: str, base: str | None = None) -> str:
    """Host lower-cased, tracking parameters, fragment and AMP suffix removed, scheme kept."""
    if base:
        url = urljoin(base, url)
    if "?" in url or "#" in url:  # without either, the cleaners give the address back unchanged
        url = url_query_cleaner(url, TRACKING_PARAMS, remove=True, keep_fragments=False)
        url = url_query_cleaner(url, [p for p in _query_keys(url) if p.startswith("utm_")], remove=True)
    scheme, netloc, path, query, _ = urlsplit(url)
    if _AMP_PATH.search(path):
        path = _AMP_PATH.sub("/", path)
    return canonicalize_url(urlunsplit((scheme, netloc.lower(), path, query, "")))


def absolute_url(url: str, base: str | None = None) -> str | None:
    """`canonical_url` of a web address, or None for one that cannot be fetched from the web: malformed
    (`http://[`, a port past 65535) or of another scheme (`javascript:`, `data:`, `ftp:`)."""
    try:
        found = canonical_url(url, base=base)
    except ValueError:
        return None
    return found if urlsplit(found).scheme in ("http", "https") else None


def _query_keys(url: str) -> list[str]:
    query = urlsplit(url).query
    return [pair.split("=", 1)[0] for pair in query.split("&") if pair]


def host_of(url: str) -> str:
    """The lower-case host name without port, as profiles list them."""
    return (urlsplit(url).hostname or "").lower()


def same_site(url: str, other: str) -> bool:
    """True when both URLs are on one host and port, ignoring a leading www: a canonical link on another port
    of the host is another site's claim."""
    strip = lambda h: h[4:] if h.startswith("www.") else h  # noqa: E731
    return strip(host_of(url)) == strip(host_of(other)) and _port(url) == _port(other)


def _port(url: str) -> int | None:
    """The explicit port, None for the scheme's own: http and https of one site are one site."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return None
    return None if port == {"http": 80, "https": 443}.get(parts.scheme) else port


def url_date(url: str) -> str | None:
    """`2021-05-25` from a dated permalink (`/2021/05/25/slug/`, `/read/2015/11/04/2104/…`, `?a=20170309-…`)."""
    for match in _URL_DATE.finditer(_ORIGIN.sub("", url)):  # not urlsplit: a malformed link still has a path
        year, month, day = match[1], *[g for g in match.groups()[1:] if g]
        if 1 <= int(month) <= 12 and 1 <= int(day) <= 31:
            return f"{year}-{month}-{day}"
    return None
