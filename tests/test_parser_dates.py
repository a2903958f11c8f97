"""The date conflict rule (JSON-LD, meta tags, visible date) and relative dates counted from the fetch."""

from __future__ import annotations

import pytest

from hajar_scraper.parsers import parse_article
from hajar_scraper.parsers.timestamps import choose_time
from hajar_scraper.record import NotAnArticle

J, M, S = "2021-05-25T16:42:37+07:00", "2021-05-25T09:00:00+07:00", "2021-05-25T00:00:00+07:00"
FAR = "2021-05-20T10:00:00+07:00"


@pytest.mark.parametrize(("candidates", "kept", "provenance"), [
    ((("jsonld", J), ("meta", M), ("selector", S)), J, {"published_at": "jsonld"}),  # within a day: agree
    ((("jsonld", None), ("meta", M), ("selector", S)), M, {"published_at": "meta"}),
    ((("jsonld", J), ("meta", FAR)), J, {"published_at": "jsonld", "published_at_conflict": f"meta:{FAR}"}),
    ((("jsonld", FAR), ("meta", J), ("selector", S)), J,  # two outvote the third
     {"published_at": "meta", "published_at_conflict": f"jsonld:{FAR}"}),
    ((("jsonld", J), ("meta", FAR), ("selector", S)), J,
     {"published_at": "jsonld", "published_at_conflict": f"meta:{FAR}"}),
    ((("jsonld", J), ("meta", FAR), ("selector", "2021-05-10T00:00:00+07:00")), J,  # no majority: trust order
     {"published_at": "jsonld",
      "published_at_conflict": f"meta:{FAR}; selector:2021-05-10T00:00:00+07:00"}),
    ((("jsonld", None), ("meta", None)), None, {}),
])
def test_conflict_rule(candidates, kept, provenance):
    prov: dict = {}
    assert choose_time(prov, "published_at", candidates) == kept
    assert prov == provenance


PAGE = """<html><head><title>{title}</title></head><body><div class="berita-detail"><h1 class="judul">{title}</h1>
<div class="info-berita">{date}</div><div class="isi-berita"><p>{text}</p></div></div></body></html>"""
TEXT = "SENGETI - Dinas PUPR Muaro Jambi menutup sementara jembatan untuk perbaikan lantai yang keropos selama dua pekan."
URL = "https://jambi-independent.co.id/read/2026/11/28/1/jembatan"


@pytest.mark.parametrize(("printed", "expected"), [
    ("3 jam yang lalu | Dibaca: 87 kali", "2026-11-28T04:00:00+07:00"),
    ("Kemarin, 14:30 WIB", "2026-11-27T14:30:00+07:00"),
    ("baru saja", "2026-11-28T07:00:00+07:00"),
    ("Rabu, 26 Mei 2021 - 10:15:22 WIB | Dibaca: 1.234 kali", "2021-05-26T10:15:22+07:00"),
])
def test_relative_visible_dates_count_from_the_fetch(printed, expected):
    html = PAGE.format(title="Jembatan Ditutup", date=printed, text=TEXT)
    record = parse_article(html, URL, site="jambiindependent", fetched_at="2026-11-28T00:00:00+00:00")
    assert record["published_at"] == expected
    assert record["provenance"]["published_at"] == "selector"


def test_relative_date_without_a_fetch_time_is_no_date():
    """Nothing to count "3 jam yang lalu" from: the URL's day is the date left, and without one, none is."""
    html = PAGE.format(title="Jembatan Ditutup", date="3 jam yang lalu", text=TEXT)
    record = parse_article(html, URL, site="jambiindependent", fetched_at=None)
    assert record["published_at"] == "2026-11-28"
    assert record["provenance"]["published_at"] == "url" and record["provenance"]["published_at_precision"] == "day"
    with pytest.raises(NotAnArticle, match="no date anywhere and no article markup"):
        parse_article(html, "https://jambi-independent.co.id/read/1/jembatan", site="jambiindependent")


@pytest.mark.parametrize(("printed", "listed", "expected", "source"), [
    ("", "2021-05-25T09:42:00+00:00", "2021-05-25T16:42:00+07:00", "listing"),  # the news sitemap's time, in WIB
    ("", "2021-05-25", "2021-05-25", "listing"),                                  # a listing's day stays a day
    ("Selasa, 25 Mei 2021", "2021-05-25T09:42:00+00:00", "2021-05-25", "selector"),  # the page's own date wins
])
def test_the_listing_dates_a_page_that_prints_no_date(printed, listed, expected, source):
    html = PAGE.format(title="Jembatan Ditutup", date=printed, text=TEXT)
    record = parse_article(html, "https://jambi-independent.co.id/read/1/jembatan", site="jambiindependent",
                           fetched_at="2026-11-28T00:00:00+00:00", listed_at=listed)
    assert (record["published_at"], record["provenance"]["published_at"]) == (expected, source)


@pytest.mark.parametrize("printed", [
    "0001-01-01T00:00:00",        # a CMS's empty date (read in Asia/Jakarta it once gave +07:07:12, LMT)
    "2027-01-05T10:00:00+07:00",  # after the page was fetched
    "1989-12-31",                 # before any outlet archived here
])
def test_an_implausible_date_is_no_source(printed):
    html = PAGE.format(title="Jembatan Ditutup", date=f'<time datetime="{printed}">x</time>', text=TEXT)
    with pytest.raises(NotAnArticle, match="no date anywhere"):
        parse_article(html, "https://jambi-independent.co.id/read/1/jembatan", site="jambiindependent",
                      fetched_at="2026-11-28T00:00:00+00:00")


def test_fixture_pages_name_their_conflicts():
    """Parsed, not read from the expected records beside the pages (which were dumped from the parser)."""
    from hajar_scraper.quality import cases

    conflicts = {c.name: c.parse()["provenance"].get("published_at_conflict")
                 for c in cases() if "record" in c.expected}
    assert conflicts["jambione/date-conflict-majority-direvisi"] == "jsonld:2023-03-08T09:00:00+07:00"
    assert conflicts["sumeks/visible-modified-date-conflict-diperbarui"] == "selector:2022-08-17T13:00:00+07:00"
    assert len([c for c in conflicts.values() if c]) == 2
