"""The publication time a listing gives reaches the parser: a page that prints no date is dated by its news
sitemap, REST post or feed item, keeps that date on a reparse, and a page's own date beats its listing's."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlite_utils

from conftest import ROOT, run_crawl
from hajar_scraper.archive import held_time
from hajar_scraper.spiders.discovery import Link
from hajar_scraper.spiders.sites import HajarnewsSpider

PARAGRAPHS = {
    "jembatan-baru": ["Kualatungkal, Hajarnews.com – Jembatan baru di Desa Teluk Nilau mulai dibangun oleh "
                      "pemerintah kabupaten pada pekan ini.",
                      "Kepala dinas pekerjaan umum mengatakan pembangunan jembatan itu ditargetkan selesai sebelum "
                      "akhir tahun anggaran berjalan.",
                      "Warga menyambut baik pembangunan tersebut karena selama ini mereka harus memutar jauh untuk "
                      "sampai ke pasar kecamatan."],
    "pasar-baru": ["Kualatungkal, Hajarnews.com – Pasar baru Kecamatan Tungkal Ilir diresmikan bupati bersama "
                   "unsur forkopimda setempat.",
                   "Sebanyak dua ratus pedagang sudah menempati los dan kios yang disediakan pemerintah daerah "
                   "secara bergiliran.",
                   "Bupati berharap pasar itu menggerakkan ekonomi warga pesisir yang selama ini bergantung pada "
                   "hasil laut."],
    "jembatan-lama": ["Kualatungkal, Hajarnews.com – Jembatan lama di Parit Lapis diperbaiki setelah lantainya "
                      "berlubang akibat air pasang.",
                      "Perbaikan dikerjakan secara swadaya oleh warga bersama pemerintah desa selama tiga hari "
                      "berturut-turut.",
                      "Kepala desa meminta pengendara roda empat tidak melintas sampai perbaikan benar-benar "
                      "selesai dikerjakan."],
}
TITLES = {"jembatan-baru": "Jembatan Baru Mulai Dibangun", "pasar-baru": "Pasar Baru Tungkal Ilir Diresmikan",
          "jembatan-lama": "Jembatan Lama Parit Lapis Diperbaiki"}
OWN_DATE = {"jembatan-lama": "2021-05-20T08:00:00+07:00"}  # the only page that prints its date (JSON-LD)


def article_page(slug: str) -> str:
    own = OWN_DATE.get(slug)
    data = ('<script type="application/ld+json">' + json.dumps(
        {"@context": "https://schema.org", "@type": "NewsArticle", "headline": TITLES[slug], "datePublished": own})
            + "</script>") if own else ""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[slug])
    return (f'<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{TITLES[slug]} - Hajarnews.com'
            f'</title><meta property="og:title" content="{TITLES[slug]}">{data}</head><body><article class="post">'
            f'<h1 class="entry-title">{TITLES[slug]}</h1><div class="entry-content">{body}</div></article>'
            "</body></html>")


def news_sitemap(base: str) -> str:
    """Google News: a moment in UTC, a bare day, and a date the page itself contradicts; `lastmod` on the
    day each was published."""
    listed = {"jembatan-baru": "2021-05-25T09:42:00Z", "pasar-baru": "2021-05-26",
              "jembatan-lama": "2021-05-27T10:00:00+07:00"}
    lastmod = {"jembatan-baru": "2021-05-25T09:42:00Z", "pasar-baru": "2021-05-26T10:00:00+07:00",
               "jembatan-lama": "2021-05-20T01:00:00Z"}
    entries = "".join(
        f"<url><loc>{base}/berita/{slug}/</loc><lastmod>{lastmod[slug]}</lastmod>"
        f"<news:news><news:publication><news:name>Hajarnews</news:name>"
        f"<news:language>id</news:language></news:publication><news:publication_date>{when}"
        f"</news:publication_date><news:title>{TITLES[slug]}</news:title></news:news></url>"
        for slug, when in listed.items())
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{entries}</urlset>')


def rest_posts(base: str) -> str:
    """WordPress REST: `date_gmt` is UTC without an offset."""
    return json.dumps([{"id": 1, "link": f"{base}/berita/jembatan-baru/", "date_gmt": "2021-05-25T09:42:00",
                        "modified_gmt": "2021-05-25T09:42:00"}])


def feed(base: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Hajarnews</title><item>'
            f"<title>{TITLES['jembatan-baru']}</title><link>{base}/berita/jembatan-baru/</link>"
            "<pubDate>Tue, 25 May 2021 09:42:00 +0000</pubDate></item></channel></rss>")


LISTINGS = {"news-sitemap": ("/news-sitemap.xml", "application/xml", news_sitemap),
            "rest": ("/wp-json/wp/v2/posts", "application/json", rest_posts),
            "feed": ("/feed/", "application/rss+xml", feed)}


@pytest.fixture
def site(request):
    """A site on 127.0.0.1 whose only listing is `request.param`, and whose article pages print no date but one."""
    path, content_type, render = LISTINGS[request.param]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            base = f"http://127.0.0.1:{self.server.server_port}"
            route = self.path.split("?")[0]
            if route == "/robots.txt":
                self.answer(200, "text/plain", "User-agent: *\nAllow: /\n")
            elif route == path:
                self.answer(200, content_type, render(base), {"X-WP-TotalPages": "1"})
            elif route.startswith("/berita/") and route.split("/")[2] in TITLES:
                self.answer(200, "text/html; charset=UTF-8", article_page(route.split("/")[2]))
            else:
                self.answer(404, "text/html; charset=UTF-8", "<html><body><h1>Tidak ditemukan</h1></body></html>")

        def answer(self, status, kind, text, headers=None):
            body = text.encode()
            self.send_response(status)
            for name, value in {"Content-Type": kind, "Content-Length": str(len(body)), **(headers or {})}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def dated(db: sqlite_utils.Database) -> dict[str, tuple]:
    return {r["url"].split("/")[-2]: (r["published_at"], json.loads(r["provenance"]).get("published_at"),
                                      json.loads(r["provenance"]).get("published_at_precision"))
            for r in db.query("select url, published_at, provenance from articles")}


@pytest.mark.parametrize("site", ["news-sitemap"], indirect=True)
def test_a_page_without_a_date_is_dated_by_its_news_sitemap_also_after_a_reparse(site, tmp_path):
    db_path = tmp_path / "a.db"
    run_crawl(site, db_path)
    db = sqlite_utils.Database(db_path)
    expected = {"jembatan-baru": ("2021-05-25T16:42:00+07:00", "listing", None),
                "pasar-baru": ("2021-05-26", "listing", "day"),
                "jembatan-lama": ("2021-05-20T08:00:00+07:00", "jsonld", None)}  # its own date, not the listing's
    assert dated(db) == expected
    assert {r["url"].split("/")[-2]: r["listed_at"] for r in db.query("select url, listed_at from pages")} == {
        "jembatan-baru": "2021-05-25T16:42:00+07:00", "pasar-baru": "2021-05-26",
        "jembatan-lama": "2021-05-27T10:00:00+07:00"}
    assert db.execute("select published_month from articles where url like '%pasar-baru%'").fetchone() == ("2021-05",)
    db.close()
    result = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "reparse", "--db", str(db_path)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "0 changed, 3 unchanged, 0 newly rejected, 0 newly accepted, 0 still rejected"
    assert dated(sqlite_utils.Database(db_path)) == expected
    run_crawl(site, db_path)  # a listed day's `lastmod` within that day is no newer than the copy held
    assert next(sqlite_utils.Database(db_path).query(
        "select new, updated, unchanged, skipped from crawl_runs order by id desc limit 1")) == {
        "new": 0, "updated": 0, "unchanged": 0, "skipped": 3}


def test_how_new_a_held_copy_is():
    seen = datetime(2021, 6, 1, 2, 0, tzinfo=timezone.utc)
    assert held_time("2021-05-25T16:42:00+07:00", "Asia/Jakarta", seen) == datetime(2021, 5, 25, 9, 42,
                                                                                     tzinfo=timezone.utc)
    assert held_time("2021-05-26", "Asia/Jakarta", seen) == datetime(2021, 5, 26, 16, 59, 59, tzinfo=timezone.utc)
    assert held_time("2021-05-26", "Asia/Makassar", seen) == datetime(2021, 5, 26, 15, 59, 59, tzinfo=timezone.utc)
    seen_that_day = datetime(2021, 5, 26, 3, 0, tzinfo=timezone.utc)  # an edit later that day is still newer
    assert held_time("2021-05-26", "Asia/Jakarta", seen_that_day) == seen_that_day


@pytest.mark.parametrize("site, processes", [("rest", "0"), ("feed", "1")], indirect=["site"])
def test_rest_date_gmt_and_feed_pubdate_date_a_page_that_prints_none(site, processes, tmp_path):
    """REST's offset-less `date_gmt` is UTC, not the site's zone; parsed here (0) or in a worker (1)."""
    db_path = tmp_path / "a.db"
    run_crawl(site, db_path, "-s", f"HAJAR_PARSE_PROCESSES={processes}")
    db = sqlite_utils.Database(db_path)
    assert dated(db) == {"jembatan-baru": ("2021-05-25T16:42:00+07:00", "listing", None)}
    assert [r["listed_at"] for r in db.query("select listed_at from pages")] == ["2021-05-25T16:42:00+07:00"]


def test_a_listing_read_after_the_request_still_dates_the_page():
    """A sitemap lists the page undated and its request goes out; the feed read next dates it."""
    spider = HajarnewsSpider(base_url="http://127.0.0.1:9")
    url = "http://127.0.0.1:9/berita/jembatan-baru/"
    request = spider._follow(Link(url), "sitemaps")
    assert (request.url, request.meta) == (url, {})
    assert spider._follow(Link(url, listed_at="2021-05-25T09:42:00+00:00"), "feed") is None
    assert spider._late_listed == {url: "2021-05-25T16:42:00+07:00"}
    dated = spider._follow(Link(url.replace("baru", "lama"), listed_at="2021-05-26"), "feed")
    assert dated.meta == {"listed_at": "2021-05-26"}  # a listed day stays a day
