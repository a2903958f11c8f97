"""Find the story on a page no profile knows (or whose theme changed), on the lxml tree.

Readability's method, on lxml and without touching the page: every paragraph (a `<p>`, a `<div>`
holding only text, a run of text between `<br>`s) gives a score to its parent, half to the
grandparent and less up to five levels; class and id words of comments, sidebars and related
lists count against a node, those of article bodies for it; each node loses the share of its
text that sits in links. The best node and those of its siblings that score near it (stories
split into several blocks around ads) are the story. A page where that finds too little text is
searched again without the "unlikely" filter, as Readability does.
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
MIN_PARAGRAPH = 25
GATHERED = 0.6  # share of prose in what a parent adds for the story to grow into it
MIN_STORY_CHARS = 200
TEASER_CHARS = 400
RETRY_BELOW = 500  # Readability's charThreshold: less story than this, and the page is searched again


def find_main_content(tree) -> list:
    """The story's blocks in page order (one node, or a node and its sibling parts); empty when nothing reads as one."""
    best: list = []
    for strict in (True, False):
        nodes = _attempt(tree, strict)
        length = sum(len(_text(node)) for node in nodes)
        if length >= RETRY_BELOW:
            return nodes
        if length > sum(len(_text(node)) for node in best):
            best = nodes
    return best if sum(len(_text(node)) for node in best) >= MIN_STORY_CHARS else []


def _attempt(tree, strict: bool) -> list:
    scores: dict = {}
    prose: dict = {}  # node: [characters, paragraphs]
    for parent, text in _paragraphs(tree, strict):
        score = 1 + text.count(",") + text.count("،") + text.count("、") + len(text) / 100
        for level, node in enumerate((parent, *parent.iterancestors())):
            if node.tag in ("body", "html"):
                break
            held = prose.setdefault(node, [0, 0])
            held[0] += len(text)
            held[1] += 1
            if level < 5:
                scores[node] = scores.get(node, 0.0) + score / (1 if level == 0 else 2 if level == 1 else level * 3)
    if not scores:
        return []
    ranked = _Ranked(scores)
    leaders = ranked.leaders(5)
    top = _climb(leaders[0], leaders[1:], ranked)
    top = _gather(top, prose)
    return _with_siblings(top, ranked)


class _Ranked(dict):
    """Scores times class factor times the share of text outside links, computed when first asked:
    the link density walks a node's subtree, and only the leaders and their kin are ever asked for."""

    def __init__(self, scores: dict):
        super().__init__()
        self.scores = scores

    def __contains__(self, node) -> bool:
        return node in self.scores

    def __missing__(self, node) -> float:
        value = self[node] = self.scores[node] * _factor(node) * (1 - link_density(node))
        return value

    def get(self, node, default=None):
        return self[node] if node in self.scores else default

    def leaders(self, count: int) -> list:
        """The `count` best nodes; a node whose score times factor cannot place is never measured."""
        bounds = sorted(((score * _factor(node), node) for node, score in self.scores.items()),
                        key=lambda pair: pair[0], reverse=True)
        best: list = []
        for bound, node in bounds:
            if len(best) >= count and bound <= best[-1][0]:
                break
            best.append((self[node], node))
            best.sort(key=lambda pair: pair[0], reverse=True)
            del best[count:]
        return [node for _, node in best]


def _gather(top, prose: dict):
    """A story split into blocks (around ads, subheads, embeds, a numbered list of items): the highest ancestor
    whose additions are mostly more of the story's prose, in paragraphs as long as its own (a teaser list adds
    short excerpts), not menus or link lists. Wrappers that add nothing are passed through; the search stops
    where an ancestor adds more furniture than the story holds."""
    best, best_text = top, len(_text(top))
    for ancestor in top.iterancestors():
        if ancestor.tag in ("body", "html") or ancestor not in prose:
            break
        text = len(_text(ancestor))
        (chars, count), (own_chars, own_count) = prose[ancestor], prose.get(best, (0, 0))
        added_prose, added_text = chars - own_chars, text - best_text
        as_long = own_count and count > own_count and (
            added_prose / (count - own_count) >= 0.5 * own_chars / own_count)
        if added_prose >= 0.25 * own_chars and added_prose >= GATHERED * added_text and as_long:
            best, best_text = ancestor, text
        elif added_text - added_prose > own_chars:
            break
    return best


def _paragraphs(root, strict: bool):
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
        if element is not root and (tag in SKIP or strict and (_hidden(element) or _unlikely(element))):
            continue
        if tag in ("p", "pre") or tag in _TEXT_HOLDERS and next(element.iterdescendants(*_BLOCKS), None) is None:
            text = _text(element)
            if len(text) >= MIN_PARAGRAPH:
                yield (element if tag == "td" else element.getparent()), text
            continue  # what a paragraph holds is counted with it
        if tag == "li" and next(element.iterdescendants(*_BLOCKS), None) is None:
            text = _text(element)  # a story's bullet point is prose; a menu's item is a short link
            if len(text) >= MIN_PARAGRAPH and link_density(element) < 0.5:
                yield element.getparent(), text
            continue
        if tag in _TEXT_HOLDERS or tag in ("span", "font"):
            for run in _loose_runs(element):
                if len(run) >= MIN_PARAGRAPH:
                    yield element, run
        stack.extend(child for child in reversed(element) if isinstance(child.tag, str))


def _loose_runs(element) -> list[str]:
    """Text written straight into a container between `<br>`s and blocks (old CMSs, table layouts)."""
    runs, current = [], [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):
            current.append(child.tail or "")
        elif child.tag == "br" or child.tag in _BLOCKS:
            runs.append(" ".join("".join(current).split()))
            current = [child.tail or ""]
        else:
            current.append(child.text_content() + (child.tail or ""))
    runs.append(" ".join("".join(current).split()))
    return [run for run in runs if run]


def _hidden(node) -> bool:
    style = node.get("style")
    return node.get("hidden") is not None or bool(style and re.search(r"display\s*:\s*none|visibility\s*:\s*hidden",
                                                                       style, re.I))


def _names(node) -> str:
    return f"{node.get('class') or ''} {node.get('id') or ''}".strip()


def _unlikely(node) -> bool:
    """Furniture by a class or id word (`comment`, `sidebar`, `related`) that no story word (`content`) redeems.

    Word by word, not on the whole attribute: `comment column` is a comment in a grid column.
    """
    if node.tag in ("body", "a", "article", "main", "html"):
        return False
    if node.get("role") in ("menu", "menubar", "complementary", "navigation", "alert", "alertdialog", "dialog"):
        return True
    return _unlikely_words(_names(node))


@lru_cache(maxsize=4096)
def _unlikely_words(names: str) -> bool:
    """Cached: a page repeats its few class strings on thousands of elements."""
    return bool(_UNLIKELY.search(names)) and any(
        _UNLIKELY.search(word) and not _MAYBE.search(word) for word in names.split())


def _factor(node) -> float:
    """Class and id words of story containers multiply a node's score, those of furniture cut it."""
    return _names_factor(_names(node)) * (2 if node.get("itemprop") == "articleBody" else 1)


@lru_cache(maxsize=4096)
def _names_factor(names: str) -> float:
    factor = 1.0
    if names and _POSITIVE.search(names):
        factor *= 1.5
    if names and _NEGATIVE.search(names):
        factor *= 0.3
    return factor


def _weight(node) -> int:
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


def _text(node) -> str:
    return " ".join(node.text_content().split())


def link_density(node) -> float:
    """Share of the node's text inside links (a link to a place on the same page counts a third)."""
    text = len(_text(node))
    if not text:
        return 1.0
    linked = 0.0
    for a in node.iter("a"):
        share = 0.3 if (a.get("href") or "").startswith("#") else 1.0
        linked += len(_text(a)) * share
    return min(1.0, linked / text)


def _climb(top, rivals: list, ranked: dict):
    """Readability's two climbs: to the ancestor shared by three near-equal candidates (a story whose
    paragraphs each sit in their own block), then up while a parent scores higher without falling off."""
    lineages = [set(rival.iterancestors()) for rival in rivals if ranked[rival] >= 0.75 * ranked[top]]
    if len(lineages) >= 3:
        for ancestor in top.iterancestors():
            if ancestor.tag in ("body", "html"):
                break
            if sum(ancestor in lineage for lineage in lineages) >= 3:
                top = ancestor
                break
    last = ranked.get(top, 0.0)
    floor = last / 3
    for parent in top.iterancestors():
        if parent.tag in ("body", "html"):
            break
        if parent not in ranked:
            continue
        if ranked[parent] < floor:
            break
        if ranked[parent] > last:
            top = parent
            break
        last = ranked[parent]
    while top.getparent() is not None and top.getparent().tag not in ("body", "html") and len(top.getparent()) == 1:
        top = top.getparent()
    return top


def _with_siblings(top, ranked: dict) -> list:
    """The top node and the siblings that belong to the same story (Readability's threshold)."""
    parent = top.getparent()
    if parent is None:
        return [top]
    top_score = ranked.get(top, 0.0)
    threshold = max(10.0, top_score * 0.2)
    top_class = top.get("class")
    kept = []
    for sibling in parent:
        if not isinstance(sibling.tag, str):
            continue
        if sibling is top:
            kept.append(sibling)
            continue
        if sibling.tag in SKIP or _hidden(sibling):
            continue
        bonus = top_score * 0.2 if top_class and sibling.get("class") == top_class else 0
        if sibling in ranked and ranked[sibling] + bonus >= threshold:
            kept.append(sibling)
        elif sibling.tag == "p":
            text = _text(sibling)
            density = link_density(sibling)
            if (len(text) > 80 and density < 0.25) or (0 < len(text) <= 80 and density == 0 and text.endswith(".")):
                kept.append(sibling)
    return kept


# Pruning the story ---------------------------------------------------------------------------------
_SHARE = re.compile(r"(?:\b|_)(?:share|sharedaddy|social)(?:\b|_)", re.I)
# An ad's label standing alone (`Advertisement 2`, `Iklan`, `reklama`): the words of the languages seen on real pages.
AD_LABEL = re.compile(r"^\W*(?:ad(?:vertising|vertisement)?|iklan|pub(?:licité|licidad)?|pubblicità|werb(?:ung)?|anzeige"
                      r"|reklam[ae]?|annonce|advertentie|anuncio|广告|Реклама)(?:\s*\d+)?\W*$", re.I)
_PRUNED_TAGS = ("nav", "aside", "footer", "form", "button", "select", "textarea", "input", "iframe", "object", "embed",
                "dialog", "noscript")
_CONDITIONAL = ("div", "section", "ul", "ol", "table", "form", "fieldset", "header")
SHORT_BOX = 500  # a share bar or an unlikely box is cut only when it holds less text than this
KEPT_SHARE = 0.2  # pruning never cuts a box holding this share of the story's prose


def prune(root) -> None:
    """Readability's cleaning of the story, on lxml and in place: page furniture inside the story
    (forms, share bars, hidden and "unlikely" boxes, link lists, ad labels) goes, innermost first;
    the story's own paragraphs, lists, tables and figures stay."""
    prose = _prose(root)
    total = prose.get(root, 0)
    if total < MIN_STORY_CHARS:  # a photo story or short lines: what it holds is its text, whatever the form
        prose = {node: len(_text(node)) for node in root.iter() if isinstance(node.tag, str)}
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
        names = _names(node)
        if _hidden(node) or node.get("aria-hidden") == "true":
            cut(node)
        elif names and (_SHARE.search(names) or _unlikely(node)) and len(_text(node)) < SHORT_BOX:
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
        teasers = [item for item in group if len(_text(item)) * (1 - link_density(item)) < TEASER_CHARS]
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
    for parent, text in _paragraphs(root, False):
        for node in (parent, *parent.iterancestors()):
            held[node] = held.get(node, 0) + len(text)
            if node is root:
                break
    return held


def _junk(node) -> bool:
    """Readability's `_cleanConditionally`: a box that reads as furniture, not as part of the story."""
    weight = _weight(node)
    if weight < 0:
        return True
    text = _text(node)
    if text.count(",") >= 10:
        return False
    if AD_LABEL.match(text):
        return True
    if node.tag == "table" and _data_table(node) or any(a.tag in ("table", "code", "pre") for a in node.iterancestors()):
        return False
    paragraphs = sum(1 for _ in node.iter("p"))
    images = sum(1 for _ in node.iter("img"))
    items = sum(1 for _ in node.iter("li")) - 100
    inputs = sum(1 for _ in node.iter("input"))
    is_list = node.tag in ("ul", "ol") or _list_share(node, text) > 0.9
    in_figure = any(a.tag == "figure" for a in node.iterancestors())
    density = link_density(node)
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
    unlinked = len(_text(node)) * (1 - link_density(node))
    return count if count and unlinked / count < TEASER_CHARS else 0


def _list_share(node, text: str) -> float:
    listed = sum(len(_text(lst)) for lst in node.iter("ul", "ol") if lst is not node)
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
