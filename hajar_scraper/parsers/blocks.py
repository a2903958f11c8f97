"""What a block of a page is, for finding and cleaning its story: its text, its share of links, its class words
(a story container's or furniture's), and the paragraphs under it.

Class and id words are Readability's, with the Indonesian ones real pages use (`isi`, `berita`, `terkait`,
`populer`, `baca-juga`).
"""

from __future__ import annotations

import re
from functools import lru_cache

_UNLIKELY = re.compile(
    r"-ad-|ai2html|banner|breadcrumb|combx|comment|communit|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu"
    r"|related|terkait|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate"
    r"|pagination|pager|popup|yom-remote|newsletter|recommend|populer|popular|trending|baca-?juga|read-?more|teaser",
    re.I)
_MAYBE = re.compile(r"and|article|body|column|content|main|shadow|story|entry|detail|isi|berita", re.I)
_POSITIVE = re.compile(r"article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|detail|isi|berita"
                       r"|read__|artikel", re.I)
_NEGATIVE = re.compile(r"-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|foot|footnote|gdpr"
                       r"|masthead|media|meta|outbrain|promo|related|terkait|scroll|share|shoutbox|sidebar|skyscraper"
                       r"|sponsor|shopping|tags|tool|widget|populer|popular|newsletter|byline|author|teaser", re.I)
# Page furniture by its tag: never the story, whatever its classes say.
SKIP = frozenset({"script", "style", "noscript", "nav", "footer", "aside", "form", "figure", "figcaption",
                  "button", "select", "textarea", "template", "svg", "iframe", "dialog", "head", "title"})
_BLOCKS = frozenset({"address", "article", "aside", "blockquote", "dl", "div", "fieldset", "figure", "footer", "form",
                     "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section",
                     "table", "ul", "li", "td", "tr", "tbody"})
_TEXT_HOLDERS = frozenset({"div", "section", "article", "td", "center"})  # a paragraph when no block is inside
# Phrasing elements: text inside them belongs to the run of text around them.
INLINE = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "kbd", "mark", "q",
                    "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var", "wbr", "label", "strike",
                    "tt", "big", "img"})
MIN_PARAGRAPH = 25


def paragraphs(root, strict: bool):
    """(node the paragraph scores for, its text) of every paragraph outside page furniture.

    One walk from the top that never enters furniture (by tag always; hidden or by "unlikely" class words on
    the first attempt only: React's streamed pages hold the story in a `hidden` block until a script shows it).
    """
    if root.tag == "html":
        root = root.find("body") if root.find("body") is not None else root
    stack = [root]
    while stack:
        element = stack.pop()
        tag = element.tag
        if element is not root and (tag in SKIP or strict and (hidden(element) or unlikely(element))):
            continue
        if tag in ("p", "pre") or tag in _TEXT_HOLDERS and next(element.iterdescendants(*_BLOCKS), None) is None:
            text = text_of(element)
            if len(text) >= MIN_PARAGRAPH:
                yield (element if tag == "td" or element is root else element.getparent()), text
            continue  # what a paragraph holds is counted with it
        if tag == "li" and next(element.iterdescendants(*_BLOCKS), None) is None:
            text = text_of(element)  # a story's bullet point is prose; a menu's item is a short link
            if len(text) >= MIN_PARAGRAPH and link_density(element) < 0.5:
                yield element.getparent(), text
            continue
        if tag in _TEXT_HOLDERS or tag in ("span", "font"):
            for run in loose_runs(element):
                if len(run) >= MIN_PARAGRAPH:
                    yield element, run
        # Inline children are in their container's runs already: only the others are walked into.
        stack.extend(child for child in reversed(element) if isinstance(child.tag, str) and (
            child.tag not in INLINE or tag not in _TEXT_HOLDERS and tag not in ("span", "font")))


def loose_runs(element) -> list[str]:
    """Text written straight into a container between `<br>`s and blocks (old CMSs, table layouts)."""
    runs, current = [], [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):
            current.append(child.tail or "")
        elif child.tag not in INLINE:  # a `<br>`, a block, an element of a web component: the run ends
            runs.append(" ".join("".join(current).split()))
            current = [child.tail or ""]
        else:
            current.append(child.text_content() + (child.tail or ""))
    runs.append(" ".join("".join(current).split()))
    return [run for run in runs if run]


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def hidden(node) -> bool:
    style = node.get("style")
    return node.get("hidden") is not None or bool(style and _HIDDEN_STYLE.search(style))


def class_names(node) -> str:
    return f"{node.get('class') or ''} {node.get('id') or ''}".strip()


def unlikely(node) -> bool:
    """Furniture by a class or id word (`comment`, `sidebar`, `related`) that no story word (`content`) redeems.

    Word by word, not on the whole attribute: `comment column` is a comment in a grid column.
    """
    if node.tag in ("body", "a", "article", "main", "html"):
        return False
    if node.get("role") in ("menu", "menubar", "complementary", "navigation", "alert", "alertdialog", "dialog"):
        return True
    return _unlikely_words(class_names(node))


@lru_cache(maxsize=4096)
def _unlikely_words(names: str) -> bool:
    """Cached: a page repeats its few class strings on thousands of elements."""
    return bool(_UNLIKELY.search(names)) and any(
        _UNLIKELY.search(word) and not _MAYBE.search(word) for word in names.split())


def class_factor(node) -> float:
    """Class and id words of story containers multiply a node's score, those of furniture cut it."""
    return _names_factor(class_names(node)) * (2 if node.get("itemprop") == "articleBody" else 1)


@lru_cache(maxsize=4096)
def _names_factor(names: str) -> float:
    factor = 1.0
    if names and _POSITIVE.search(names):
        factor *= 1.5
    if names and _NEGATIVE.search(names):
        factor *= 0.3
    return factor


def class_weight(node) -> int:
    """Readability's class weight: +25 for words of story containers, -25 for those of furniture."""
    weight = 0
    for value in (node.get("class"), node.get("id")):
        if value:
            if _NEGATIVE.search(value):
                weight -= 25
            if _POSITIVE.search(value):
                weight += 25
    if node.get("itemprop") == "articleBody":
        weight += 50
    return weight


def text_of(node) -> str:
    return " ".join(node.text_content().split())


def link_density(node) -> float:
    """Share of the node's text inside links (a link to a place on the same page counts a third)."""
    text = len(text_of(node))
    if not text:
        return 1.0
    linked = 0.0
    for a in node.iter("a"):
        share = 0.3 if (a.get("href") or "").startswith("#") else 1.0
        linked += len(text_of(a)) * share
    return min(1.0, linked / text)


