"""Structured data of a page: its JSON-LD article node and its meta tags, read from the lxml tree."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field

from extruct.jsonld import JsonLdExtractor
from lxml.etree import XPath

logger = logging.getLogger(__name__)

ARTICLE_TYPES = {
    "Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
    "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "LiveBlogPosting",
    "SatiricalArticle", "Report", "TechArticle", "ScholarlyArticle", "SocialMediaPosting", "DiscussionForumPosting",
    "ClaimReview",  # a fact-check is the story of its page
}

_JSONLD = JsonLdExtractor()
_STRING = XPath("string()")
# A script's JSON wrapped for old browsers: `<![CDATA[ … ]]>`, `<!-- … -->`, each maybe behind `//`.
_WRAPPER = re.compile(r"^\s*(?://\s*)?(?:<!\[CDATA\[|<!--)|(?://\s*)?(?:\]\]>|-->)\s*$")


@dataclass
class Structured:
    """What a page says about itself in machine-readable form."""

    article: dict | None = None
    page_types: list[str] = field(default_factory=list)
    nodes: dict[str, dict] = field(default_factory=dict)
    meta: dict[str, list[str]] = field(default_factory=dict)
    canonical: str | None = None
    lang: str | None = None
    title_tag: str | None = None

    def meta1(self, *keys: str) -> str | None:
        """The first non-empty content among the given meta names/properties."""
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return value.strip()
        return None

    def resolve(self, value):
        """Follow a JSON-LD `{"@id": ...}` reference to the node it names in `@graph`."""
        if isinstance(value, dict) and isinstance(value.get("@id"), str) and len(value) <= 2:
            return self.nodes.get(value["@id"], value)
        return value


def read_structured(tree) -> Structured:
    """Collect JSON-LD nodes, meta tags, canonical link, language and `<title>`."""
    data = Structured()
    scripts, canonical, title = [], None, None
    for element in tree.iter("script", "meta", "link", "title", "time"):  # one walk of the page, not five
        if element is tree:
            continue
        if element.tag in ("meta", "time"):  # `<time itemprop="datePublished" datetime=…>` is microdata too
            key = element.get("property") or element.get("name") or element.get("itemprop")
            content = element.get("content") if element.tag == "meta" else element.get("datetime") or element.get(
                "content")
            if key and content is not None and (element.tag == "meta" or element.get("itemprop")):
                data.meta.setdefault(key.strip().lower(), []).append(content)
        elif element.tag == "script":
            scripts.append(element)
        elif element.tag == "link":
            if canonical is None and "canonical" in (element.get("rel") or "").lower().split() and element.get("href"):
                canonical = element.get("href").strip()
        elif title is None:
            title = element
    for node in _jsonld_nodes(scripts):
        node_id = node.get("@id")
        if isinstance(node_id, str):
            data.nodes[node_id] = node
        types = node_types(node)
        data.page_types.extend(types)
        if data.article is None and ARTICLE_TYPES.intersection(types):
            data.article = node
    data.canonical = canonical
    data.lang = tree.get("lang") or tree.get("xml:lang")
    if title is not None:
        data.title_tag = title.text_content()
    return data


def node_types(node: dict) -> list[str]:
    """`@type` as a list of names; anything but text (a number, a boolean, an object) names nothing."""
    types = node.get("@type") or []
    if isinstance(types, str):
        return [types]
    return [t for t in types if isinstance(t, str)] if isinstance(types, list) else []


def _jsonld_nodes(scripts):
    """Every JSON-LD object of the page's scripts, `@graph` members and main entities flattened; broken
    scripts skipped."""
    for script in scripts:
        if script.get("type") != "application/ld+json":  # extruct's test: exactly this, no spaces or capitals
            continue
        try:
            items = _script_items(script)
        except Exception as error:  # extruct falls back to a lenient parser that raises anything
            logger.debug("skipping unreadable JSON-LD: %s", error)
            continue
        for item in items:
            if isinstance(item, dict):
                yield from _with_main_entity(item)


def _with_main_entity(item: dict, depth: int = 0):
    """A node, its `@graph` members, and the story a page node names as its `mainEntity` (Merkur, FR)."""
    graph = item.get("@graph")
    if isinstance(graph, list):
        for member in graph:
            if isinstance(member, dict):
                yield from _with_main_entity(member, depth + 1)
        return
    yield item
    entity = item.get("mainEntity")
    if isinstance(entity, dict) and depth < 3 and len(entity) > 2:  # an object, not an `@id` reference
        yield from _with_main_entity(entity, depth + 1)


def _script_items(script) -> list:
    """What `JsonLdExtractor.extract_items` gives for one script, without its per-call XPath compiling.

    Valid JSON is read here; anything else goes to extruct, whose lenient reader skips comment lines.
    """
    try:
        data = json.loads(_WRAPPER.sub("", _STRING(script)), strict=False)
    except ValueError:
        return _JSONLD.extract_items(script)
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    return [item for item in items if item]


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def names(values, data: Structured) -> list[str]:
    """Names of JSON-LD people/terms given as strings, objects or `@id` references."""
    found = []
    for value in as_list(values):
        value = data.resolve(value)
        name = value.get("name") if isinstance(value, dict) else value
        if isinstance(name, str) and name.strip():
            found.append(name.strip())
    return found


def keywords(value) -> list[str]:
    """JSON-LD keywords come as a list or as one comma-separated string."""
    if isinstance(value, str):
        value = value.split(",")
    return [k.strip() for k in as_list(value) if isinstance(k, str) and k.strip()]


def images(value, data: Structured) -> list[dict]:
    """Image URLs (with caption when the node has one) from JSON-LD `image`."""
    found = []
    for item in as_list(value):
        item = data.resolve(item)
        if isinstance(item, str):
            found.append({"url": item, "caption": None})
        elif isinstance(item, dict):
            url = item.get("url") or item.get("contentUrl")
            if isinstance(url, str) and url:
                caption = item.get("caption")
                found.append({"url": url, "caption": caption if isinstance(caption, str) else None})
    return found
