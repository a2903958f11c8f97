"""What the spider hands the pipeline: an article record, a raw page, a reject or a fetch failure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticleItem:
    """A parsed article; `record` follows docs/record.md; `page_url` is the fetch it was parsed from;
    `prepared` its write as far as the parsing process computed it (`prepared.Prepared`)."""

    record: dict
    page_url: str = ""
    prepared: Any = None


@dataclass
class PageItem:
    """One fetched response, kept so the article can be parsed again without the network; `listed_at` is the
    publication time its listing gave (ISO in the site's zone, or a day), which a reparse needs again."""

    url: str
    status: int
    headers: dict
    fetched_at: str
    body: bytes
    request_headers: dict = field(default_factory=dict)
    listed_at: str | None = None


@dataclass
class RejectItem:
    """A fetched page that gave no record, with the parser's reason."""

    url: str
    reason: str
    detail: str


@dataclass
class FetchErrorItem:
    """A URL that could not be fetched, with the reason."""

    url: str
    reason: str
    detail: str


@dataclass
class GoneItem:
    """An archived article the site no longer serves (404/410, sent to the home page, a not-found page)."""

    url: str
    reason: str
