"""Each discovery strategy is a real path: the mirror exposes only some endpoints, the crawl stays complete."""

from __future__ import annotations

import json

import pytest
import sqlite_utils

from conftest import SAMPLE_SITE, run_crawl, start_sample_site, stop

ARTICLES = len(list((SAMPLE_SITE / "articles").glob("*.yml")))
SEED_PATH = "/2021/05/25/wabup-tanjabbar-hadiri-dan-buka-secara-resmi-giat-sosialisasi-kerjasama-dalam-negeri/"


@pytest.fixture
def site(request):
    process, base = start_sample_site(None, *request.param)
    yield base
    stop(process)


def crawl(base, tmp_path, *extra):
    db_path = tmp_path / "a.db"
    result = run_crawl(base, db_path, *extra)
    db = sqlite_utils.Database(db_path)
    plan = next(db.query("select strategy, plan from discovery_plans"), None)
    return db, plan, result


@pytest.mark.parametrize("site", [("--plugins", "yoast,news,feed")], indirect=True)
def test_yoast_and_google_news_sitemaps(site, tmp_path):
    db, plan, _ = crawl(site, tmp_path)
    assert db["articles"].count == ARTICLES
    assert [r["url"] for r in db["fetch_errors"].rows] == [site + "/2021/07/30/berita-yang-sudah-dihapus/"]
    assert plan["strategy"] == "sitemaps"
    details = json.loads(plan["plan"])
    assert details["sitemaps"] == [site + "/sitemap_index.xml", site + "/news-sitemap.xml"]
    assert details["answered"] == ["sitemaps"]
    again, _, _ = crawl(site, tmp_path)
    last = next(again.query("select new, updated, skipped, failed from crawl_runs order by id desc limit 1"))
    assert last == {"new": 0, "updated": 0, "skipped": ARTICLES, "failed": 1}  # the deleted post, tried again


@pytest.mark.parametrize("site", [("--plugins", "feed"), ("--plugins", "")], indirect=True)
def test_no_sitemaps_and_no_rest_api_falls_back_to_pagination(site, tmp_path):
    db, plan, _ = crawl(site, tmp_path)
    assert db["articles"].count == ARTICLES
    assert db["fetch_errors"].count == 0
    assert plan["strategy"] == "pagination"
    assert json.loads(plan["plan"])["listed"]["pagination"] == ARTICLES


@pytest.mark.parametrize("site", [("--flaky", SEED_PATH)], indirect=True)
def test_429_and_503_are_retried_and_their_waits_booked(site, tmp_path):
    """The crawl stays complete and books the waits; that they are waited: test_politeness.py."""
    db, _, _ = crawl(site, tmp_path, "-s", "RETRY_BACKOFF_BASE=0.2")
    assert db["articles"].count == ARTICLES
    (run,) = list(db.query("select stats from crawl_runs"))
    stats = json.loads(run["stats"])
    assert stats["downloader/response_status_count/429"] == 1
    assert stats["downloader/response_status_count/503"] == 1
    assert stats["retry/count"] == 2
    # 1 s from Retry-After for the 429, then 0.2 × 2¹ for the 503 that had none.
    assert stats["hajar/retry_wait_seconds"] == 1.4
