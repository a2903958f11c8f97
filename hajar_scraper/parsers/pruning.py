"""Readability's cleaning of the story, on lxml: page furniture inside the story's block goes, innermost first
(forms, share bars, hidden and "unlikely" boxes, teaser and link lists, ad labels); the story's own
paragraphs, lists, tables and figures stay, and no box holding a good share of its prose is ever cut.
"""

from __future__ import annotations

import re

from hajar_scraper.parsers import blocks
from hajar_scraper.parsers.main_content import MIN_STORY_CHARS

TEASER_CHARS = 400  # unlinked text a teaser holds at most: a heading's excerpt
_SHARE = re.compile(r"(?:\b|_)(?:share|sharedaddy|social)(?:\b|_)", re.I)
# An ad's label standing alone (`Advertisement 2`, `Iklan`, `reklama`): the words of the languages seen on real pages.
AD_LABEL = re.compile(r"^\W*(?:ad(?:vertising|vertisement)?|iklan|pub(?:licité|licidad)?|pubblicità|werb(?:ung)?"
                      r"|anzeige|reklam[ae]?|annonce|advertentie|anuncio|广告|Реклама)(?:\s*\d+)?\W*$", re.I)
_PRUNED_TAGS = ("nav", "aside", "footer", "form", "button", "select", "textarea", "input", "iframe", "object", "embed",
                "dialog", "noscript")
_CONDITIONAL = ("div", "section", "ul", "ol", "table", "form", "fieldset", "header")
SHORT_BOX = 500  # a share bar or an unlikely box is cut only when it holds less text than this
KEPT_SHARE = 0.2  # pruning never cuts a box holding this share of the story's prose


def prune(root) -> None:
    """Clean the story's block in place (a copy of the page's nodes)."""
    prose = _prose(root)
    total = prose.get(root, 0)
    if total < MIN_STORY_CHARS:  # a photo story or short lines: what it holds is its text, whatever the form
        prose = {node: len(blocks.text_of(node)) for node in root.iter() if isinstance(node.tag, str)}
        total = prose.get(root, 0)

    def cut(node) -> None:
        """Drop `node` unless it holds a good share of the story: pruning never takes the story itself."""
        if node is not root and node.getparent() is not None and prose.get(node, 0) <= total * KEPT_SHARE:
            node.drop_tree()

    for node in list(root.iter(*_PRUNED_TAGS)):
        cut(node)
    for node in list(root.iter()):
        if node is root or not isinstance(node.tag, str) or node.getparent() is None:
            continue
        names = blocks.class_names(node)
        if blocks.hidden(node) or node.get("aria-hidden") == "true":
            cut(node)
        elif names and (_SHARE.search(names) or blocks.unlikely(node)) and len(blocks.text_of(node)) < SHORT_BOX:
            cut(node)
    _drop_teasers(root)
    for node in reversed(list(root.iter(*_CONDITIONAL))):
        if node is not root and node.getparent() is not None and _junk(node):
            cut(node)


def _drop_teasers(root) -> None:
    """Other stories listed in the story's block, however much excerpt text they hold: two or more sibling
    items (an `<li>`, an `<article>`, a `div.list-berita`) each holding one heading that links to another
    page, and no more than an excerpt besides."""
    headings = [h for h in root.iter("h2", "h3", "h4", "h5") if _linked(h)]
    held: dict = {}  # node: linked headings under it
    for heading in headings:
        for node in (heading, *heading.iterancestors()):
            held[node] = held.get(node, 0) + 1
            if node is root:
                break
    groups: dict = {}
    for heading in headings:
        item = heading
        while item.getparent() is not None and item.getparent() is not root and held.get(item.getparent()) == 1:
            item = item.getparent()
        if item.getparent() is not None:
            groups.setdefault(item.getparent(), []).append(item)
    for group in groups.values():
        teasers = [item for item in group
                   if len(blocks.text_of(item)) * (1 - blocks.link_density(item)) < TEASER_CHARS]
        if len(teasers) >= 2:
            for item in teasers:
                if item.getparent() is not None:
                    item.drop_tree()


def _linked(heading) -> bool:
    """A heading that links to another page (inside it, or around it)."""
    return any((a.get("href") or "#")[:1] != "#" for a in (*heading.iter("a"), *heading.iterancestors("a")))


def _prose(root) -> dict:
    """Characters of paragraph text under each node of `root`."""
    held: dict = {}
    for parent, text in blocks.paragraphs(root, False):
        for node in (parent, *parent.iterancestors()):
            held[node] = held.get(node, 0) + len(text)
            if node is root:
                break
    return held


def _junk(node) -> bool:
    """Readability's `_cleanConditionally`: a box that reads as furniture, not as part of the story."""
    weight = blocks.class_weight(node)
    if weight < 0:
        return True
    text = blocks.text_of(node)
    if text.count(",") >= 10:
        return False
    if AD_LABEL.match(text):
        return True
    if node.tag == "table" and _data_table(node) or any(a.tag in ("table", "code", "pre")
                                                        for a in node.iterancestors()):
        return False
    paragraphs = sum(1 for _ in node.iter("p"))
    images = sum(1 for _ in node.iter("img"))
    items = sum(1 for _ in node.iter("li")) - 100
    inputs = sum(1 for _ in node.iter("input"))
    is_list = node.tag in ("ul", "ol") or _list_share(node, text) > 0.9
    in_figure = any(a.tag == "figure" for a in node.iterancestors())
    density = blocks.link_density(node)
    if not in_figure and images > 1 and paragraphs / images < 0.5:
        return True
    if not is_list and items > paragraphs:
        return True
    if inputs > paragraphs // 3:
        return True
    if not is_list and not in_figure and len(text) < 25 and (images == 0 or images > 2) and density > 0:
        return True
    if not is_list and weight < 25 and density > 0.2:
        return True
    if weight >= 25 and density > 0.5:
        return True
    if is_list and density > 0.5:
        return True
    return False


def teaser_count(node) -> int:
    """Teasers of other stories in a block: headings that link to another page (or `<article>`s), when the
    block's own unlinked text is only excerpts, under `TEASER_CHARS` a teaser."""
    count = sum(1 for heading in node.iter("h2", "h3", "h4", "h5") if _linked(heading))
    count = max(count, sum(1 for _ in node.iter("article")))
    unlinked = len(blocks.text_of(node)) * (1 - blocks.link_density(node))
    return count if count and unlinked / count < TEASER_CHARS else 0


def _list_share(node, text: str) -> float:
    listed = sum(len(blocks.text_of(lst)) for lst in node.iter("ul", "ol") if lst is not node)
    return listed / len(text) if text else 0.0


def _data_table(table) -> bool:
    """A table of data (a caption, header cells, many rows), not one laying out the page."""
    if table.get("role") == "presentation" or table.get("datatable") == "0":
        return False
    if table.get("summary") or table.find(".//caption") is not None or table.find(".//th") is not None:
        return True
    rows = len(table.findall(".//tr"))
    return rows >= 10 or table.find(".//table") is None and rows * max(
        (len(tr.findall("td")) for tr in table.iter("tr")), default=0) > 10
