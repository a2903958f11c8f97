"""Score an extractor on real pages saved by others, with the measures of the corpus's own README.

A corpus is `<source>/truth.jsonl` beside `<source>/<id>.html.gz`; each truth row holds the page's
`url` and its expected `title`, `published_at`, `authors` and `body` (`null`: no truth, not scored).
The measures: body F1 over multisets of 4-token shingles (precision and recall each a mean over
pages, a rejected page predicting nothing), title exact after casefolding, the publication time to
the minute (the day when the truth has no time), and author sets.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from hajar_scraper.encoding import decode_page

_TOKEN = re.compile(r"\w+")
SHINGLE = 4
_DATE_ONLY = re.compile(r"^\d{4}-\d\d-\d\d$")


@dataclass(frozen=True)
class Page:
    """One saved page and what its origin project expects of it."""

    source: str
    id: str
    path: Path
    truth: dict

    @property
    def url(self) -> str:
        return self.truth["url"]

    @property
    def fetched_at(self) -> str | None:
        """When the page was saved, where the source says (Fundus' `crawl_date`), for relative dates."""
        crawl = self.truth.get("crawl_date")
        if not crawl:
            return None
        when = datetime.fromisoformat(crawl)
        return (when if when.tzinfo else when.astimezone()).replace(microsecond=0).isoformat()

    def html(self) -> str:
        return decode_page(gzip.decompress(self.path.read_bytes()))


def load(root: Path) -> list[Page]:
    """Every page of every source under `root`, by source then id."""
    pages = []
    for truth_file in sorted(root.glob("*/truth.jsonl")):
        for line in truth_file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                path = truth_file.parent / f"{row['id']}.html.gz"
                pages.append(Page(truth_file.parent.name, row["id"], path, row))
    return pages


@dataclass(frozen=True)
class Prediction:
    """What an extractor gave for one page: its fields, or the reason it gave nothing."""

    title: str | None = None
    published_at: str | None = None
    authors: list[str] | None = None
    body: str | None = None
    rejected: str | None = None


def shingles(text: str | None) -> Counter:
    tokens = _TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < SHINGLE:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i:i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1))


def body_overlap(predicted: str | None, expected: str) -> tuple[float | None, float]:
    """(precision or None when nothing was predicted, recall) of one page's body."""
    got, want = shingles(predicted), shingles(expected)
    shared = sum((got & want).values())
    precision = shared / sum(got.values()) if got else None
    return precision, shared / sum(want.values()) if want else 0.0


def _fold(text: str | None) -> str:
    return " ".join((text or "").split()).casefold()


def title_right(predicted: str | None, expected: str) -> bool:
    return bool(predicted) and _fold(predicted) == _fold(expected)


def authors_right(predicted: list[str] | None, expected: list[str]) -> bool:
    return {_fold(a) for a in predicted or []} == {_fold(a) for a in expected}


def date_right(predicted: str | None, expected: str) -> bool:
    """Same minute and instant when the truth has an offset, same wall clock when it has none, else same day."""
    if not predicted:
        return False
    try:
        got = _read(predicted)
        want = _read(expected)
    except ValueError:
        return False
    if isinstance(want, date) and not isinstance(want, datetime):
        return (got.date() if isinstance(got, datetime) else got) == want
    if not isinstance(got, datetime):
        return False  # a day where the truth has a time is not the time
    if want.tzinfo is not None:
        return got.tzinfo is not None and _minute(got.astimezone(timezone.utc)) == _minute(want.astimezone(timezone.utc))
    return _minute(got.replace(tzinfo=None)) == _minute(want)


def _minute(when: datetime) -> datetime:
    return when.replace(second=0, microsecond=0)


def _read(value: str) -> date | datetime:
    value = value.strip()
    return date.fromisoformat(value) if _DATE_ONLY.match(value) else datetime.fromisoformat(value)


@dataclass
class Tally:
    """Sums of one source (or all) for one extractor."""

    pages: int = 0
    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)
    titles: list[bool] = field(default_factory=list)
    dates: list[bool] = field(default_factory=list)
    authors: list[bool] = field(default_factory=list)
    rejected: Counter = field(default_factory=Counter)
    rejected_with_body: int = 0
    seconds: float = 0.0

    def add(self, page: Page, got: Prediction) -> None:
        self.pages += 1
        truth = page.truth
        if got.rejected:
            self.rejected[got.rejected] += 1
        if truth.get("body") is not None:
            precision, recall = body_overlap(got.body, truth["body"])
            if precision is not None:
                self.precisions.append(precision)
            self.recalls.append(recall)
            self.rejected_with_body += bool(got.rejected)
        if truth.get("title") is not None:
            self.titles.append(title_right(got.title, truth["title"]))
        if truth.get("published_at") is not None:
            self.dates.append(date_right(got.published_at, truth["published_at"]))
        if truth.get("authors") is not None:
            self.authors.append(authors_right(got.authors, truth["authors"]))

    @property
    def body_f1(self) -> float | None:
        if not self.recalls:
            return None
        precision = _mean(self.precisions) or 0.0
        recall = _mean(self.recalls)
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def rate(self, name: str) -> float | None:
        return _mean(getattr(self, name))


def _mean(values: list) -> float | None:
    return sum(values) / len(values) if values else None
