"""An archive that keeps history: WARC captures, reparse, versions, tombstones, near-duplicates, exports."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from warcio.archiveiterator import ArchiveIterator

from conftest import FIXTURES, ROOT, SAMPLE_SITE, run_crawl, start_sample_site, stop
from hajar_scraper import fingerprint, parsers, search
from hajar_scraper.archive import CANDIDATES, Archive
from hajar_scraper.record import content_hash
from hajar_scraper.reparse import reparse_all

ARTICLES = len(list((SAMPLE_SITE / "articles").glob("*.yml")))
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def crawled(sample_site, tmp_path_factory) -> Path:
    """A crawl into a folder of its own, so its WARC files sit beside the database."""
    db = tmp_path_factory.mktemp("history") / "hajarnews.db"
    run_crawl(sample_site, db)
    return db


@pytest.fixture
def copy(crawled, tmp_path) -> Path:
    """A private copy of the crawled archive and its WARC folder."""
    Archive(crawled).close()  # checkpoint nothing pending: the crawler closed it cleanly
    shutil.copytree(crawled.parent, tmp_path / "a")
    return tmp_path / "a" / crawled.name


def test_every_fetch_is_a_warc_record_indexed_in_pages(crawled):
    db = sqlite_utils.Database(crawled)
    pages = list(db.query("select url, status, warc_file, warc_offset, warc_length, digest from pages"))
    assert len(pages) == ARTICLES
    (warc_file,) = {p["warc_file"] for p in pages}
    assert warc_file == "warc/hajarnews/1.warc.gz"
    with open(crawled.parent / warc_file, "rb") as handle:
        records = {}
        kinds = []
        for record in ArchiveIterator(handle):
            kinds.append(record.rec_type)
            if record.rec_type == "response":
                records[record.rec_headers.get_header("WARC-Target-URI")] = (
                    record.rec_headers.get_header("WARC-Payload-Digest"), record.rec_headers.get_header("WARC-Date"))
    assert kinds.count("warcinfo") == 1 and kinds.count("response") == kinds.count("request") == ARTICLES
    for page in pages:
        digest, date = records[page["url"]]
        assert page["digest"] == digest and digest.startswith("sha1:") and date.endswith("Z")
    archive = Archive(crawled)
    headers, body = archive.page_body({"warc_file": warc_file, "warc_offset": pages[0]["warc_offset"]})
    assert body.startswith(b"<!DOCTYPE html>") and headers["Content-Type"] == "text/html; charset=UTF-8"
    check = subprocess.run([str(BIN / "warcio"), "check", "-v", str(crawled.parent / warc_file)],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    assert check.stdout.count("digest pass") == 2 * ARTICLES + 1  # and the warcinfo record


def test_reparse_follows_a_changed_parser_rule(copy, monkeypatch):
    archive = Archive(copy)
    assert reparse_all(archive) == {"unchanged": ARTICLES}
    original = parsers.parse_article

    # the "new rule": Olahraga titles upper-case
    def shouting_headlines(html, url, site=None, fetched_at=None, listed_at=None):
        record = original(html, url, site=site, fetched_at=fetched_at, listed_at=listed_at)
        if "Olahraga" in record["categories"]:
            record["title"] = record["title"].upper()
            record["content_hash"] = content_hash(record["title"], record["body_text"])
            record["parser_version"] = "test-2"
        return record

    monkeypatch.setattr(parsers, "parse_article", shouting_headlines)
    sport = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in (SAMPLE_SITE / "articles").glob("*.yml")]
    sport = [a for a in sport if "Olahraga" in a["categories"]]
    assert len(sport) >= 2
    # parsed in this process, where the monkeypatch holds
    assert reparse_all(archive, processes=0) == {"changed": len(sport), "unchanged": ARTICLES - len(sport)}
    rows = list(archive.db.query("select title, version, parser_version from articles where categories like '%Olahraga%'"))
    assert {r["title"] for r in rows} == {a["title"].upper() for a in sport}
    assert {(r["version"], r["parser_version"]) for r in rows} == {(2, "test-2")}
    monkeypatch.undo()
    assert reparse_all(archive, site="hajarnews", since="2000-01-01") == {"changed": len(sport),
                                                                         "unchanged": ARTICLES - len(sport)}
    assert archive.db["article_versions"].count == ARTICLES + 2 * len(sport)


def test_a_parser_bug_during_reparse_files_the_page_and_the_reparse_goes_on(copy, monkeypatch):
    archive = Archive(copy)
    original = parsers.parse_article
    broken_url = next(archive.db.query("SELECT url FROM articles ORDER BY url LIMIT 1"))["url"]

    def broken_on_one(html, url, site=None, fetched_at=None, listed_at=None):
        if url == broken_url:
            raise KeyError("headline")
        return original(html, url, site=site, fetched_at=fetched_at, listed_at=listed_at)

    monkeypatch.setattr(parsers, "parse_article", broken_on_one)
    assert reparse_all(archive, processes=0) == {"newly rejected": 1, "unchanged": ARTICLES - 1}
    assert list(archive.db.query("SELECT url, reason, detail FROM rejects")) == [
        {"url": broken_url, "reason": "parser_error", "detail": "on reparse: KeyError: 'headline'"}]


def test_reparse_command_reports_counts(copy):
    result = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "reparse", "--db", str(copy)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"0 changed, {ARTICLES} unchanged, 0 newly rejected, 0 newly accepted, 0 still rejected"


@pytest.mark.parametrize("missing, reason", [
    ("404", "http_404"),
    ("home", "redirected to the home page"),
    ("soft404", "not-found page: 'Halaman tidak ditemukan - Hajarnews.com'"),
])
def test_removed_article_becomes_gone_and_comes_back_live(tmp_path, missing, reason):
    data = tmp_path / "articles"
    shutil.copytree(SAMPLE_SITE / "articles", data)
    process, base = start_sample_site(data, "--missing", missing)
    try:
        db_path = tmp_path / "a.db"
        run_crawl(base, db_path)
        removed = next(data.glob("003-*.yml"))
        saved = removed.read_text(encoding="utf-8")
        slug = yaml.safe_load(saved)["slug"]
        removed.unlink()
        run_crawl(base, db_path, "--recheck", "0")
        db = sqlite_utils.Database(db_path)
        gone = list(db.query("select url, status, gone_at, gone_reason, body_text from articles where status = 'gone'"))
        assert [(g["url"].rsplit("/", 2)[-2], g["gone_reason"]) for g in gone] == [(slug, reason)]
        assert gone[0]["gone_at"] and gone[0]["body_text"]
        assert db["fetch_errors"].count == (1 if missing == "404" else 0)  # the post deleted before we came
        removed.write_text(saved, encoding="utf-8")
        run_crawl(base, db_path, "--recheck", "0")
        back = next(db.query("select status, gone_at, version from articles where url = ?", [gone[0]["url"]]))
        assert back == {"status": "live", "gone_at": None, "version": 1}
    finally:
        stop(process)


def release_record(name: str, site: str, url: str) -> dict:
    body = (FIXTURES / "releases" / f"{name}.txt").read_text(encoding="utf-8").strip()
    title = "Pemprov Jambi Salurkan Bantuan Bibit Kelapa Dalam"
    return {"url": url, "site": site, "title": title, "published_at": "2021-02-05T10:30:50+07:00",
            "body_text": body, "content_hash": content_hash(title, body), "authors": [], "categories": [],
            "tags": [], "images": [], "provenance": {}}


def test_near_duplicate_press_release_shares_a_cluster(tmp_path):
    archive = Archive(tmp_path / "jambi.db")
    for slug in ("hajarnews", "jambione"):
        archive.ensure_site(slug, slug, f"https://{slug}.com", "Jambi", "Asia/Jakarta")
    archive.save_article(release_record("hajarnews", "hajarnews", "https://hajarnews.com/a/"))
    archive.save_article(release_record("unrelated", "hajarnews", "https://hajarnews.com/b/"))
    archive.save_article(release_record("jambione", "jambione", "https://jambione.com/c/"))
    clusters = {r["url"]: r["cluster_id"] for r in archive.db.query("select url, cluster_id from articles")}
    assert clusters == {"https://hajarnews.com/a/": 1, "https://hajarnews.com/b/": 2, "https://jambione.com/c/": 1}


def test_candidates_come_from_the_covering_index_not_the_rows(tmp_path):
    archive = Archive(tmp_path / "jambi.db")
    keys = [x for pair in fingerprint.keys(0x0123456789ABCDEF) for x in pair]
    details = [row[-1] for row in archive.db.execute(f"EXPLAIN QUERY PLAN {CANDIDATES}", keys)]
    assert "SEARCH articles USING COVERING INDEX articles_fingerprint (id=?)" in details
    assert details.count("SEARCH fingerprint_bands USING PRIMARY KEY (band=? AND value=?)") == 21
    assert not [d for d in details if d.startswith("SCAN")]


def test_the_pairs_migration_rebuilds_the_keys_of_stored_articles(tmp_path):
    """An archive whose keys were single-block bands: after the upgrade, a story saved before it is
    still found by its near-duplicate."""
    path = tmp_path / "jambi.db"
    archive = Archive(path)
    for slug in ("hajarnews", "jambione"):
        archive.ensure_site(slug, slug, f"https://{slug}.com", "Jambi", "Asia/Jakarta")
    archive.save_article(release_record("hajarnews", "hajarnews", "https://hajarnews.com/a/"))
    archive.save_article(release_record("unrelated", "hajarnews", "https://hajarnews.com/b/"))
    with archive.db.atomic():  # back to the schema of m004-m006, with its 6 bands of hex bits
        archive.db.execute("DROP TABLE fingerprint_bands")
        archive.db.execute("DROP INDEX articles_fingerprint")
        archive.db["fingerprint_bands"].create({"band": int, "value": str, "article_id": int},
                                               pk=("band", "value", "article_id"))
        archive.db.execute("INSERT INTO fingerprint_bands VALUES (0, 'abc', 1)")
        archive.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm007_fingerprint_pairs'")
    archive.close()
    archive = Archive(path)
    assert archive.upgraded == ["m007_fingerprint_pairs"]
    simhashes = dict(archive.db.execute("SELECT id, simhash FROM articles").fetchall())
    assert sorted(archive.db.execute("SELECT band, value, article_id FROM fingerprint_bands").fetchall()) == sorted(
        (n, key, article_id) for article_id, simhash in simhashes.items()
        for n, key in fingerprint.keys(int(simhash, 16)))
    archive.save_article(release_record("jambione", "jambione", "https://jambione.com/c/"))
    clusters = {r["url"]: r["cluster_id"] for r in archive.db.query("select url, cluster_id from articles")}
    assert clusters == {"https://hajarnews.com/a/": 1, "https://hajarnews.com/b/": 2, "https://jambione.com/c/": 1}


def test_a_v1_archive_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "archive" / "v1.db", path)
    archive = Archive(path)
    assert archive.upgraded == ["m002_discovery_plans_and_run_alarms", "m003_stemmed_search", "m004_history",
                                "m005_band_index", "m006_write_path", "m007_fingerprint_pairs", "m008_listed_at",
                                "m009_places", "m010_not_fetched"]
    assert ["article_id"] in [i.columns for i in archive.db["fingerprint_bands"].indexes]
    assert [p["listed_at"] for p in archive.db["pages"].rows] == [None, None]
    assert archive.db["articles"].count == 2 and archive.db["pages"].count == 2
    assert {"warc_file", "digest"} <= set(archive.db["pages"].columns_dict)
    assert {"gone_at", "cluster_id", "record_hash"} <= set(archive.db["articles"].columns_dict)
    assert archive.db["stems"].count == 0  # v1 had the stemmed index; stems are kept from now on
    assert search.rebuild_index(archive.db) == 2
    assert archive.db.execute("SELECT stem FROM stems WHERE word = 'memperketat'").fetchall() == [("ketat",)]
    counts = reparse_all(archive)  # v1 kept bodies gzip-compressed in the database
    assert sum(counts.values()) == 2 and counts["newly accepted"] == 0
    assert Archive(path).upgraded == []


def test_exports(copy, tmp_path):
    def export(*args):
        return subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "export", "--db", str(copy), *args],
                              capture_output=True, text=True, cwd=ROOT)

    lines = export("--search", "kerjasama daerah").stdout.splitlines()
    (record,) = [json.loads(line) for line in lines]
    assert record["dateline"] == "Kualatungkal" and record["authors"] == ["Oddy Pratama"]
    rows = list(csv.DictReader(io.StringIO(export("--format", "csv", "--since", "2021-06-01",
                                                  "--until", "2021-06-30").stdout)))
    june = [a for a in (yaml.safe_load(p.read_text(encoding="utf-8")) for p in (SAMPLE_SITE / "articles").glob("*.yml"))
            if (datetime.fromisoformat(a["date_gmt"]) + timedelta(hours=7)).strftime("%Y-%m") == "2021-06"]
    assert sorted(r["title"] for r in rows) == sorted(a["title"] for a in june) and len(june) >= 3
    assert all(r["published_at"][:7] == "2021-06" for r in rows)
    out = tmp_path / "export.warc.gz"
    result = export("--format", "warc", "-o", str(out))
    assert result.stderr.strip().endswith(f"exported {ARTICLES} articles")
    assert subprocess.run([str(BIN / "warcio"), "check", str(out)]).returncode == 0


def segments(db: sqlite_utils.Database, table: str) -> int:
    """FTS5 segments of an index: its `_data` rows are numbered segment id << 37 onwards (fts5_index.c)."""
    return db.execute(f"SELECT count(DISTINCT id >> 37) FROM [{table}_data] WHERE id >= 1 << 37").fetchone()[0]


def test_optimize_merges_each_full_text_index_into_one_segment_and_finds_the_same(copy):
    archive = Archive(copy)
    for n in range(3):  # three more commits, three more segments
        with archive.db.atomic():
            archive.db.execute("UPDATE articles SET title = title || ' ' WHERE id = ?", [n + 1])
            search.index_article(archive.db, n + 1, search.stem_columns(archive.db, search.index_words(
                next(archive.db.query("SELECT title, description, body_text FROM articles WHERE id = ?", [n + 1])))))
    queries = ["kerjasama daerah", "bupati", "jembatan", "olahraga"]
    found = {q: [r[0] for r in search.find(archive.db.conn, q).rows] for q in queries}
    assert min(segments(archive.db, t) for t in ("articles_fts", search.STEM_TABLE)) > 1
    archive.close()
    result = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "optimize", "--db", str(copy)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"full-text indexes of {copy} merged in ")
    archive = Archive(copy)
    assert [segments(archive.db, t) for t in ("articles_fts", search.STEM_TABLE)] == [1, 1]
    assert {q: [r[0] for r in search.find(archive.db.conn, q).rows] for q in queries} == found
    assert found["kerjasama daerah"] and found["bupati"]
    for table in ("articles_fts", search.STEM_TABLE):
        archive.db.execute(f"INSERT INTO [{table}]([{table}]) VALUES('integrity-check')")
