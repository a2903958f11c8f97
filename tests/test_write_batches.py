"""Items are archived in batches, one transaction each: nothing is written half, a failing item costs itself only."""

from __future__ import annotations

import json
import sqlite3

import pytest

from scrapy import signals
from scrapy.utils.test import get_crawler

from conftest import FIXTURES
from hajar_scraper import search
from hajar_scraper.archive import Archive
from hajar_scraper.encoding import decode_page
from hajar_scraper.items import ArticleItem, PageItem
from hajar_scraper.parsers import parse_article
from hajar_scraper.pipelines import ArchivePipeline
from hajar_scraper.spiders.sites import HajarnewsSpider

EXPECTED = {p: json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))
            for p in sorted(FIXTURES.glob("*/*.html")) if p.with_suffix(".json").exists()}
PAGES = list({e["record"]["url"]: p for p, e in EXPECTED.items() if "record" in e}.values())[:3]  # three stories


def items_of(path) -> tuple[PageItem, ArticleItem]:
    url = EXPECTED[path]["fetched_url"]
    body = path.read_bytes()
    record = parse_article(decode_page(body, "text/html"), url, site=EXPECTED[path]["record"]["site"],
                           fetched_at="2026-11-28T10:00:00+00:00")
    return (PageItem(url, 200, {"Content-Type": "text/html"}, "2026-11-28T10:00:00+00:00", body),
            ArticleItem(record, url))


def open_pipeline(db, batch: int) -> ArchivePipeline:
    crawler = get_crawler(HajarnewsSpider, {"HAJAR_DB": str(db), "HAJAR_WRITE_BATCH": batch})
    crawler.spider = HajarnewsSpider.from_crawler(crawler, base_url="http://127.0.0.1:9")
    pipeline = ArchivePipeline.from_crawler(crawler)
    pipeline.open_spider()
    return pipeline


def close(pipeline: ArchivePipeline) -> None:
    """As Scrapy ends a crawl: the pipelines close, then `spider_closed` says why (and the run is closed)."""
    pipeline.close_spider()
    pipeline.crawler.signals.send_catch_log(signals.spider_closed, spider=pipeline.crawler.spider, reason="finished")


def articles(db) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [url for (url,) in conn.execute("SELECT url FROM articles ORDER BY url")]


def test_a_batch_lands_whole_when_full_and_the_rest_at_close(tmp_path):
    db = tmp_path / "a.db"
    pipeline = open_pipeline(db, batch=4)
    first, second, third = (items_of(p) for p in PAGES[:3])
    for item in (*first, second[0]):
        pipeline.process_item(item)
    assert articles(db) == []  # three items pending: nothing written yet, not even the first article
    pipeline.process_item(second[1])
    assert articles(db) == sorted([first[1].record["url"], second[1].record["url"]])
    for item in third:
        pipeline.process_item(item)
    close(pipeline)
    assert articles(db) == sorted(i[1].record["url"] for i in (first, second, third))
    with sqlite3.connect(db) as conn:  # each article is linked to the fetch it came from
        assert conn.execute("SELECT count(*) FROM articles a JOIN pages p ON p.id = a.page_id").fetchone() == (3,)
        assert conn.execute("SELECT new, failed, rejected, status FROM crawl_runs").fetchall() == [
            (3, 0, 0, "finished")]


def test_an_item_that_cannot_be_written_costs_itself_only(tmp_path, monkeypatch):
    db = tmp_path / "a.db"
    pipeline = open_pipeline(db, batch=6)
    batch = [items_of(p) for p in PAGES[:3]]
    broken = batch[1][1].record["url"]
    save = pipeline.archive.save_article

    def failing(record, *args):
        if record["url"] == broken:
            raise OverflowError("Python int too large to convert to SQLite INTEGER")
        return save(record, *args)

    monkeypatch.setattr(pipeline.archive, "save_article", failing)
    for pair in batch:
        for item in pair:
            pipeline.process_item(item)
    close(pipeline)
    assert articles(db) == sorted([batch[0][1].record["url"], batch[2][1].record["url"]])
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT url, reason, detail FROM rejects").fetchall() == [
            (broken, "archive_error", "OverflowError: Python int too large to convert to SQLite INTEGER")]
        assert conn.execute("SELECT count(*) FROM pages").fetchone() == (3,)


def test_an_article_failing_half_way_leaves_nothing_of_itself(tmp_path, monkeypatch):
    """Its row, names and fingerprint keys are written before its stemmed index entry: all go back."""
    db = tmp_path / "hajarnews.db"
    archive = Archive(db)
    first, second = (items_of(path)[1].record for path in PAGES[:2])
    for record in (first, second):
        archive.ensure_site(record["site"], record["site"], "https://example.com", "Jambi", "Asia/Jakarta")

    def broken(*args):
        raise sqlite3.OperationalError("disk I/O error")

    def rows() -> list[int]:
        return [archive.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("articles", "articles_authors", "images", "fingerprint_bands", "articles_fts")]

    monkeypatch.setattr(search, "index_article", broken)
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        archive.save_article(first)  # on its own: its own transaction, rolled back
    assert rows() == [0, 0, 0, 0, 0] and not archive.db.conn.in_transaction
    monkeypatch.undo()
    with archive.db.atomic():  # in a batch: the article before it stays
        archive.save_article(first)
        kept = rows()
        monkeypatch.setattr(search, "index_article", broken)
        with pytest.raises(sqlite3.OperationalError):
            archive.save_article(second)
        assert rows() == kept
    archive.close()
    assert articles(db) == [first["url"]]
    assert kept == [1, len(first["authors"]), len(first["images"]), 21, 1]
    assert kept[1] >= 1 and kept[2] >= 1  # the story chosen has names and images to lose


def test_a_save_on_its_own_is_committed_whatever_its_outcome(tmp_path):
    """Outside a batch each save is its own transaction (an unchanged one a single statement, which
    sqlite-utils commits): another reader sees it at once, and no transaction stays open."""
    db = tmp_path / "hajarnews.db"
    archive = Archive(db)
    record = items_of(PAGES[0])[1].record
    archive.ensure_site(record["site"], record["site"], "https://example.com", "Jambi", "Asia/Jakarta")
    later = {**record, "fetched_at": "2026-11-29T10:00:00+00:00"}
    assert [archive.save_article(record), archive.save_article(later)] == ["new", "unchanged"]
    assert not archive.db.conn.in_transaction
    with sqlite3.connect(db) as reader:
        assert reader.execute("SELECT url, last_seen_at FROM articles").fetchall() == [
            (record["url"], "2026-11-29T10:00:00+00:00")]
    archive.close()
