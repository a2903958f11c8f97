"""The article record of docs/record.md: its fields, its checks and its typed rejections."""

from __future__ import annotations

import hashlib
import re
import unicodedata

REQUIRED = ("url", "site", "title", "published_at", "body_text")

FIELDS = (
    "url", "site", "title", "published_at", "modified_at", "body_text", "body_html",
    "description", "authors", "editor", "dateline", "signature", "categories", "tags",
    "images", "language", "word_count", "content_hash", "provenance", "fetched_at",
    "parser_version", "corrections",
)

# A moment with its offset, or a day when the page printed no time (never an invented midnight).
_ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\d(?:T\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z))?$")


class Rejected(ValueError):
    """A page that yields no record; `reason` is a short code filed in `rejects`."""

    reason = "rejected"

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class NotAnArticle(Rejected):
    """The page is a listing, a static page, a 404 page or otherwise not a story."""

    reason = "not_article"


class NotFoundPage(NotAnArticle):
    """The site's "page not found" page, even when served with status 200 (a soft 404)."""

    reason = "not_found"


class MissingField(Rejected):
    """The page looks like an article but a required field could not be found."""

    reason = "missing_field"

    def __init__(self, field: str, detail: str = ""):
        super().__init__(f"required field {field!r} is missing" + (f": {detail}" if detail else ""))
        self.field = field


class BadPage(Rejected):
    """The input cannot be read as a page at all: empty, binary or too large."""

    reason = "bad_page"


def normalise_text(text: str) -> str:
    """NFC, non-breaking spaces folded, runs of blanks collapsed: the form hashes are taken of."""
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    return re.sub(r"[ \t\r\f\v]+", " ", text).strip()


def content_hash(title: str, body_text: str) -> str:
    """sha256 of title and body: equal for the same story whatever markup carried it."""
    return hashlib.sha256(f"{normalise_text(title)}\n{normalise_text(body_text)}".encode()).hexdigest()


def validate(record: dict) -> dict:
    """Refuse a record that would be written half-empty; return it unchanged when whole."""
    for field in REQUIRED:
        value = record.get(field)
        if not isinstance(value, str) or not value.strip():
            raise MissingField(field)
    for field in ("published_at", "modified_at"):
        value = record.get(field)
        if value is not None and not _ISO_WITH_OFFSET.match(value):
            raise Rejected(f"{field} {value!r} is neither ISO 8601 with an offset nor a day")
    for note in record.get("corrections") or ():
        if not isinstance(note, dict) or set(note) != {"text", "date"}:
            raise Rejected(f"correction {note!r} is not {{text, date}}")
    unknown = set(record) - set(FIELDS)
    if unknown:
        raise Rejected(f"unknown record fields: {', '.join(sorted(unknown))}")
    return record
