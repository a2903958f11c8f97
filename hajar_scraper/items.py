"""What the spider hands the pipeline: an article record, a raw page, a reject or a fetch failure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ArticleItem:
    """A parsed article; `record` follows DESIGN §2."""

    record: dict


@dataclass
class PageItem:
    """One fetched response, kept so the article can be parsed again without the network."""

    url: str
    status: int
    headers: dict
    fetched_at: str
    body: bytes


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
