"""CSS selectors on the lxml tree, each compiled once: translating CSS to XPath costs more than matching.

Matching costs too: each selector walks the whole scope, and a class test allocates strings on every
element. A `Scope` reads once which class words and attributes its subtree holds, and skips the
selectors that need one it lacks (most of a profile's list: each theme uses its own classes).
"""

from __future__ import annotations

import re
from functools import lru_cache

from cssselect import SelectorError, parse
from cssselect.parser import Attrib, Class, CombinedSelector, Element
from lxml.cssselect import CSSSelector
from lxml.etree import XPath

# Attribute tests that fail on an element without the attribute; `!=` matches one that lacks it.
_NEEDS_ATTRIBUTE = {"exists", "=", "~=", "|=", "^=", "$=", "*="}
_CLASSES = XPath("descendant-or-self::*/@class", smart_strings=False)
_NAME = re.compile(r"[A-Za-z_][\w-]*")


@lru_cache(maxsize=512)
def css(selector: str) -> CSSSelector:
    return CSSSelector(selector)


@lru_cache(maxsize=512)
def _has_attribute(name: str) -> XPath:
    return XPath(f"boolean(descendant-or-self::*/@{name})")


class _Part:
    """One selector of a list, with the class words and attribute names some element of any match must carry."""

    def __init__(self, text: str):
        self.text = text
        self.match = css(text)
        classes: set[str] = set()
        attributes: set[str] = set()
        self.tag: str | None = None  # a bare element name (`script`), matched by lxml's iter without XPath
        try:
            parsed = parse(text)
        except SelectorError:
            parsed = []
        if len(parsed) == 1:  # a comma inside a string or function: nothing is required, run it
            tree = parsed[0].parsed_tree
            self._collect(tree, classes, attributes)
            if (isinstance(tree, Element) and tree.namespace is None and tree.element not in (None, "*")
                    and parsed[0].pseudo_element is None):
                self.tag = tree.element
        self.classes, self.attributes = frozenset(classes), frozenset(attributes)

    def _collect(self, node, classes: set[str], attributes: set[str]) -> None:
        """Walk the selector's own chain; arguments of :not() and friends say nothing required."""
        while node is not None and not isinstance(node, Element):
            if isinstance(node, Class) and not any(c.isspace() for c in node.class_name):
                classes.add(node.class_name)
            elif (isinstance(node, Attrib) and node.namespace is None and node.operator in _NEEDS_ATTRIBUTE
                  and _NAME.fullmatch(node.attrib)):
                attributes.add(node.attrib)
            elif isinstance(node, CombinedSelector):
                if node.combinator in (" ", ">"):  # `+` and `~` reach siblings outside the scope
                    self._collect(node.subselector, classes, attributes)
            node = getattr(node, "selector", None)


class _List:
    """A selector list in trust order, split on commas as profiles write them, with what its parts need."""

    def __init__(self, selector: str):
        self.parts = tuple(_Part(part.strip()) for part in selector.split(",")) if selector else ()
        self.classes = frozenset(c for part in self.parts for c in part.classes)
        self.attributes = frozenset(a for part in self.parts for a in part.attributes)
        self._runnable: dict = {}

    def runnable(self, classes: frozenset[str], attributes: frozenset[str]) -> tuple[_Part, ...]:
        """The parts whose needs `classes` and `attributes` (those the scope holds) meet."""
        key = (classes, attributes)
        if key not in self._runnable:
            if len(self._runnable) >= 256:  # pages of one site give a few combinations; a crawl of many, more
                self._runnable.clear()
            self._runnable[key] = tuple(part for part in self.parts
                                        if part.classes <= classes and part.attributes <= attributes)
        return self._runnable[key]


@lru_cache(maxsize=512)
def _list(selector: str) -> _List:
    return _List(selector)


class Scope:
    """A subtree that many selectors run in; what it holds is read once, when first asked."""

    def __init__(self, root):
        self.root = root
        self._classes: frozenset[str] | None = None
        self._attributes: dict[str, bool] = {}

    def _runnable(self, selectors: _List) -> tuple[_Part, ...]:
        """The selectors that can match here: none needing a class word or attribute the subtree lacks."""
        classes = frozenset()
        if selectors.classes:
            if self._classes is None:
                self._classes = frozenset(word for value in _CLASSES(self.root) for word in value.split())
            classes = selectors.classes & self._classes
        for name in selectors.attributes - self._attributes.keys():
            self._attributes[name] = _has_attribute(name)(self.root)
        attributes = frozenset(name for name in selectors.attributes if self._attributes[name])
        return selectors.runnable(classes, attributes)

    def select(self, selector: str) -> list:
        """Nodes matching a selector list, the list's first selector first: profiles list selectors by trust."""
        found: list = []
        seen: set = set()
        for part in self._runnable(_list(selector)):
            for node in part.match(self.root):
                if node not in seen:
                    seen.add(node)
                    found.append(node)
        return found

    def drop(self, selector: str) -> None:
        """Remove every match (not the root itself), keeping the text that follows each.

        Which node goes first does not matter: each leaves its tail to what stays before it.
        """
        try:
            parts = self._runnable(_list(selector))
            tags = [part.tag for part in parts if part.tag]
            others = [part.text for part in parts if not part.tag]
            matches = [*self.root.iter(*tags)] if tags else []
            matches += css(", ".join(others))(self.root) if others else []
        except SelectorError:  # a comma inside a string or function: the list cannot be split, run it whole
            matches = css(selector)(self.root) if selector else []
        root = self.root
        for node in matches:  # a node matched twice has no parent the second time
            if node is not root and node.getparent() is not None:
                node.drop_tree()


def select(scope, selector: str) -> list:
    """`Scope.select` for one selector on a subtree that gets no other."""
    return Scope(scope).select(selector)


def drop(root, selector: str) -> None:
    """Remove every match under `root` (not `root` itself), keeping the text that follows each."""
    Scope(root).drop(selector)
