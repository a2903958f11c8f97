"""Issue 8: the crawler stays on its site and within its limits; the served archive takes no SQL and no writes."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
import sqlite_utils
from scrapy import Request
from scrapy.utils.project import get_project_settings

from conftest import ROOT, free_port, run_crawl, stop, wait_for_http
from fault_site import hits, start_fault_site
from fault_site.faults import catalogue
from hajar_scraper.retry import BackoffRetryMiddleware, retry_after_seconds

ON_SITE = ("ok", "feed-only", "offsite-redirect", "offsite-redirect-localhost", "gzip-bomb", "huge-declared")
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """A site whose robots.txt, sitemap, feed and redirects point elsewhere, crawled with the shipped limits."""
    process, base = start_fault_site("--hostile", "--only", ",".join(ON_SITE))
    try:
        db_path = tmp_path_factory.mktemp("hostile") / "hostile.db"
        run_crawl(base, db_path, "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "RETRY_BACKOFF_BASE=0.05")
        yield base, sqlite_utils.Database(db_path), hits(base)["elsewhere"]
    finally:
        stop(process)


def test_nothing_off_site_is_ever_requested(hostile):
    """Not the sitemap robots.txt names elsewhere, nor a probe's redirect, nor a listed or redirected article."""
    base, db, elsewhere = hostile
    assert elsewhere == {}
    fetched = {r["url"] for r in db.query("select url from pages")}
    assert fetched == {f"{base}{f.path}" for f in catalogue() if f.kind in ("ok", "feed-only")}


def test_off_site_links_and_redirects_are_refused_with_their_own_reason(hostile):
    base, db, _ = hostile
    errors = list(db.query("select url, reason, detail from fetch_errors order by url"))
    listed = [(r["reason"], r["detail"].split(" but ")[0]) for r in errors if not r["url"].startswith(base)]
    assert sorted(listed) == [("offsite", "listed by the feed")] + [("offsite", "listed by the sitemaps")] * 2
    redirected = sorted(r["url"].removeprefix(base) for r in errors if r["reason"] == "offsite_redirect")
    assert redirected == sorted(f.path for f in catalogue() if f.kind.startswith("offsite-redirect"))


def test_the_shipped_size_limit_stops_bombs_and_huge_pages(hostile):
    base, db, _ = hostile
    errors = {r["url"].removeprefix(base): (r["reason"], r["detail"]) for r in db.query("select * from fetch_errors")}
    bomb, huge = (next(f.path for f in catalogue() if f.kind == kind) for kind in ("gzip-bomb", "huge-declared"))
    assert errors[bomb][0] == "IgnoreRequest" and f"exceeded DOWNLOAD_MAXSIZE ({16 * MiB} B)" in errors[bomb][1]
    assert errors[huge] == ("DownloadCancelledError", f"Expected to receive {50 * MiB} bytes which is larger than "
                                                      f"download max size ({16 * MiB}) in request <GET {base}{huge}>.")


def test_limits_and_timeouts_are_set_in_settings():
    settings = get_project_settings()
    assert {key: settings[key] for key in ("DOWNLOAD_MAXSIZE", "DOWNLOAD_WARNSIZE", "DOWNLOAD_TIMEOUT",
                                           "REDIRECT_MAX_TIMES", "RETRY_TIMES", "RETRY_BACKOFF_MAX",
                                           "AUTOTHROTTLE_MAX_DELAY", "CONCURRENT_REQUESTS_PER_DOMAIN",
                                           "ROBOTSTXT_OBEY")} == {
        "DOWNLOAD_MAXSIZE": 16 * MiB, "DOWNLOAD_WARNSIZE": 4 * MiB, "DOWNLOAD_TIMEOUT": 30, "REDIRECT_MAX_TIMES": 5,
        "RETRY_TIMES": 3, "RETRY_BACKOFF_MAX": 60.0, "AUTOTHROTTLE_MAX_DELAY": 30.0,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "ROBOTSTXT_OBEY": True}
    assert settings.getbool("DOWNLOAD_FAIL_ON_DATALOSS")
    # Scrapy's offsite, robots.txt and meta-refresh middlewares are replaced, at their own places, by ours
    # (scheme and port too; rules for every waiting request; refreshes from the head only).
    ours = {"offsite.OffsiteMiddleware": "hajar_scraper.origins.OriginMiddleware",
            "robotstxt.RobotsTxtMiddleware": "hajar_scraper.robots.EveryRequestRobotsTxt",
            "redirect.MetaRefreshMiddleware": "hajar_scraper.refresh.HeadRefreshMiddleware"}
    base, mine = settings.getdict("DOWNLOADER_MIDDLEWARES_BASE"), settings.getdict("DOWNLOADER_MIDDLEWARES")
    for scrapy_name, replacement in ours.items():
        scrapy_name = "scrapy.downloadermiddlewares." + scrapy_name
        assert (mine[scrapy_name], mine[replacement]) == (None, base[scrapy_name])


@pytest.mark.parametrize("retry_after", ["86400", "Wed, 21 Oct 2099 07:28:00 GMT"])
def test_a_server_cannot_stall_the_crawl_with_retry_after(retry_after):
    backoff = BackoffRetryMiddleware(get_project_settings())
    assert backoff.pause(Request("http://127.0.0.1/"), retry_after_seconds(retry_after)) == 60.0


# Datasette as `hajar serve` runs it ---------------------------------------------------------------
WRITES = ["/hajarnews/articles/-/insert", "/hajarnews/articles/1/-/update", "/hajarnews/articles/1/-/delete",
          "/hajarnews/articles/-/upsert", "/hajarnews/articles/-/drop", "/hajarnews/-/create", "/hajarnews",
          "/hajarnews/articles/1", "/-/insert", "/hajarnews/articles", "/hajarnews/latest"]
JSON_ROW = b'{"row": {"title": "x"}, "rows": [{"title": "x"}]}'


@pytest.fixture(scope="module")
def served(crawled_db, tmp_path_factory):
    """archive/ with a crawled archive in it, served by `hajar serve` on a free port."""
    config = tmp_path_factory.mktemp("served") / "archive"
    shutil.copytree(ROOT / "archive", config, ignore=shutil.ignore_patterns("*.db", "*.db-*"))
    sqlite3.connect(crawled_db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    shutil.copy(crawled_db, config / "hajarnews.db")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "hajar_scraper.cli", "serve", "--dir", str(config), "--port",
                                str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/-/versions.json")
        yield base, config / "hajarnews.db"
    finally:
        stop(process)


def status(url: str, data: bytes | None = None, content_type: str = "application/json") -> int:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def fingerprint(path) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        rows = db.execute("select id, url, content_hash, version, title from articles order by id").fetchall()
        counts = [db.execute(f"select count(*) from {t}").fetchone()[0] for t in ("pages", "crawl_runs", "rejects")]
    return hashlib.sha256(repr((rows, counts)).encode()).hexdigest()


@pytest.mark.parametrize("path, code", [("/hajarnews?sql=select+1", 403), ("/hajarnews.json?sql=select+1", 403),
                                        ("/hajarnews/articles.json?_where=1%3D1", 403),
                                        ("/hajarnews.json?sql=delete+from+articles", 400)])
def test_arbitrary_sql_is_refused(served, path, code):
    assert status(served[0] + path) == code


def test_no_write_gets_through(served):
    base, db_path = served
    before = fingerprint(db_path)
    answers = {path: status(base + path, data=JSON_ROW) for path in WRITES}
    answers["form sql"] = status(base + "/hajarnews", data=b"sql=delete+from+articles",
                                 content_type="application/x-www-form-urlencoded")
    # Datasette 0.65 alone answers 500 to a POST on a table page; hajar_scraper/web/lockdown.py says 405 first.
    assert answers == dict.fromkeys([*WRITES, "form sql"], 405)
    assert fingerprint(db_path) == before
