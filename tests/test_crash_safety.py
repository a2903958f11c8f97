"""Issue 8: ten SIGKILLs, then one finished run, give the archive of one clean crawl.

Most kills strike in the middle of a batch write, inside an article's savepoint: the crawl stops itself
there (the test-only setting HAJAR_TEST_STOP_AT_ARTICLE, read by the pipeline) and the test, seeing it
stopped, checks that a write transaction is open and SIGKILLs it. Killed from outside at a moment of the
test's choosing, a crawl was mostly between batches: 1 kill of 5 landed while articles were being saved.
The others strike while robots.txt and the sitemaps are probed.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time

import sqlite_utils

from conftest import ROOT, run_crawl

KILLS = 10
SEED = 3
# Slow enough that a kill during probing lands before any article; written in batches of two articles (a
# page and an article item each), the timer's flush out of the way, so a stop lands with a batch open;
# parsed in the crawl process (SIGSTOP then stops all of the crawl). Killing a crawl that has parsing
# processes: tests/test_parse_pool.py.
SLOW = ["-s", "DOWNLOAD_DELAY=0.1", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING",
        "-s", "HAJAR_WRITE_BATCH=4", "-s", "HAJAR_WRITE_SECONDS=60", "-s", "HAJAR_PARSE_PROCESSES=0"]
STOPPED = re.compile(r"test stop: inside the savepoint of (\S+), item (\d+) of a batch of (\d+)")


def count(path, sql: str) -> int:
    """A count read beside the writing crawler, as Datasette would read it; 0 before the schema exists.
    Any other error is raised: a count that read nothing must not pass for "nothing of it stayed"."""
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute(sql).fetchone()[0]
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return 0
        raise


def articles_written(path) -> int:
    return count(path, "select count(*) from articles")


def kill_points() -> list[tuple[str, float]]:
    """Seeded: ("opened", seconds after the run's row appears) or ("saving", the article to stop at)."""
    rng = random.Random(SEED)
    return [("opened", rng.uniform(0, 0.6)) if rng.random() < 0.3 else ("saving", rng.randint(2, 5))
            for _ in range(KILLS)]


def stopped(pid: int) -> bool:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "T"


def write_locked(path) -> bool:
    """Whether a write transaction is open on the archive (another connection cannot begin one)."""
    db = sqlite3.connect(path, timeout=0)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.rollback()
        return False
    except sqlite3.OperationalError as error:
        assert "locked" in str(error), error
        return True
    finally:
        db.close()


def crawl_and_kill(base: str, db_path, kind: str, value: float, log_path) -> dict | None:
    """Start a crawl and SIGKILL it at the point; what the archive showed at the kill, or None if the
    crawl ended by itself first."""
    args = [sys.executable, "-m", "hajar_scraper.cli", "crawl", "hajarnews", "--base-url", base, "--db", str(db_path),
            *SLOW, *(["-s", f"HAJAR_TEST_STOP_AT_ARTICLE={value}"] if kind == "saving" else [])]
    runs = count(db_path, "select count(*) from crawl_runs")
    with open(log_path, "w") as log:
        process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)
    started = time.monotonic()
    try:
        while process.poll() is None:
            if time.monotonic() - started > 30:
                raise AssertionError(f"kill point {kind} {value} never reached")
            if kind == "opened" and count(db_path, "select count(*) from crawl_runs") > runs:
                time.sleep(value)
                kind = "now"
            if kind == "now" or (kind == "saving" and stopped(process.pid)):
                seen = {"committed": articles_written(db_path), "write_locked": write_locked(db_path)}
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                return seen
            time.sleep(0.02)
        return None
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def snapshot(db: sqlite_utils.Database) -> dict[str, tuple]:
    """Each article as the reader sees it: hash, dates, people, terms, images and version."""
    images = {}
    for row in db.query("select a.url, i.position, i.url as src, i.caption from images i "
                        "join articles a on a.id = i.article_id order by a.url, i.position"):
        images.setdefault(row["url"], []).append((row["position"], row["src"], row["caption"]))
    return {r["url"]: (r["content_hash"], r["title"], r["published_at"], r["authors"], r["categories"], r["tags"],
                       r["version"], tuple(images.get(r["url"], ())))
            for r in db.query("select * from articles")}


def test_ten_sigkills_then_one_finished_run_equal_one_uninterrupted_crawl(sample_site, crawled_db, tmp_path):
    reference = snapshot(sqlite_utils.Database(crawled_db))
    db_path = tmp_path / "killed.db"
    after_each, in_savepoints = [], []
    for n, (kind, value) in enumerate(kill_points()):
        log_path = tmp_path / f"kill-{n}.log"
        seen = crawl_and_kill(sample_site, db_path, kind, value, log_path)
        assert seen is not None, (kind, value)
        after_each.append(articles_written(db_path))
        if kind == "saving":  # struck inside an article's savepoint, with earlier items of its batch written
            url, item, batch = STOPPED.search(log_path.read_text()).groups()
            assert seen["write_locked"] and int(item) >= 2 and int(batch) == 4, (n, seen, item, batch)
            assert count(db_path, f"select count(*) from articles where url = '{url}'") == 0  # nothing of it stayed
            in_savepoints.append(n)
    assert len(in_savepoints) == 7  # of the ten, by the seed; the other three strike while probing
    assert after_each == sorted(after_each) and 0 < after_each[-1] < len(reference), after_each
    run_crawl(sample_site, db_path)

    db = sqlite_utils.Database(db_path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.execute("INSERT INTO articles_fts(articles_fts) VALUES('integrity-check')")
    assert snapshot(db) == reference
    assert db["article_versions"].count == len(reference)
    assert db.execute("select count(*) from articles_fts_stem").fetchone()[0] == len(reference)
    statuses = [r["status"] for r in db.query("select status from crawl_runs order by id")]
    assert statuses == ["interrupted"] * KILLS + ["finished"]  # every kill landed in a run that had begun
    unpaged = list(db.query("select url from articles where url not in (select url from pages)"))
    assert unpaged == []
