"""Issue 8: Datasette reads while a crawl writes (WAL), and a second crawl of one archive is refused."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import sqlite_utils

from conftest import ROOT, SAMPLE_SITE, free_port, stop, wait_for_http
from hajar_scraper.archive import Archive

ARTICLES = len(list((SAMPLE_SITE / "articles").glob("*.yml")))
PACED = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"]


def start_crawl(base: str, db_path, delay: float) -> subprocess.Popen:
    args = [sys.executable, "-m", "hajar_scraper.cli", "crawl", "hajarnews", "--base-url", base, "--db", str(db_path),
            "-s", f"DOWNLOAD_DELAY={delay}", *PACED]
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})


def get(url: str) -> tuple[int, dict | list | None]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None


def test_datasette_reads_without_error_while_a_crawl_writes(sample_site, tmp_path):
    db_path = tmp_path / "hajarnews.db"
    Archive(db_path).close()  # the schema, in WAL mode, before either process opens it
    port = free_port()
    datasette = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(db_path), "--host", "127.0.0.1",
                                  "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/hajarnews"
    search = urllib.parse.quote("Tanjab")
    try:
        wait_for_http(base + ".json")
        crawl = start_crawl(sample_site, db_path, delay=0.05)
        seen, failures, polls = [], [], 0
        while crawl.poll() is None or polls < 3:
            polls += 1
            for url in (f"{base}/articles.json?_shape=array&_size=max&_col=title&_col=content_hash",
                        f"{base}.json?sql=select+count(*)+as+n+from+articles&_shape=array",
                        f"{base}/articles.json?_search={search}&_shape=array&_col=title"):
                status, data = get(url)
                if status != 200 or not isinstance(data, list):
                    failures.append((url, status))
            counted = get(f"{base}.json?sql=select+count(*)+as+n+from+articles&_shape=array")[1]
            seen.append(counted[0]["n"] if counted else -1)
            time.sleep(0.05)
        out, err = crawl.communicate()
    finally:
        stop(datasette)
    assert crawl.returncode == 0, err[-3000:]
    assert failures == []
    assert seen == sorted(seen) and seen[-1] == ARTICLES
    assert len(set(seen)) >= 3, seen  # the reads really happened in the middle of the writes
    assert "database is locked" not in err and "Traceback" not in err
    assert "Traceback" not in datasette.stderr.read().decode()


def test_a_second_crawl_of_the_same_archive_stops_with_one_clear_line(sample_site, tmp_path):
    db_path = tmp_path / "hajarnews.db"
    first = start_crawl(sample_site, db_path, delay=0.1)
    try:
        deadline = time.monotonic() + 30
        while not (db_path.exists() and _runs(db_path)):
            assert time.monotonic() < deadline and first.poll() is None, "the first crawl never opened its run"
            time.sleep(0.05)
        second = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "crawl", "hajarnews", "--base-url",
                                 sample_site, "--db", str(db_path), *PACED], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert first.poll() is None, "the first crawl ended before the second one tried"
        out, err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    errors = [line for line in second.stderr.splitlines() if line.startswith("Error:")]
    assert second.returncode == 1
    assert errors == [second.stderr.splitlines()[-1]] == [
        f"Error: crawl ended early: another crawl is already writing {db_path} (lock {db_path}.lock is held)"]
    assert "Traceback" not in second.stderr
    assert first.returncode == 0, err[-3000:]
    db = sqlite_utils.Database(db_path)
    assert [(r["status"], r["new"]) for r in db["crawl_runs"].rows] == [("finished", ARTICLES)]


def _runs(db_path) -> int:
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute("select count(*) from crawl_runs").fetchone()[0]
    except sqlite3.Error:  # the schema is still being created
        return 0
