"""Politeness as the site sees it (README "Crawling a real site", docs/crawling.md "Polite"): one crawl of
the sample site by the real Scrapy engine, and the site's own log of every request it got.

The site disallows one listed article in robots.txt and answers three others with scripted failures
(tests/sample_site/traffic.py). Intervals are measured at the server, between the arrivals of a
request and of its retry: lower bounds that the wait guarantees, whatever the machine's speed.
"""

from __future__ import annotations

import sys
from email.utils import parsedate_to_datetime

import pytest
import sqlite_utils

from conftest import SAMPLE_SITE, run_crawl, start_sample_site, stop

sys.path.insert(0, str(SAMPLE_SITE))
from server import load_articles  # noqa: E402
from traffic import read_log  # noqa: E402

ARTICLES = {a.id: a for a in load_articles(SAMPLE_SITE / "articles")}
REFUSED = ARTICLES[23187]  # robots.txt: Disallow
TOO_MANY = ARTICLES[18342]  # 429 with Retry-After: 2, then the page
UNTIL_DATE = ARTICLES[18517]  # 503 with Retry-After: an HTTP date 2 s past the next full second, then the page
NO_HINT = ARTICLES[18791]  # 503 twice without Retry-After, then the page: the back-off's 1 s, then 2 s
DELETED = "/2021/07/30/berita-yang-sudah-dihapus/"  # listed, answers 404 (tests/sample_site/README.md)
# The User-Agent of hajar_scraper/settings.py, which the README promises names the project.
USER_AGENT = "hajar-scraper/0.1 (+https://github.com/hajar-scraper/hajar-scraper; news archive bot)"


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    """(base URL, the site's request log, the archive) of one crawl at the defaults but for the local pace."""
    folder = tmp_path_factory.mktemp("politeness")
    log = folder / "requests.jsonl"
    process, base = start_sample_site(
        None, "--log", str(log), "--disallow", REFUSED.path, "--fail", f"{TOO_MANY.path}=429:2",
        "--fail", f"{UNTIL_DATE.path}=503:date+2", "--fail", f"{NO_HINT.path}=503,503")
    try:
        run_crawl(base, folder / "hajarnews.db")
    finally:
        stop(process)
    return base, read_log(log), sqlite_utils.Database(folder / "hajarnews.db")


def arrivals(log: list[dict], path: str) -> list[dict]:
    return [entry for entry in log if entry["path"] == path]


def test_every_request_carries_the_projects_user_agent(crawl):
    _, log, _ = crawl
    assert len(log) > len(ARTICLES)
    assert {entry["user_agent"] for entry in log} == {USER_AGENT}


def test_one_request_at_a_time(crawl):
    _, log, _ = crawl
    assert max(entry["in_flight"] for entry in log) == 1


def test_robots_txt_is_read_first_and_once(crawl):
    _, log, _ = crawl
    assert log[0]["path"] == "/robots.txt"
    assert len(arrivals(log, "/robots.txt")) == 1


def test_a_page_robots_txt_disallows_is_never_requested(crawl):
    base, log, db = crawl
    assert arrivals(log, REFUSED.path) == []
    assert arrivals(log, "/wp-sitemap-posts-post-2.xml"), "the crawl read the sitemap that lists it"
    archived = {row["url"] for row in db.query("select url from articles")}
    assert archived == {base + a.path for a in ARTICLES.values() if a is not REFUSED}
    # Not lost silently: the page the crawl may not fetch is a fetch error, beside the deleted post.
    errors = {row["url"]: row["reason"] for row in db.query("select url, reason from fetch_errors")}
    assert errors == {base + REFUSED.path: "robots_txt", base + DELETED: "http_404"}


def test_a_429_is_retried_no_sooner_than_its_retry_after_seconds(crawl):
    _, log, _ = crawl
    first, retry = arrivals(log, TOO_MANY.path)
    assert (first["status"], first["retry_after"], retry["status"]) == (429, "2", 200)
    assert retry["at"] - first["at"] >= 2.0  # the back-off alone would have waited 1 s


def test_a_503_is_retried_no_sooner_than_its_retry_after_date(crawl):
    _, log, _ = crawl
    first, retry = arrivals(log, UNTIL_DATE.path)
    assert (first["status"], retry["status"]) == (503, 200)
    named = parsedate_to_datetime(first["retry_after"]).timestamp()
    assert named - first["wall"] >= 2.0
    assert retry["wall"] >= named  # the site's clock: not before the moment it named


def test_without_retry_after_the_waits_double_from_one_second(crawl):
    _, log, _ = crawl
    first, second, third = arrivals(log, NO_HINT.path)
    assert [entry["status"] for entry in (first, second, third)] == [503, 503, 200]
    assert second["at"] - first["at"] >= 1.0
    assert third["at"] - second["at"] >= 2.0
