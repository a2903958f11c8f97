"""Issue 8: Datasette reads while a crawl writes (WAL), and a second crawl of one archive is refused."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import sqlite_utils

from conftest import ROOT, SAMPLE_SITE, free_port, stop, wait_for_http
from hajar_scraper.archive import Archive

ARTICLES = len(list((SAMPLE_SITE / "articles").glob("*.yml")))
PACED = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"]


def start_crawl(base: str, db_path, delay: float, *settings: str) -> subprocess.Popen:
    """A crawl in the background, its log in a file beside the archive (a pipe could fill and stall it)."""
    args = [sys.executable, "-m", "hajar_scraper.cli", "crawl", "hajarnews", "--base-url", base, "--db", str(db_path),
            "-s", f"DOWNLOAD_DELAY={delay}", *PACED, *settings]
    with open(f"{db_path}.log", "w") as log:
        return subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)


def log_of(db_path) -> str:
    return Path(f"{db_path}.log").read_text(encoding="utf-8", errors="replace")


def get(url: str) -> tuple[int, dict | list | None]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None


def count_articles(base: str) -> int:
    answer = get(f"{base}/articles.json?_size=0")[1]  # the archive runs no SQL of a visitor's: the table counts
    return answer["filtered_table_rows_count"] if answer else -1


def test_datasette_reads_without_error_while_a_crawl_writes(sample_site, tmp_path):
    db_path = tmp_path / "hajarnews.db"
    Archive(db_path).close()  # the schema, in WAL mode, before either process opens it
    port = free_port()
    with open(tmp_path / "datasette.log", "w") as log:
        datasette = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(db_path), "--host",
                                      "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/hajarnews"
    search = urllib.parse.quote("Tanjab")
    try:
        wait_for_http(base + ".json")
        # Small write batches: the sample site's 34 articles would otherwise land in one or two commits, and the
        # reads could not fall between writes.
        crawl = start_crawl(sample_site, db_path, 0.05, "-s", "HAJAR_WRITE_BATCH=4", "-s", "HAJAR_WRITE_SECONDS=0.2")
        seen, failures, polls = [], [], 0
        while crawl.poll() is None or polls < 3:  # a crawl that dies at once still gets read
            polls += 1
            for url in (f"{base}/articles.json?_shape=array&_size=max&_col=title&_col=content_hash",
                        f"{base}/articles_per_day.json?_shape=array",
                        f"{base}/articles.json?_search={search}&_shape=array&_col=title"):
                status, data = get(url)
                if status != 200 or not isinstance(data, list):
                    failures.append((url, status))
            seen.append(count_articles(base))
            time.sleep(0.05)
        crawl.wait()
        seen.append(count_articles(base))
    finally:
        stop(datasette)
    err = log_of(db_path)
    assert crawl.returncode == 0, err[-3000:]
    assert failures == []
    assert seen == sorted(seen) and seen[-1] == ARTICLES
    assert len(set(seen)) >= 3, seen  # the reads really happened in the middle of the writes
    assert "database is locked" not in err and "Traceback" not in err
    assert "Traceback" not in (tmp_path / "datasette.log").read_text(encoding="utf-8")


def test_a_second_crawl_of_the_same_archive_stops_with_one_clear_line(sample_site, tmp_path):
    db_path = tmp_path / "hajarnews.db"
    first = start_crawl(sample_site, db_path, delay=0.2)  # still crawling when the second one starts
    try:
        deadline = time.monotonic() + 30
        while not (db_path.exists() and _runs(db_path)):
            assert time.monotonic() < deadline and first.poll() is None, "the first crawl never opened its run"
            time.sleep(0.05)
        second = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "crawl", "hajarnews", "--base-url",
                                 sample_site, "--db", str(db_path), *PACED], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert first.poll() is None, "the first crawl ended before the second one tried"
        first.wait(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    errors = [line for line in second.stderr.splitlines() if line.startswith("Error:")]
    assert second.returncode == 1
    assert errors == [second.stderr.splitlines()[-1]] == [
        f"Error: crawl ended early: another crawl is already writing {db_path} (lock {db_path}.lock is held)"]
    assert "Traceback" not in second.stderr
    assert first.returncode == 0, log_of(db_path)[-3000:]
    db = sqlite_utils.Database(db_path)
    assert [(r["status"], r["new"]) for r in db["crawl_runs"].rows] == [("finished", ARTICLES)]


def _runs(db_path) -> int:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("select count(*) from crawl_runs").fetchone()[0]
    except sqlite3.Error:  # the schema is still being created
        return 0
