"""Issue 8: a crawl of a site that fails in every way loses nothing, duplicates nothing, and says why."""

from __future__ import annotations

import asyncio
import json
import urllib.request

import pytest
import sqlite_utils
from scrapy import Request
from scrapy.http import HtmlResponse

from conftest import run_crawl, stop
from fault_site import hits, start_fault_site
from fault_site.faults import catalogue, flaky_plan
from hajar_scraper import parse_pool, parsers
from hajar_scraper.parsers import parse_article
from hajar_scraper.spiders.sites import HajarnewsSpider

# Fast but real: short timeout and back-off, 4 MiB size cap, retries as in production minus one.
FAULT_PACE = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.05", "-s", "DOWNLOAD_TIMEOUT=2",
              "-s", "RETRY_TIMES=2", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "-s", "DOWNLOAD_MAXSIZE=4194304",
              "-s", "DOWNLOAD_WARNSIZE=1048576"]
ATTEMPTS = 3  # RETRY_TIMES + 1
FAULTS = {f.slug: f for f in catalogue()}

ARCHIVED = ["ok-1", "ok-2", *(f"flaky-{n}" for n in range(1, 9)), "slow-once", "reset-once", "latin1-says-utf8",
            "utf8-says-latin1", "feed-only", "control-char"]
TRUNCATED = ("bad_page", "truncated page: the document reaches neither </html>, </body> nor its footer")  # rejected, so fetched again later
REJECTED = {
    "truncated-body": TRUNCATED,
    "truncated-head": TRUNCATED,
    "soft-404": ("not_found", "not-found page: 'Halaman tidak ditemukan - Hajarnews.com'"),
    "empty": ("bad_page", "empty page"),
    "binary-png": ("bad_page", "binary content, not HTML"),
    "binary-pdf": ("bad_page", "binary content, not HTML"),
}
FAILED = {  # slug: (reason, start of the detail, requests the site saw)
    "timeout": ("DownloadTimeoutError", "Getting {url} took longer than 2.0 seconds.", ATTEMPTS),
    "reset": ("ResponseDataLossError", "ResponseDataLossError()", ATTEMPTS),
    "gone": ("http_404", "HTTP 404 after retries", 1),
    "gzip-bomb": ("IgnoreRequest", "Ignored response <200 {url}> because its body (65251 B compressed,", 1),
    "huge-declared": ("DownloadCancelledError", "Expected to receive 52428800 bytes which is larger than download "
                                                "max size (4194304) in request <GET {url}>.", 1),
    "huge-chunked": ("DownloadCancelledError", "DownloadCancelledError(", 1),
    "redirect-loop": ("redirect_loop", "redirected to {url}, which was already requested", 1),
    "offsite-redirect": ("offsite_redirect", "redirected off the site to http://127.0.0.2:", 1),
    "offsite-redirect-localhost": ("offsite_redirect", "redirected off the site to http://localhost:", 1),
}


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    """The fault site crawled once: (base URL, archive, the server's request counts)."""
    process, base = start_fault_site()
    try:
        db_path = tmp_path_factory.mktemp("faults") / "faults.db"
        run_crawl(base, db_path, *FAULT_PACE)
        yield base, sqlite_utils.Database(db_path), hits(base)
    finally:
        stop(process)


def table(db, name: str, base: str) -> dict[str, dict]:
    """Rows of one outcome table by slug; a slug twice would be a duplicate, so it fails here."""
    rows = {}
    for row in db.query(f"select * from {name} order by id"):
        slug = row["url"].removeprefix(base).rstrip("/").rsplit("/", 1)[-1]
        assert slug not in rows, f"{row['url']} twice in {name}"
        rows[slug] = row
    return rows


def test_the_flaky_answers_are_the_seeded_ones():
    assert flaky_plan() == [(500, 2, None), (503, 1, None), (429, 1, None), (500, 1, None), (503, 1, "1"),
                            (503, 2, "0"), (503, 1, "0"), (503, 2, None)]


def test_every_url_ends_in_exactly_one_table_with_its_reason(crawl):
    base, db, _ = crawl
    articles, rejects, errors = (table(db, name, base) for name in ("articles", "rejects", "fetch_errors"))
    assert sorted(articles) == sorted([*ARCHIVED, "moved-here"])  # `moved` is kept under its new address
    assert {slug: (r["reason"], r["detail"]) for slug, r in rejects.items()} == REJECTED
    assert sorted(errors) == sorted(FAILED)
    for slug, (reason, detail, _) in FAILED.items():
        url = f"{base}{FAULTS[slug].path}"
        assert (errors[slug]["url"], errors[slug]["reason"]) == (url, reason), slug
        assert errors[slug]["detail"].startswith(detail.format(url=url)), (slug, errors[slug]["detail"])
    assert sorted(set(FAULTS) - {*articles, *rejects, *errors}) == ["moved"]


def test_a_parser_bug_costs_one_page_and_is_filed_with_its_reason(monkeypatch):
    """Whatever escapes parse_article besides Rejected, the page still ends in `rejects`."""
    def broken(*args, **kwargs):
        raise KeyError("headline")

    monkeypatch.setattr(parsers, "parse_article", broken)
    url = "http://127.0.0.1:9/2021/05/25/kabar/"
    page = HtmlResponse(url, body=b"<html><body><p>kabar</p></body></html>", encoding="utf-8", request=Request(url))
    spider = HajarnewsSpider(base_url="http://127.0.0.1:9")
    spider.parsing = parse_pool.ParsePool(0)  # in this process, where the monkeypatch holds

    async def collect():
        return [item async for item in spider.parse_page(page)]

    items = asyncio.run(collect())
    assert [type(i).__name__ for i in items] == ["PageItem", "RejectItem"]
    assert (items[1].url, items[1].reason, items[1].detail) == (url, "parser_error", "KeyError: 'headline'")


def test_transient_faults_are_retried_then_archived_once(crawl):
    base, db, counts = crawl
    for slug in ARCHIVED:
        fault = FAULTS[slug]
        expected = {"flaky": fault.failures + 1, "slow-once": 2, "reset-once": 2}.get(fault.kind, 1)
        assert counts["site"][fault.path] == expected, slug
    assert db["article_versions"].count == db["articles"].count == len(ARCHIVED) + 1
    pages = [r["url"] for r in db.query("select url from pages")]
    assert len(pages) == len(set(pages)) == len(ARCHIVED) + 1 + len(REJECTED)


def test_the_run_books_the_retry_waits(crawl):
    """The waits each answer asked for, summed in the run's stats; that they are waited: test_politeness.py."""
    _, db, _ = crawl
    stats = json.loads(db["crawl_runs"].get(1)["stats"])
    waits = [float(after) if after else 0.05 * 2 ** n for _, failures, after in flaky_plan() for n in range(failures)]
    assert stats["hajar/retry_wait_seconds"] == pytest.approx(sum(waits)) == pytest.approx(1.45)


def test_permanent_faults_are_tried_as_often_as_allowed_and_no_more(crawl):
    _, _, counts = crawl
    assert {slug: counts["site"][FAULTS[slug].path] for slug in FAILED} == {s: f[2] for s, f in FAILED.items()}
    for slug in (*REJECTED, "moved"):
        assert counts["site"][FAULTS[slug].path] == 1, slug


def test_the_run_counts_agree_with_the_tables(crawl):
    _, db, _ = crawl
    run = db["crawl_runs"].get(1)
    assert (run["status"], run["new"], run["rejected"], run["failed"]) == (
        "finished", len(ARCHIVED) + 1, len(REJECTED), len(FAILED))


def test_a_redirect_off_site_is_never_followed(crawl):
    _, _, counts = crawl
    assert counts["elsewhere"] == {}


def clean_record(base: str, slug: str, encoding: str) -> dict:
    """What the page says when read in the charset it is really in."""
    url = f"{base}{FAULTS[slug].path}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return parse_article(response.read().decode(encoding), url, site="hajarnews")


@pytest.mark.parametrize("slug, encoding", [("utf8-says-latin1", "utf-8"), ("latin1-says-utf8", "cp1252")])
def test_a_page_in_another_charset_than_declared_is_read_right(crawl, slug, encoding):
    base, db, _ = crawl
    stored = next(db["articles"].rows_where("url = ?", [f"{base}{FAULTS[slug].path}"]))
    expected = clean_record(base, slug, encoding)
    assert stored["body_text"].startswith("Kualatungkal, Hajarnews.com – ")
    assert (stored["title"], stored["body_text"], stored["dateline"]) == (
        expected["title"], expected["body_text"], "Kualatungkal")
