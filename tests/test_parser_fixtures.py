"""Saved pages beside their expected records (tests/fixtures/<site>/<case>.html + .json), field by field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hajar_scraper.parsers import parse_article
from hajar_scraper.record import FIELDS, Rejected
from hajar_scraper.sites import profiles

FIXTURES = Path(__file__).parent / "fixtures"
FETCHED_AT = "2026-11-28T00:00:00+00:00"
CASES = sorted(c for c in FIXTURES.glob("*/*.html") if c.parent.name in profiles())


def load(case: Path) -> tuple[str, dict]:
    expected = json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))
    return case.read_text(encoding="utf-8"), expected


def parse(case: Path):
    html, expected = load(case)
    return parse_article(html, expected["fetched_url"], site=case.parent.name, fetched_at=FETCHED_AT), expected


ARTICLE_CASES = [c for c in CASES if "record" in load(c)[1]]
REJECT_CASES = [c for c in CASES if "rejected" in load(c)[1]]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("case", ARTICLE_CASES, ids=lambda c: f"{c.parent.name}/{c.stem}")
def test_field(case, field):
    record, expected = parse(case)
    assert record[field] == expected["record"][field], field


@pytest.mark.parametrize("case", ARTICLE_CASES, ids=lambda c: f"{c.parent.name}/{c.stem}")
def test_nothing_extra(case):
    record, expected = parse(case)
    assert sorted(record) == sorted(expected["record"]) == sorted(FIELDS)


@pytest.mark.parametrize("case", REJECT_CASES, ids=lambda c: f"{c.parent.name}/{c.stem}")
def test_rejected(case):
    html, expected = load(case)
    with pytest.raises(Rejected) as caught:
        parse_article(html, expected["fetched_url"], site=case.parent.name, fetched_at=FETCHED_AT)
    assert type(caught.value).__name__ == expected["rejected"]["type"]
    assert caught.value.reason == expected["rejected"]["reason"]
    assert str(caught.value) == expected["rejected"]["detail"]


def test_there_are_cases_of_both_kinds():
    assert len(ARTICLE_CASES) >= 3 and len(REJECT_CASES) >= 3
