"""CSS selectors on the lxml tree, each compiled once: translating CSS to XPath costs more than matching."""

from __future__ import annotations

from functools import lru_cache

from lxml.cssselect import CSSSelector


@lru_cache(maxsize=512)
def css(selector: str) -> CSSSelector:
    return CSSSelector(selector)


def select(scope, selector: str) -> list:
    """Nodes matching a selector list, the list's first selector first: profiles list selectors by trust."""
    found: list = []
    for part in selector.split(",") if selector else ():
        found.extend(n for n in css(part.strip())(scope) if n not in found)
    return found


def drop(root, selector: str) -> None:
    """Remove every match under `root` (not `root` itself), keeping the text that follows each."""
    for node in css(selector)(root) if selector else ():
        if node is not root and node.getparent() is not None:
            node.drop_tree()
