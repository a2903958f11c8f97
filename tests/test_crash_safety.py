"""Issue 8: ten SIGKILLs at seeded random points, then one finished run, give the archive of one clean crawl."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time

import sqlite_utils

from conftest import ROOT, run_crawl

KILLS = 10
SEED = 3
# Slow enough that a kill lands between two articles, fast enough for ten runs in well under a minute;
# written in batches of two articles (a page and an article item each), so kills also land with a batch open;
# parsed in the crawl process, so articles reach the archive at the pace of the fetches (a parsing process
# starting under load would release them in bursts that outrun the kill points). Killing a crawl that has
# parsing processes: tests/test_parse_pool.py.
SLOW = ["-s", "DOWNLOAD_DELAY=0.1", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING",
        "-s", "HAJAR_WRITE_BATCH=4", "-s", "HAJAR_PARSE_PROCESSES=0"]


def count(path, sql: str) -> int:
    """A count read beside the writing crawler, as Datasette would read it; 0 before the schema exists."""
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            return db.execute(sql).fetchone()[0]
    except sqlite3.Error:
        return 0


def articles_written(path) -> int:
    return count(path, "select count(*) from articles")


def kill_points(total: int) -> list[tuple[str, float]]:
    """Seeded: ("opened", seconds after the run's row appears) or ("after", articles written in all)."""
    rng = random.Random(SEED)
    points, written = [], 0
    for _ in range(KILLS):
        if rng.random() < 0.3:
            points.append(("opened", rng.uniform(0, 0.6)))  # while probing robots.txt and the sitemaps
        else:
            written += rng.randint(1, 5)
            points.append(("after", written))
    assert written < total  # every kill lands before the crawl could finish
    return points


def crawl_and_kill(base: str, db_path, kind: str, value: float, jitter: float) -> bool:
    """Start a crawl and SIGKILL it at the point (plus jitter seconds); False if it ended by itself first."""
    args = [sys.executable, "-m", "hajar_scraper.cli", "crawl", "hajarnews", "--base-url", base, "--db", str(db_path),
            *SLOW]
    runs = count(db_path, "select count(*) from crawl_runs")
    if kind == "after":  # at least one article of this run: a kill before any work would test nothing new
        value = max(value, articles_written(db_path) + 1)
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started = time.monotonic()
    try:
        while process.poll() is None:
            if time.monotonic() - started > 30:
                raise AssertionError(f"kill point {kind} {value} never reached")
            if kind == "opened" and count(db_path, "select count(*) from crawl_runs") > runs:
                time.sleep(value)
                kind = "now"
            if kind == "now" or (kind == "after" and articles_written(db_path) >= value):
                time.sleep(jitter)
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
                return True
            time.sleep(0.02)
        return False
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
    rng = random.Random(SEED + 1)
    after_each = []
    for kind, value in kill_points(len(reference)):
        assert crawl_and_kill(sample_site, db_path, kind, value, rng.uniform(0, 0.2)), (kind, value)
        after_each.append(articles_written(db_path))
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
