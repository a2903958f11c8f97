"""Reading discovery documents (sitemaps, Google News sitemaps, feeds, WP REST pages, listings) into links.

Pure functions of a response body: the spider decides what to fetch, these only say what is listed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

import lxml.etree
import lxml.html

from hajar_scraper import dates

_XML = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, recover=True)
# Sitemaps of things that are not stories: taxonomies, authors, static pages.
SKIP_SITEMAPS = re.compile(r"taxonom|users?-|author|-page-|page-sitemap|category|(^|[-_/])tags?[-_.]", re.I)


@dataclass(frozen=True)
class Link:
    """A URL a discovery document lists, with what it says of the page's age (UTC-aware)."""

    url: str
    modified: datetime | None = None
    published: datetime | None = None
    title: str | None = None
    listed_at: str | None = None  # `published` as ISO in UTC, a bare day kept a day: what the parser is given


def listed(value: str | None) -> str | None:
    """A machine date as ISO in UTC (a bare day stays a day: its precision is the parser's to weigh), or None
    when absent or unreadable. A time without an offset is read as UTC, as WordPress writes `*_gmt`."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dates.to_site_time(value.strip(), "UTC")
    except dates.DateError:
        return None


def utc(value: str | None) -> datetime | None:
    """A machine date as an aware UTC datetime, or None when absent or unreadable."""
    stamp = listed(value)
    return dates.as_datetime(stamp, "UTC") if stamp else None


def publication(value: str | None) -> dict:
    """A Link's `published` and `listed_at`, from the publication time a listing gives."""
    stamp = listed(value)
    return {"published": dates.as_datetime(stamp, "UTC") if stamp else None, "listed_at": stamp}


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(node, name: str) -> str | None:
    for child in node.iter():
        if _local(child.tag) == name and child.text and child.text.strip():
            return child.text.strip()
    return None


def read_sitemap(body: bytes) -> tuple[str, list[Link]]:
    """(`sitemapindex` | `urlset`, links); Google News `news:publication_date`/`news:title` kept."""
    try:
        root = lxml.etree.fromstring(body, parser=_XML)
    except lxml.etree.XMLSyntaxError as error:
        raise ValueError(f"unreadable sitemap: {error}") from None
    if root is None or _local(root.tag) not in ("sitemapindex", "urlset"):
        raise ValueError(f"root element {_local(getattr(root, 'tag', None))!r} is not a sitemap")
    links = []
    for entry in root:
        if _local(entry.tag) not in ("sitemap", "url"):
            continue
        loc = next((c.text.strip() for c in entry if _local(c.tag) == "loc" and c.text), None)
        if not loc:
            continue
        lastmod = next((c.text for c in entry if _local(c.tag) == "lastmod"), None)
        links.append(Link(loc, modified=utc(lastmod), title=_child_text(entry, "title"),
                          **publication(_child_text(entry, "publication_date"))))
    return _local(root.tag), links


def read_feed(body: bytes) -> list[Link]:
    """Items of an RSS 2.0 or Atom feed; `pubDate`/`published` is a publish time, `updated` a change."""
    try:
        root = lxml.etree.fromstring(body, parser=_XML)
    except lxml.etree.XMLSyntaxError as error:
        raise ValueError(f"unreadable feed: {error}") from None
    if root is None:
        raise ValueError("empty feed")
    links = []
    for item in root.iter():
        kind = _local(item.tag)
        if kind == "item":
            url = _child_text(item, "link")
            published = publication(_child_text(item, "pubDate"))
            modified = published["published"]
        elif kind == "entry":
            href = next((c.get("href") for c in item if _local(c.tag) == "link"
                         and c.get("rel", "alternate") == "alternate"), None)
            url, published = href, publication(_child_text(item, "published"))
            modified = utc(_child_text(item, "updated")) or published["published"]
        else:
            continue
        if url:
            links.append(Link(url.strip(), modified=modified, title=_child_text(item, "title"), **published))
    return links


def read_wp_posts(body: bytes) -> list[Link]:
    """Posts of a `/wp-json/wp/v2/posts` page: `link`, `date_gmt`, `modified_gmt` (UTC without suffix)."""
    try:
        posts = json.loads(body)
    except ValueError as error:
        raise ValueError(f"unreadable REST answer: {error}") from None
    if not isinstance(posts, list):
        raise ValueError("REST answer is not a list of posts")
    links = []
    for post in posts:
        if isinstance(post, dict) and isinstance(post.get("link"), str):
            links.append(Link(post["link"], modified=utc(post.get("modified_gmt")),
                              **publication(post.get("date_gmt"))))
    return links


def read_listing(body: bytes, page_url: str) -> tuple[list[Link], str | None]:
    """Story links of a category/home listing page, with their dates, and the next page's URL."""
    tree = lxml.html.document_fromstring(body or b"<html></html>")
    tree.make_links_absolute(page_url, resolve_base_href=True)
    links, seen = [], set()
    for item in tree.xpath("//article"):
        anchor = next(iter(item.xpath(".//*[contains(@class,'entry-title') or self::h2 or self::h3]//a[@href]")),
                      None)
        if anchor is None or anchor.get("href") in seen:
            continue
        seen.add(anchor.get("href"))
        stamp = next(iter(item.xpath(".//time/@datetime")), None)
        links.append(Link(anchor.get("href"), title=anchor.text_content().strip() or None, **publication(stamp)))
    nxt = tree.xpath("//a[contains(concat(' ', @class, ' '), ' next ')]/@href | //link[@rel='next']/@href")
    return links, (nxt[0] if nxt else None)
