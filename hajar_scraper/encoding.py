"""The one way page bytes become text: valid UTF-8 wins, else the declared charset, else Windows-1252."""

from __future__ import annotations

from w3lib.encoding import html_to_unicode

_UTF8 = {"utf-8", "utf8"}


def decode_page(body: bytes, content_type: str | None = None) -> str:
    """Text of a page whose header or `<meta charset>` may lie.

    Bytes that are valid UTF-8 are UTF-8 whatever the label says (Latin-1 text with any accent is
    almost never valid UTF-8); a page that claims UTF-8 but is not is read as Windows-1252, the usual
    culprit, rather than filled with U+FFFD; anything else follows its declaration (w3lib)."""
    try:
        return body.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        pass
    encoding, text = html_to_unicode(content_type, body)
    if encoding.replace("_", "-").lower() in _UTF8:
        return body.decode("cp1252", errors="replace")
    return text
