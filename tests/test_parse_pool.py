"""Pages parsed in worker processes give exactly what parsing in the crawl process gives."""

from __future__ import annotations

import asyncio
import gc
import json
import os
import signal
import subprocess
import sys
import time

import sqlite_utils

from conftest import FIXTURES, ROOT, run_crawl
from hajar_scraper import fingerprint, stems
from hajar_scraper.archive import Archive
from hajar_scraper.crawlstate import CrawlState
from hajar_scraper.parse_pool import ParsePool, parse_bytes, parse_in_order
from hajar_scraper.prepared import record_hash
from hajar_scraper.sanitise import sanitise
from hajar_scraper.spiders.sites import HajarnewsSpider
from hajar_scraper.stems import forget_stems, stem_text, stem_word
from hajar_scraper.parsers import parse_article

SEED_URL = "https://hajarnews.com/2021/05/25/wabup-tanjabbar-hadiri-dan-buka-secara-resmi-giat-sosialisasi-kerjasama-dalam-negeri/"
SEED = (FIXTURES / "hajarnews" / "seed.html").read_bytes()
FETCHED_AT = "2026-11-28T10:00:00+00:00"
NO_STORY = (b'<html><head><meta property="og:type" content="article"><title>Bupati meresmikan jembatan</title></head>'
            b"<body><article><h1>Bupati meresmikan jembatan</h1><p>Kualatungkal - Bupati meresmikan jembatan baru"
            b" di desa itu pada Senin pagi bersama warga.</p></article></body></html>")
CONTENT_TYPE = "text/html; charset=UTF-8"


def parse_all(pool: ParsePool, pages: list[tuple[bytes, str]]) -> list[tuple]:
    async def run():
        return await asyncio.gather(*(pool.parse(body, CONTENT_TYPE, url, "hajarnews", FETCHED_AT)
                                      for body, url in pages))
    return asyncio.run(run())


def test_every_outcome_is_a_plain_value():
    record = parse_article(SEED.decode(), SEED_URL, site="hajarnews", fetched_at=FETCHED_AT)
    outcome = parse_bytes(SEED, CONTENT_TYPE, SEED_URL, "hajarnews", FETCHED_AT)
    assert (outcome[0], outcome[1].record) == ("record", record)
    assert parse_bytes(NO_STORY, CONTENT_TYPE, "https://hajarnews.com/2021/05/25/jembatan/", "hajarnews",
                       FETCHED_AT) == ("rejected", "missing_field",
                                       "required field 'body_text' is missing: no content block found")
    assert parse_bytes(b"", CONTENT_TYPE, SEED_URL, "hajarnews", FETCHED_AT) == ("rejected", "bad_page", "empty page")


def test_a_worker_process_returns_the_same_record_prepared_and_the_exact_rejection():
    """A `MissingField` raised in a worker would come back with a garbled message if it were pickled."""
    pool = ParsePool(1)
    try:
        outcomes = parse_all(pool, [(SEED, SEED_URL), (NO_STORY, "https://hajarnews.com/2021/05/25/jembatan/")])
        worker = next(iter(pool._executor._processes.values()))
        assert worker.pid != os.getpid()
    finally:
        pool.close()
    record = parse_article(SEED.decode(), SEED_URL, site="hajarnews", fetched_at=FETCHED_AT)
    kind, prepared = outcomes[0]
    assert (kind, prepared.record) == ("record", record)
    computed = vars(prepared)  # what the worker computed and sent along, not computed again here
    assert computed["digest"] == record_hash(record)
    assert computed["body_html"] == sanitise(record["body_html"])
    assert computed["simhash"] == fingerprint.simhash(record["body_text"])
    assert prepared.stemmed == [stem_text(record[c]) for c in stems.COLUMNS]
    assert prepared.stemmed[0] == "wabup tanjabbar hadir dan buka cara resmi giat sosialisasi kerjasama dalam negeri"
    assert prepared.new_stems == {w: stem_word(w) for ws in stems.index_words(record) for w in ws}
    assert outcomes[1] == ("rejected", "missing_field", "required field 'body_text' is missing: no content block found")


def test_a_worker_that_dies_costs_its_page_as_a_parser_error_and_the_next_page_gets_a_new_worker():
    pool = ParsePool(1)
    try:
        parse_all(pool, [(SEED, SEED_URL)])
        worker = next(iter(pool._executor._processes.values()))
        os.kill(worker.pid, signal.SIGKILL)
        time.sleep(0.5)  # the pool notices the death and breaks
        lost = parse_all(pool, [(SEED, SEED_URL)])
        again = parse_all(pool, [(SEED, SEED_URL)])
    finally:
        pool.close()
    assert lost[0][:1] == ("parser_error",) and lost[0][1].startswith("BrokenProcessPool: the parsing process died")
    assert again[0][0] == "record" and again[0][1].record["url"] == SEED_URL


def _articles(db) -> list[dict]:
    skip = {"id", "fetched_at", "first_seen_at", "last_seen_at", "last_changed_at", "page_id", "cluster_id"}
    rows = sqlite_utils.Database(db).query("SELECT * FROM articles ORDER BY url")
    return [{k: v for k, v in row.items() if k not in skip} for row in rows]


def test_a_crawl_parsing_in_two_workers_archives_what_a_crawl_parsing_in_process_does(sample_site, tmp_path):
    inline, pooled = tmp_path / "inline.db", tmp_path / "pooled.db"
    run_crawl(sample_site, inline, "-s", "HAJAR_PARSE_PROCESSES=0")
    run_crawl(sample_site, pooled, "-s", "HAJAR_PARSE_PROCESSES=2")
    expected = _articles(inline)
    assert len(expected) == 34
    assert _articles(pooled) == expected
    same = ["SELECT url, reason, detail FROM rejects ORDER BY url", "SELECT url, reason, detail FROM fetch_errors ORDER BY url",
            "SELECT word, stem FROM stems ORDER BY word",
            "SELECT a.url, s.title, s.description, s.body_text FROM articles_fts_stem s JOIN articles a ON a.id = s.rowid"
            " ORDER BY a.url",
            "SELECT a.url, b.band, b.value FROM fingerprint_bands b JOIN articles a ON a.id = b.article_id"
            " ORDER BY a.url, b.band"]
    for sql in same:
        assert list(sqlite_utils.Database(pooled).query(sql)) == list(sqlite_utils.Database(inline).query(sql)), sql
    assert sqlite_utils.Database(pooled)["stems"].count > 1000


KEEPS_A_WORKER = """
import asyncio, sys, time
from hajar_scraper.parse_pool import ParsePool
if __name__ == "__main__":
    pool = ParsePool(1)
    asyncio.run(pool.parse(b"<html></html>", "text/html", "https://hajarnews.com/a/", "hajarnews", "2026-11-28T10:00:00+00:00"))
    print(next(iter(pool._executor._processes)), flush=True)
    time.sleep(60)
"""


def test_workers_exit_when_the_crawl_process_is_killed(tmp_path):
    script = tmp_path / "keeps_a_worker.py"
    script.write_text(KEEPS_A_WORKER)
    crawl = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    worker = int(crawl.stdout.readline())
    os.kill(worker, 0)  # alive
    crawl.kill()
    crawl.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{worker}") and _state(worker) != "Z":
        time.sleep(0.05)
    assert not os.path.exists(f"/proc/{worker}") or _state(worker) == "Z"


def _state(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_a_parsing_process_reads_the_stems_the_archive_knows_and_sends_only_those_sastrawi_made(tmp_path):
    archive = Archive(tmp_path / "a.db")
    with archive.db.atomic():  # a stem Sastrawi would not give, so where it came from shows
        archive.db.execute("INSERT INTO stems (word, stem) VALUES ('pembangunan', 'pembangunan-dari-arsip')")
    archive.close()
    forget_stems()
    try:
        texts = [["pembangunan", "dibangun"], ["dibangun"]]
        assert stems.stem_columns_offline(texts, str(tmp_path / "a.db")) == (
            ["pembangunan-dari-arsip bangun", "bangun"], {"dibangun": "bangun"})
        assert stems.stem_columns_offline(texts, str(tmp_path / "a.db")) == (
            ["pembangunan-dari-arsip bangun", "bangun"], {})  # known now: nothing new to keep
        forget_stems()
        assert stems.stem_columns_offline([["pembangunan"]], str(tmp_path / "missing.db")) == (
            ["bangun"], {"pembangunan": "bangun"})
    finally:
        forget_stems()


def test_the_crawl_starts_its_parsing_processes_with_the_archive_and_settles_its_heap(tmp_path):
    spider = HajarnewsSpider(base_url="http://127.0.0.1:9")
    spider.parsing = ParsePool(1)
    spider.state = CrawlState(path=str(tmp_path / "a.db"))
    threshold = gc.get_threshold()
    try:
        spider._opened()
        assert spider.parsing.stems_from == str(tmp_path / "a.db")
        assert len(spider.parsing._executor._processes) == 1
        assert gc.get_threshold() == (10_000, 20, 100) and gc.get_freeze_count() > 0
    finally:
        spider.parsing.close()
        gc.unfreeze()
        gc.set_threshold(*threshold)


def test_pages_parsed_in_order_by_two_workers_come_back_in_their_order():
    urls = [f"https://hajarnews.com/2021/05/25/kabar-{n}/" for n in range(12)]
    jobs = [(SEED.replace(b"Wabup Tanjabbar", f"Berita {n}".encode()), CONTENT_TYPE, url, "hajarnews", FETCHED_AT)
            for n, url in enumerate(urls)]
    outcomes = list(parse_in_order(iter(jobs), 2))
    assert [o[1].record["title"].split(" Hadiri")[0] for o in outcomes] == [f"Berita {n}" for n in range(12)]
    assert all(o[1].stemmed is not None for o in outcomes)  # prepared in the workers
    assert [o[1].stemmed for o in parse_in_order(iter(jobs[:2]), 0)] == [None, None]  # here: the writer stems


def test_the_crawl_process_does_not_load_the_parsers():
    """Its workers parse; the parsers and extruct would cost the crawl process ~10 MB and 0.4 s for nothing."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, hajar_scraper.cli, hajar_scraper.spiders.sites, hajar_scraper.pipelines;"
         " print(sorted(m for m in sys.modules if m.startswith(('hajar_scraper.parsers', 'extruct'))))"],
        capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


WORKER = """
import json, sys
from hajar_scraper import parse_pool
parse_pool._warm("hajarnews")  # what a worker runs first: the profile, the parsers, the places tagger
kind, prepared = parse_pool.parse_bytes(open(sys.argv[1], "rb").read(), "text/html; charset=UTF-8", sys.argv[2],
                                        "hajarnews", "2026-11-28T10:00:00+00:00", complete=True, stems_from=sys.argv[3])
archive = ("sqlite_utils", "warcio", "hajar_scraper.schema", "hajar_scraper.archive", "hajar_scraper.search",
           "hajar_scraper.placestore", "scrapy", "twisted")
print(json.dumps({"kind": kind, "title": prepared.stemmed[0], "places": [m.code for m in prepared.places],
                  "loaded": sorted(m for m in sys.modules if m.split(".")[0] in archive or m in archive)}))
"""


def test_a_parse_worker_imports_nothing_of_the_archive(tmp_path):
    """A worker parses and prepares the write (stems read from the archive's `stems` table through sqlite3)
    without sqlite-utils, warcio, the migrations or the archive module: they cost each worker for nothing."""
    archive = Archive(tmp_path / "a.db")
    with archive.db.atomic():  # a stem Sastrawi would not give, so the worker's read of the archive shows
        archive.db.execute("INSERT INTO stems (word, stem) VALUES ('sosialisasi', 'sosialisasi-dari-arsip')")
    archive.close()
    seed = FIXTURES / "hajarnews" / "seed.html"
    result = subprocess.run([sys.executable, "-c", WORKER, str(seed), SEED_URL, str(tmp_path / "a.db")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["loaded"] == []
    assert report["kind"] == "record"
    assert report["title"] == ("wabup tanjabbar hadir dan buka cara resmi giat sosialisasi-dari-arsip kerjasama"
                               " dalam negeri")
    assert "15.06" in report["places"]  # tagged in the worker: Tanjab Barat, the outlet's home kabupaten
