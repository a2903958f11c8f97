"""The parser against what a reader sees on each fixture page (tests/fixtures/reader_facts.yml).

The expected records beside the fixture pages were dumped from the parser, so they only test that
it is consistent with itself. The reader facts were written by reading each page's HTML in a
browser's terms, never from the parser's output: the headline, the date shown near it, the
reporters and editor named, the first and last story paragraphs and the caption under the lead
image. Each page is parsed exactly as tests/test_parser_fixtures.py parses it (the same `Case`:
`decode_page` of its bytes, its folder's site or None for generic pages, its `fetched_url` and
`FETCHED_AT`), and each fixture x fact is its own test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from hajar_scraper.quality import FETCHED_AT, cases

FACTS_FILE = Path(__file__).resolve().parent / "fixtures" / "reader_facts.yml"
FACTS: dict[str, dict] = yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))
CASES = {c.name: c for c in cases() if "record" in c.expected}
_DAY = re.compile(r"^\d{4}-\d\d-\d\d$")
PARAGRAPH = "\n\n"  # paragraphs of body_text are separated by a blank line
FIELDS = ("title", "published_at", "authors", "editor", "first_paragraph", "last_paragraph", "lead_caption")
_records: dict[str, dict] = {}


def record(name: str) -> dict:
    """Each page parsed once for all its fact tests, as test_parser_fixtures.py does."""
    if name not in _records:
        _records[name] = CASES[name].parse()
    return _records[name]


def _params():
    for name, facts in FACTS.items():
        for field in FIELDS:
            if field == "lead_caption" and facts.get(field) is None:
                continue  # no caption under the lead image: nothing to compare
            yield pytest.param(name, field, id=f"{name}-{field}")


def _mismatch(name: str, field: str, fact, got) -> str:
    return f"{name} {field}: the page shows {fact!r}, the parser gave {got!r}"


@pytest.mark.parametrize(("name", "field"), list(_params()))
def test_reader_fact(name, field):
    assert name in CASES, f"{name}: no article fixture of that name"
    fact = FACTS[name][field]
    rec = record(name)
    if field == "published_at" and _DAY.match(fact):
        # The reader sees a day; a time the page's markup gives for that day is the same publication, kept.
        got = rec[field]
        assert got[:10] == fact and (len(got) == 10 or rec["provenance"]["published_at"] in ("jsonld", "meta",
                                                                                               "selector")), \
            _mismatch(name, field, fact, got)
    elif field in ("title", "published_at", "editor"):
        assert rec[field] == fact, _mismatch(name, field, fact, rec[field])
    elif field == "authors":
        assert set(rec["authors"]) == set(fact), _mismatch(name, field, sorted(fact), sorted(rec["authors"]))
    elif field == "first_paragraph":
        body = rec["body_text"]
        first = body.split(PARAGRAPH)[0]
        assert body.startswith(fact) and first == fact, _mismatch(name, field, fact, first)
    elif field == "last_paragraph":
        body = rec["body_text"]
        last = body.split(PARAGRAPH)[-1]
        assert body.endswith(fact) and last == fact, _mismatch(name, field, fact, last)
    elif field == "lead_caption":
        images = rec["images"]
        got = images[0]["caption"] if images else "(no image)"
        assert got == fact, _mismatch(name, field, fact, got)
    else:  # pragma: no cover - FIELDS is closed
        raise AssertionError(field)


def test_every_article_fixture_has_reader_facts():
    assert sorted(FACTS) == sorted(CASES), "reader_facts.yml and the article fixtures differ"


def test_facts_use_the_fixture_fetch_time():
    assert FETCHED_AT == "2026-11-28T00:00:00+00:00"  # the relative dates in reader_facts.yml count from it
