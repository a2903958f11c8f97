"""A page's text read into an lxml tree, or refused with a reason: empty, binary, too large, truncated, unreadable."""

from __future__ import annotations

import re

import lxml.html
from lxml.etree import ParserError

from hajar_scraper.record import BadPage

MAX_HTML_CHARS = 8_000_000
_HTML_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)



_FULL_DOCUMENT = re.compile(r"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html)[\s>]", re.I | re.S)
# Control characters are no text, and lxml refuses them in any node (a Word paste's \x0b). Deleted from the
# UTF-8 bytes: ASCII bytes are never part of another character there, and bytes.translate is 5× a regex.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_NONCHARACTERS = ("\ufffe".encode(), "\uffff".encode())
# A page has reached its end when its tail closes the document or holds the footer (some themes never
# write `</html>`). Matched without lowering the tail (slow on non-ASCII text): only ASCII capitals vary.
_PAGE_END = re.compile(r"</[hH][tT][mM][lL]>|</[bB][oO][dD][yY]>|<[fF][oO][oO][tT][eE][rR][\s>]"
                       r"|(?:id|class)=[\"'][^\"']*\b[fF][oO][oO][tT][eE][rR]\b")


def read_tree(html: str):
    """The page's lxml tree; `BadPage` saying why there is none."""
    if not isinstance(html, str) or not html or html.isspace():  # strip() would copy a page ending in a newline
        raise BadPage("empty page")
    if len(html) > MAX_HTML_CHARS:
        raise BadPage(f"page too large ({len(html):,} characters, limit {MAX_HTML_CHARS:,})")
    if _binary(html[:4096]):
        raise BadPage("binary content, not HTML")
    if _FULL_DOCUMENT.match(html) and not _PAGE_END.search(html, max(0, len(html) - 8192)):
        raise BadPage("truncated page: the document reaches neither </html>, </body> nor its footer")
    try:
        tree = lxml.html.document_fromstring(_clean_bytes(html), parser=_HTML_PARSER)
    except (ParserError, ValueError) as error:
        raise BadPage(f"unreadable HTML: {error}") from None
    # `body` as a child first: lxml's iterators look one match ahead, so `.//body` walks the whole page
    if tree.find("body") is None and tree.find(".//body") is None and tree.find(".//head") is None:
        raise BadPage("no HTML document structure")
    return tree


_BINARY_MAGIC = ("%PDF", "\x89PNG", "GIF8", "\xff\xd8\xff", "PK\x03\x04", "\x1f\x8b", "RIFF", "\x00\x00\x01\x00")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
BINARY_SHARE = 0.05  # control characters in a page's head beyond this share make it binary, one stray NUL does not


def _binary(head: str) -> bool:
    """A file that is no page: a known binary format by its first bytes, or a head full of control characters."""
    return head.startswith(_BINARY_MAGIC) or len(_CONTROL.findall(head)) > BINARY_SHARE * len(head)


def _clean_bytes(html: str) -> bytes:
    """The page as UTF-8 without control characters or the noncharacters U+FFFE and U+FFFF."""
    data = html.encode("utf-8", "replace").translate(None, _CONTROL_BYTES)
    if "\ufffe" in html or "\uffff" in html:  # 5× faster asked of the text than of the bytes
        for noncharacter in _NONCHARACTERS:
            data = data.replace(noncharacter, b"")
    return data
