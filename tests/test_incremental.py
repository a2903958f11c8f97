"""Incremental, bounded and resumed crawls of a mirror whose articles change between runs."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone

import pytest
import sqlite_utils
import yaml

from conftest import LOCAL_PACE, ROOT, SAMPLE_SITE, run_crawl, start_sample_site, stop
from hajar_scraper.lock import ArchiveLock

ARTICLES = len(list((SAMPLE_SITE / "articles").glob("*.yml")))


@pytest.fixture
def mirror(tmp_path):
    """A sample site serving a private copy of the articles, so a test may edit them."""
    data = tmp_path / "articles"
    shutil.copytree(SAMPLE_SITE / "articles", data)
    process, base_url = start_sample_site(data)
    yield base_url, data
    stop(process)


def edit_article(path, title: str) -> None:
    """What an editor does: a new headline, saved now (so WordPress moves modified_gmt)."""
    article = yaml.safe_load(path.read_text(encoding="utf-8"))
    article["title"] = title
    article["modified_gmt"] = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    path.write_text(yaml.safe_dump(article, allow_unicode=True, sort_keys=False), encoding="utf-8")


def fetched_articles(db, run_id: int) -> list[str]:
    return [r["url"] for r in db.query("select url from pages where run_id = ? order by url", [run_id])]


def runs(db) -> list[dict]:
    return list(db.query("select id, status, new, updated, unchanged, skipped, failed from crawl_runs order by id"))


def test_only_the_changed_article_is_fetched_again_and_becomes_version_2(mirror, tmp_path):
    base, data = mirror
    db_path = tmp_path / "a.db"
    run_crawl(base, db_path)
    changed = next(data.glob("005-*.yml"))
    edit_article(changed, "Harga Pinang Kering Naik Lagi, Petani di Merlung Bersyukur")
    run_crawl(base, db_path)
    db = sqlite_utils.Database(db_path)
    slug = yaml.safe_load(changed.read_text(encoding="utf-8"))["slug"]
    (url,) = [u for u in fetched_articles(db, 2)]
    assert url.endswith(f"/{slug}/")
    row = next(db["articles"].rows_where("url = ?", [url]))
    assert (row["title"], row["version"]) == ("Harga Pinang Kering Naik Lagi, Petani di Merlung Bersyukur", 2)
    versions = list(db.query("select version, title from article_versions where article_id = ? order by version",
                             [row["id"]]))
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["title"] == "Harga Pinang Kering Naik, Petani di Merlung Bersyukur"
    assert runs(db)[1]["new"] == 0 and runs(db)[1]["updated"] == 1 and runs(db)[1]["failed"] == 0
    assert db["articles"].count == ARTICLES and db["article_versions"].count == ARTICLES + 1


def test_full_crawl_fetches_everything_and_changes_nothing(mirror, tmp_path):
    base, _ = mirror
    db_path = tmp_path / "a.db"
    run_crawl(base, db_path)
    run_crawl(base, db_path, "--full")
    db = sqlite_utils.Database(db_path)
    assert runs(db)[1] == {"id": 2, "status": "finished", "new": 0, "updated": 0, "unchanged": ARTICLES,
                           "skipped": 0, "failed": 0}
    assert db["article_versions"].count == ARTICLES


def test_since_and_until_bound_discovery(mirror, tmp_path):
    base, data = mirror
    db_path = tmp_path / "a.db"
    run_crawl(base, db_path, "--since", "2021-06-01", "--until", "2021-06-30")
    db = sqlite_utils.Database(db_path)
    expected = sorted(a["slug"] for a in (yaml.safe_load(p.read_text(encoding="utf-8")) for p in data.glob("*.yml"))
                      if "2021-05-31T17:00:00" <= a["date_gmt"] <= "2021-06-30T16:59:59")
    assert len(expected) >= 3
    fetched = fetched_articles(db, 1)
    assert sorted(u.rstrip("/").rsplit("/", 1)[-1] for u in fetched) == expected
    assert all("2021-06-01" <= r["published_at"][:10] <= "2021-06-30" for r in db["articles"].rows)


def test_a_second_crawl_of_the_same_archive_is_refused(mirror, tmp_path):
    base, _ = mirror
    db_path = tmp_path / "a.db"
    lock = ArchiveLock(db_path)
    lock.acquire()
    result = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "crawl", "hajarnews", "--base-url", base,
                             "--db", str(db_path), *LOCAL_PACE], cwd=ROOT, capture_output=True, text=True)
    lock.release()
    assert result.returncode == 1
    assert "another crawl is already writing" in result.stderr.splitlines()[-1]
    assert "Traceback" not in result.stderr


def test_crawl_killed_with_sigkill_resumes_without_duplicates_or_gaps(mirror, tmp_path):
    base, _ = mirror
    db_path = tmp_path / "a.db"
    slow = [sys.executable, "-m", "hajar_scraper.cli", "crawl", "hajarnews", "--base-url", base, "--db",
            str(db_path), "-s", "DOWNLOAD_DELAY=0.15", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING"]
    process = subprocess.Popen(slow, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        time.sleep(0.2)
        if db_path.exists():
            try:
                if sqlite_utils.Database(db_path)["articles"].count >= 8:
                    break
            except Exception:  # the schema may not exist yet
                continue
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    partial = sqlite_utils.Database(db_path)["articles"].count
    assert 8 <= partial < ARTICLES
    run_crawl(base, db_path)
    db = sqlite_utils.Database(db_path)
    assert [r["status"] for r in runs(db)] == ["interrupted", "finished"]
    urls = [r["url"] for r in db.query("select url from articles")]
    assert len(urls) == len(set(urls)) == ARTICLES
    assert db["article_versions"].count == ARTICLES
    assert runs(db)[1]["new"] == ARTICLES - partial
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
