"""Saved pages beside their expected records (tests/fixtures/<site>/<case>.html + .json), field by field."""

from __future__ import annotations

import pytest

from hajar_scraper.quality import GENERIC_FOLDER, cases
from hajar_scraper.record import FIELDS, Rejected

CASES = cases()
ARTICLE_CASES = [c for c in CASES if "record" in c.expected]
REJECT_CASES = [c for c in CASES if "rejected" in c.expected]
_records: dict[str, dict] = {}


def parse(case) -> dict:
    """Each page parsed once for all its field tests."""
    if case.name not in _records:
        _records[case.name] = case.parse()
    return _records[case.name]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("case", ARTICLE_CASES, ids=lambda c: c.name)
def test_field(case, field):
    assert parse(case)[field] == case.expected["record"][field], field


@pytest.mark.parametrize("case", ARTICLE_CASES, ids=lambda c: c.name)
def test_nothing_extra(case):
    assert sorted(parse(case)) == sorted(case.expected["record"]) == sorted(FIELDS)


@pytest.mark.parametrize("case", REJECT_CASES, ids=lambda c: c.name)
def test_rejected(case):
    with pytest.raises(Rejected) as caught:
        case.parse()
    assert type(caught.value).__name__ == case.expected["rejected"]["type"]
    assert caught.value.reason == case.expected["rejected"]["reason"]
    assert str(caught.value) == case.expected["rejected"]["detail"]


def test_there_are_cases_of_both_kinds():
    assert len(ARTICLE_CASES) >= 3 and len(REJECT_CASES) >= 3


def test_generic_pages_are_parsed_without_a_profile():
    generic = [c for c in ARTICLE_CASES if c.folder == GENERIC_FOLDER]
    assert len(generic) >= 3
    assert {parse(c)["site"] for c in generic} == {"generic"}
