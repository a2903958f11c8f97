"""Find the story on a page no profile knows (or whose theme changed), on the lxml tree, without touching it.

Readability's method: every paragraph (a `<p>`, a bullet point, a `<div>` holding only text, a run of text
between `<br>`s) gives a score to its parent, half to the grandparent and less up to five levels; class
and id words multiply a node's score for story containers and cut it for furniture; each node keeps only
the share of its text outside links. From the best node the story climbs to the ancestor three near-equal
rivals share (a story whose paragraphs each sit in their own block), then gathers what its ancestors add
when that is more of its prose (a story split around ads, subheads and embeds), and takes the siblings
that score near it. A page where that finds too little text is searched again without the "unlikely"
filter, as Readability does.
"""

from __future__ import annotations

from hajar_scraper.parsers import blocks

GATHERED = 0.6  # share of prose in what a parent adds for the story to grow into it
MIN_STORY_CHARS = 200
RETRY_BELOW = 500  # Readability's charThreshold: less story than this, and the page is searched again


def find_main_content(tree) -> list:
    """The story's blocks in page order (one node, or a node and its sibling parts); empty when nothing reads as one."""
    best: list = []
    for strict in (True, False):
        nodes = _attempt(tree, strict)
        length = sum(len(blocks.text_of(node)) for node in nodes)
        if length >= RETRY_BELOW:
            return nodes
        if length > sum(len(blocks.text_of(node)) for node in best):
            best = nodes
    return best if sum(len(blocks.text_of(node)) for node in best) >= MIN_STORY_CHARS else []


def _attempt(tree, strict: bool) -> list:
    scores: dict = {}
    prose: dict = {}  # node: [characters, paragraphs]
    for parent, text in blocks.paragraphs(tree, strict):
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
        value = self[node] = self.scores[node] * blocks.class_factor(node) * (1 - blocks.link_density(node))
        return value

    def get(self, node, default=None):
        return self[node] if node in self.scores else default

    def leaders(self, count: int) -> list:
        """The `count` best nodes; a node whose score times factor cannot place is never measured."""
        bounds = sorted(((score * blocks.class_factor(node), node) for node, score in self.scores.items()),
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
    best, best_text = top, len(blocks.text_of(top))
    for ancestor in top.iterancestors():
        if ancestor.tag in ("body", "html") or ancestor not in prose:
            break
        text = len(blocks.text_of(ancestor))
        (chars, count), (own_chars, own_count) = prose[ancestor], prose.get(best, (0, 0))
        added_prose, added_text = chars - own_chars, text - best_text
        as_long = own_count and count > own_count and (
            added_prose / (count - own_count) >= 0.5 * own_chars / own_count)
        if added_prose >= 0.25 * own_chars and added_prose >= GATHERED * added_text and as_long:
            best, best_text = ancestor, text
        elif added_text - added_prose > own_chars:
            break
    return best


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
        if sibling.tag in blocks.SKIP or blocks.hidden(sibling):
            continue
        bonus = top_score * 0.2 if top_class and sibling.get("class") == top_class else 0
        if sibling in ranked and ranked[sibling] + bonus >= threshold:
            kept.append(sibling)
        elif sibling.tag == "p":
            text = blocks.text_of(sibling)
            density = blocks.link_density(sibling)
            if (len(text) > 80 and density < 0.25) or (0 < len(text) <= 80 and density == 0 and text.endswith(".")):
                kept.append(sibling)
    return kept
