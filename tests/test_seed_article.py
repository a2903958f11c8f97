"""The real Hajarnews article (shared/seed) must come out exactly as published."""

from __future__ import annotations

from pathlib import Path

from hajar_scraper.encoding import decode_page
from hajar_scraper.parsers import parse_article

HERE = Path(__file__).parent / "fixtures" / "hajarnews"
SEED = (HERE / "seed-article.txt").read_text(encoding="utf-8").splitlines()


def seed_record() -> dict:
    html = (HERE / "seed.html").read_text(encoding="utf-8")
    url = "https://hajarnews.com/2021/05/25/wabup-tanjabbar-hadiri-dan-buka-secara-resmi-giat-sosialisasi-kerjasama-dalam-negeri/"
    return parse_article(html, url)


def test_title_and_body_are_the_seed_word_for_word():
    record = seed_record()
    assert record["title"] == SEED[0]
    assert record["body_text"] == "\n\n".join(SEED[1:10])
    assert SEED[10] == "(OD/*)" and record["signature"] == "OD/*"
    assert "Baca Juga" not in record["body_text"] and "(OD/*)" not in record["body_text"]
    assert record["body_text"].count("\n\n") == 8


def test_site_picked_by_host_and_times_in_wib():
    record = seed_record()
    assert record["site"] == "hajarnews"
    assert record["published_at"] == "2021-05-25T16:42:37+07:00"
    assert record["modified_at"] == "2021-05-25T17:15:03+07:00"
    assert record["provenance"]["published_at"] == "jsonld"


def test_the_same_article_in_an_older_plain_theme_is_still_the_seed():
    """An outlet that changes its theme must not vanish: no JSON-LD, no `<h1>`, `h2.post-title`, the story as
    `<br><br>` text in a table layout, windows-1252. The profile's selectors find nothing; the generic
    finder does, and says so."""
    page = HERE / "old-theme-post-title-windows-1252.html"
    html = decode_page(page.read_bytes())
    url = "https://hajarnews.com/2021/05/25/wabup-tanjabbar-hadiri-dan-buka-secara-resmi-giat-sosialisasi-kerjasama-dalam-negeri/"
    record = parse_article(html, url, site="hajarnews")
    assert record["title"] == SEED[0]
    assert record["body_text"] == "\n\n".join(SEED[1:10])
    assert record["signature"] == "OD/*" and record["dateline"] == "Kualatungkal"
    assert record["published_at"] == "2021-05-25T16:42:00+07:00"  # printed to the minute under the headline
    assert record["authors"] == ["Oddy Pratama"]
    assert record["content_hash"] == seed_record()["content_hash"]
    assert record["provenance"]["body_text"] == "generic" and record["provenance"]["published_at"] == "text"
