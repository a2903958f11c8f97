"""Discovery documents read into links: sitemaps (core, Yoast, Google News), feeds, WP REST, listings."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from hajar_scraper.spiders import discovery
from hajar_scraper.spiders.news import parse_bound
from hajar_scraper.urls import url_date

UTC = timezone.utc

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://hajarnews.com/2021/07/20/hewan-kurban/</loc>
  <news:news><news:publication><news:name>Hajarnews</news:name><news:language>id</news:language></news:publication>
   <news:publication_date>2021-07-20T12:00:30+07:00</news:publication_date>
   <news:title>Pemkab Salurkan Hewan Kurban</news:title></news:news></url>
</urlset>"""


def test_google_news_sitemap_keeps_publication_date_and_title():
    kind, links = discovery.read_sitemap(NEWS_SITEMAP)
    assert kind == "urlset"
    assert links == [discovery.Link("https://hajarnews.com/2021/07/20/hewan-kurban/", modified=None,
                                    published=datetime(2021, 7, 20, 5, 0, 30, tzinfo=UTC),
                                    title="Pemkab Salurkan Hewan Kurban", listed_at="2021-07-20T05:00:30+00:00")]


def test_a_listing_that_gives_only_a_day_keeps_it_a_day():
    """Google News allows `YYYY-MM-DD`: the parser is given the day, not an invented midnight."""
    (link,) = discovery.read_sitemap(NEWS_SITEMAP.replace(b"2021-07-20T12:00:30+07:00", b"2021-07-20"))[1]
    assert (link.published, link.listed_at) == (datetime(2021, 7, 20, tzinfo=UTC), "2021-07-20")


def test_sitemap_index_with_lastmod():
    body = b"""<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <sitemap><loc>https://x.id/post-sitemap.xml</loc><lastmod>2021-05-25T10:15:03+00:00</lastmod></sitemap>
    <sitemap><loc>https://x.id/post-sitemap2.xml</loc></sitemap></sitemapindex>"""
    kind, links = discovery.read_sitemap(body)
    assert kind == "sitemapindex"
    assert [(l.url, l.modified) for l in links] == [
        ("https://x.id/post-sitemap.xml", datetime(2021, 5, 25, 10, 15, 3, tzinfo=UTC)),
        ("https://x.id/post-sitemap2.xml", None)]


@pytest.mark.parametrize("body, message", [
    (b"<html><body>Halaman tidak ditemukan</body></html>", "root element 'html' is not a sitemap"),
    (b"", "unreadable sitemap"),
])
def test_not_a_sitemap_is_a_clear_error(body, message):
    with pytest.raises(ValueError, match=message):
        discovery.read_sitemap(body)


def test_rss_and_atom_feeds():
    rss = b"""<rss version="2.0"><channel><item><title>A</title><link>https://x.id/2021/05/25/a/</link>
      <pubDate>Tue, 25 May 2021 09:42:37 +0000</pubDate></item></channel></rss>"""
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>B</title>
      <link rel="alternate" href="https://x.id/b/"/><published>2021-05-25T09:42:37Z</published>
      <updated>2021-05-26T01:00:00Z</updated></entry></feed>"""
    (item,) = discovery.read_feed(rss)
    assert (item.url, item.published, item.title) == ("https://x.id/2021/05/25/a/",
                                                      datetime(2021, 5, 25, 9, 42, 37, tzinfo=UTC), "A")
    assert item.listed_at == "2021-05-25T09:42:37+00:00"
    (entry,) = discovery.read_feed(atom)
    assert (entry.url, entry.modified) == ("https://x.id/b/", datetime(2021, 5, 26, 1, 0, tzinfo=UTC))


def test_wp_rest_posts_dates_are_utc_without_suffix():
    body = json.dumps([{"id": 1, "link": "https://x.id/a/", "date_gmt": "2021-05-25T09:42:37",
                        "modified_gmt": "2021-05-25T10:15:03"}]).encode()
    (link,) = discovery.read_wp_posts(body)
    assert (link.published, link.modified) == (datetime(2021, 5, 25, 9, 42, 37, tzinfo=UTC),
                                               datetime(2021, 5, 25, 10, 15, 3, tzinfo=UTC))
    assert link.listed_at == "2021-05-25T09:42:37+00:00"  # UTC, not the site's zone
    with pytest.raises(ValueError, match="not a list of posts"):
        discovery.read_wp_posts(b'{"code": "rest_post_invalid_page_number"}')


def test_listing_page_links_dates_and_next():
    body = b"""<html><body><article class="post"><h2 class="entry-title"><a href="/2021/05/25/a/">A</a></h2>
      <time class="entry-date published" datetime="2021-05-25T16:42:37+07:00">25 Mei</time></article>
      <article class="post"><h2 class="entry-title"><a href="/2021/05/20/b/">B</a></h2></article>
      <a class="next page-numbers" href="/category/x/page/3/">Berikutnya</a></body></html>"""
    links, nxt = discovery.read_listing(body, "https://x.id/category/x/page/2/")
    assert [(l.url, l.published) for l in links] == [
        ("https://x.id/2021/05/25/a/", datetime(2021, 5, 25, 9, 42, 37, tzinfo=UTC)),
        ("https://x.id/2021/05/20/b/", None)]
    assert nxt == "https://x.id/category/x/page/3/"


def test_url_date_and_bounds():
    assert url_date("https://x.id/2021/05/25/a/") == "2021-05-25"
    assert url_date("https://x.id/a/") is None
    # Dated permalinks of real outlets: Kompas, a dashed day, Yahoo's story id; no day, no date.
    assert url_date("http://regional.kompas.com/read/2015/11/04/21040031/Polres.Lhokseumawe") == "2015-11-04"
    assert url_date("https://x.id/news/2024-05-03/judul") == "2024-05-03"
    assert url_date("http://headlines.yahoo.co.jp/hl?a=20170309-35097838-cnetj-sci") == "2017-03-09"
    assert url_date("https://x.id/2021/05/judul/") is None
    assert url_date("https://x.id/berita/d-6453785/judul") is None
    assert url_date("https://x.id/2021/13/45/judul/") is None
    assert url_date("https://www2024.x.id/a/") is None
    assert parse_bound("2021-06-01", "Asia/Jakarta").isoformat() == "2021-06-01T00:00:00+07:00"
    assert parse_bound("2021-06-01", "Asia/Jakarta", end_of_day=True).isoformat() == "2021-06-01T23:59:59+07:00"
    with pytest.raises(ValueError):
        parse_bound("2021-13-01", "Asia/Jakarta")
