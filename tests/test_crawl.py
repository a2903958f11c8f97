"""The sample site crawled by the real Scrapy engine in a subprocess, then the archive checked row by row."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils

from conftest import SAMPLE_SITE, run_crawl

sys.path.insert(0, str(SAMPLE_SITE))
from server import load_articles  # noqa: E402

ARTICLES = load_articles(SAMPLE_SITE / "articles")
SEED_PATH = "/2021/05/25/wabup-tanjabbar-hadiri-dan-buka-secara-resmi-giat-sosialisasi-kerjasama-dalam-negeri/"
SEED = (Path(__file__).parent / "fixtures" / "hajarnews" / "seed-article.txt").read_text(encoding="utf-8").splitlines()


@pytest.fixture
def db(crawled_db):
    return sqlite_utils.Database(crawled_db)


def seed_row(db, base):
    return next(db["articles"].rows_where("url = ?", [base + SEED_PATH]))


def test_every_article_archived_once_and_nothing_lost(db, sample_site):
    assert db["articles"].count == len(ARTICLES) >= 30
    urls = [r["url"] for r in db.query("select url from articles")]
    assert len(set(urls)) == len(urls)
    assert all(u.startswith(sample_site + "/20") for u in urls)
    failures = list(db.query("select url, reason from fetch_errors"))
    assert failures == [{"url": sample_site + "/2021/07/30/berita-yang-sudah-dihapus/", "reason": "http_404"}]
    assert db["rejects"].count == 0
    assert db["sites"].count == 1 and db["crawl_runs"].count == 1
    run = next(db["crawl_runs"].rows)
    assert (run["new"], run["updated"], run["unchanged"], run["rejected"], run["failed"]) == (len(ARTICLES), 0, 0, 0, 1)
    assert run["status"] == "finished"
    assert json.loads(run["fill_rates"])["published_at"] == 100.0
    assert json.loads(run["stats"])["item_scraped_count"] > len(ARTICLES)


def test_seed_article_fields(db, sample_site):
    row = seed_row(db, sample_site)
    assert row["title"] == SEED[0]
    assert row["body_text"] == "\n\n".join(SEED[1:10])
    assert row["published_at"] == "2021-05-25T16:42:37+07:00"
    assert row["published_month"] == "2021-05"
    assert row["modified_at"] == "2021-05-25T17:15:03+07:00"
    assert (row["dateline"], row["signature"], row["language"]) == ("Kualatungkal", "OD/*", "id")
    assert json.loads(row["authors"]) == ["Oddy Pratama"]
    assert json.loads(row["categories"]) == ["Tanjab Barat", "Pemerintahan"]
    assert json.loads(row["tags"]) == ["Kerjasama Daerah", "Wabup Hairan", "TKKSD"]
    assert (row["version"], row["status"]) == (1, "live")
    images = list(db["images"].rows_where("article_id = ?", [row["id"]], order_by="position"))
    assert [(i["url"], i["credit"]) for i in images] == [
        (sample_site + "/wp-content/uploads/2021/05/IMG-20210525-WA0031.jpg", "Hajarnews")]
    assert images[0]["caption"].startswith("Wakil Bupati Tanjab Barat, Hairan, membuka")


def test_many_to_many_rows(db, sample_site):
    row = seed_row(db, sample_site)
    for table, expected in (("authors", ["Oddy Pratama"]), ("categories", ["Pemerintahan", "Tanjab Barat"]),
                            ("tags", ["Kerjasama Daerah", "TKKSD", "Wabup Hairan"])):
        names = [r["name"] for r in db.query(
            f"select t.name from {table} t join articles_{table} m on m.{table}_id = t.id "
            f"where m.articles_id = ? order by t.name", [row["id"]])]
        assert names == expected, table
    # A post by the outlet's "Redaksi" account names no reporter: that account is no author.
    total_authors = {a.author for a in ARTICLES} - {"Redaksi"}
    assert {r["name"] for r in db["authors"].rows} == total_authors


def test_full_text_search_finds_the_seed(db, sample_site):
    hits = [r["url"] for r in db.query(
        "select a.url from articles_fts f join articles a on a.id = f.rowid where articles_fts match ?",
        ['"kerjasama daerah"'])]
    assert hits == [sample_site + SEED_PATH]


def test_archive_is_wal(crawled_db):
    assert sqlite3.connect(crawled_db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_second_full_crawl_with_scrapy_adds_nothing(crawled_db, sample_site, tmp_path):
    copy = tmp_path / "hajarnews.db"
    sqlite3.connect(crawled_db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    shutil.copy(crawled_db, copy)
    before = sqlite_utils.Database(copy)
    snapshot = {t: list(before.query(f"select * from {t}")) for t in
                ("articles_authors", "authors", "images", "article_versions", "tags", "categories")}
    articles_before = {r["url"]: r for r in before.query("select * from articles")}
    run_crawl(sample_site, copy, "-a", "full=1", use_scrapy=True)
    after = sqlite_utils.Database(copy)
    for table, rows in snapshot.items():
        assert list(after.query(f"select * from {table}")) == rows, table
    articles_after = {r["url"]: r for r in after.query("select * from articles")}
    assert articles_after.keys() == articles_before.keys()
    for url, row in articles_after.items():
        old = articles_before[url]
        assert row["last_seen_at"] >= old["last_seen_at"]
        assert {k: v for k, v in row.items() if k != "last_seen_at"} == \
               {k: v for k, v in old.items() if k != "last_seen_at"}
    runs = list(after.query("select new, updated, unchanged, failed from crawl_runs order by id"))
    assert runs[1] == {"new": 0, "updated": 0, "unchanged": len(ARTICLES), "failed": 0}


def test_first_crawl_records_the_discovery_plan(db):
    (plan,) = list(db.query("select site, strategy, plan from discovery_plans"))
    assert (plan["site"], plan["strategy"]) == ("hajarnews", "wp-json")
    listed = json.loads(plan["plan"])["listed"]
    assert listed == {"wp-json": len(ARTICLES), "sitemaps": len(ARTICLES) + 1, "pagination": 0, "feed": 10}


def test_hajar_sites_shows_the_plan(crawled_db):
    result = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "sites"], capture_output=True, text=True,
                            env={**os.environ, "HAJAR_ARCHIVE_DIR": str(crawled_db.parent)})
    line = next(l for l in result.stdout.splitlines() if l.startswith("hajarnews\t"))
    assert line.endswith(f"plan: wp-json (listed: feed 10, sitemaps {len(ARTICLES) + 1}, wp-json {len(ARTICLES)})")
