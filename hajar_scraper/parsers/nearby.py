"""What a page prints around its headline or the start of its story: the date line, the byline, the lead photo.

Only a window around each anchor is read, nearest first (after it, then before it): a page also prints
today's date in its top bar, and other stories' dates and names in its lists, whose teasers are skipped.
"""

from __future__ import annotations

from functools import lru_cache

WINDOW = 80  # elements read after an anchor (a quarter of it before)
_NOT_TEXT = frozenset({"script", "style", "noscript", "option", "select"})


def around(tree, anchors, window: int = WINDOW):
    """Elements near each anchor in turn, nearest first, outside other stories' teasers."""
    anchors = [anchor for anchor in anchors if anchor is not None]
    if not anchors:
        return
    elements, places = _index(tree)
    for anchor in anchors:
        at = places.get(anchor)
        if at is None:
            continue
        after = elements[at:at + 1 + window]
        before = elements[max(0, at - window // 4):at][::-1]
        for element in (*after, *before):
            if element.tag not in _NOT_TEXT and not _in_teaser(element, anchor):
                yield element


@lru_cache(maxsize=1)
def _index(tree) -> tuple[list, dict]:
    """The page's elements in order and each one's place: built once for the date, the byline and the photo."""
    elements = [e for e in tree.iter() if isinstance(e.tag, str)]
    return elements, {element: at for at, element in enumerate(elements)}


def lines(tree, anchors, longest: int, window: int = WINDOW):
    """(element, text) of the short lines near the anchors: text of at most `longest` characters."""
    for element in around(tree, anchors, window):
        text = " ".join(element.text_content().split())
        if text and len(text) <= longest:
            yield element, text


def _in_teaser(element, anchor) -> bool:
    """Inside another story's teaser (a list item or an `<article>` apart from the anchor's, linking away)."""
    for holder in (element, *element.iterancestors("li", "article")):
        if holder.tag not in ("li", "article"):
            continue
        if holder.tag == "article" and (holder is anchor or any(a is holder for a in anchor.iterancestors())):
            return False
        return any((a.get("href") or "#")[:1] != "#" for a in holder.iter("a"))
    return False
