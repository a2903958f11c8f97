"""Locked down for public serving: no SQL, no writes, no scraped script, honest docs; and the Atom feeds."""

from __future__ import annotations

import json
import re
import sqlite3

import lxml.html
import sqlite_utils
import yaml
from lxml import etree

from conftest import ROOT
from test_web_archive import DANGER, XSS_URL, fetch, rows, web, web_archive  # noqa: F401

ATOM = "{http://www.w3.org/2005/Atom}"


def dangerous(text: str) -> list[str]:
    return [d for d in DANGER if d in text.lower()]


def test_the_parsed_xss_page_is_stored_clean(web_archive):
    config, _ = web_archive
    stored = sqlite3.connect(config / "hajarnews.db").execute(
        "SELECT body_html FROM articles WHERE url = ?", [XSS_URL]).fetchone()[0]
    assert dangerous(stored) == []
    assert "klik di sini" in stored and 'href="https://hajarnews.com/"' in stored


def test_xss_articles_render_without_any_script(web):
    base, ids = web
    for key in ("parsed-xss", "raw-xss"):
        status, headers, text = fetch(f"{base}/hajarnews/artikel/{ids[key]}")
        assert status == 200
        body = lxml.html.fromstring(text).xpath("//div[@class='body']")[0]
        assert dangerous(lxml.html.tostring(body, encoding="unicode")) == [], key
        assert "alert(" not in text, key
        assert headers["Content-Security-Policy"].startswith("script-src 'none'")


def test_the_raw_xss_record_keeps_its_text_and_safe_links(web):
    base, ids = web
    tree = lxml.html.fromstring(fetch(f"{base}/hajarnews/artikel/{ids['raw-xss']}")[2])
    assert [" ".join(p.text_content().split()) for p in tree.xpath("//div[@class='body']/p")] == [
        "Kualatungkal, Hajarnews.com – Lomba perahu hias meriahkan hari jadi kabupaten di Sungai Pengabuan.",
        "Peserta datang dari lima kecamatan. foto video"]
    assert tree.xpath("//div[@class='body']//a/@href") == []
    assert tree.xpath("//div[@class='body']//img/@src") == ["https://hajarnews.com/x.jpg"]


def test_sql_is_off_and_settings_bound_every_query(web):
    base, _ = web
    settings = json.loads(fetch(base + "/-/settings.json")[2])
    assert (settings["default_allow_sql"], settings["sql_time_limit_ms"], settings["max_returned_rows"],
            settings["allow_download"]) == (False, 1500, 1000, False)
    assert fetch(base + "/hajarnews.json?sql=select+1")[0] == 403
    assert fetch(base + "/hajarnews/articles.json?_where=1%3D1")[0] == 403
    assert fetch(base + "/hajarnews.db")[0] == 403


def test_no_canned_query_writes_and_no_write_plugin_is_installed(web):
    base, _ = web
    queries = yaml.safe_load((ROOT / "hajar_scraper" / "web" / "archive.yml").read_text(encoding="utf-8"))["queries"]
    assert sorted(queries) == ["articles_per_day", "by_author", "by_dateline", "by_tag", "latest",
                               "latest_feed", "place_feed", "search", "search_feed", "tag_feed"]
    for name, query in queries.items():
        assert not query.get("write"), name
        assert re.match(r"^\s*(with|select)\b", query["sql"], re.I), name
    plugins = {p["name"] for p in json.loads(fetch(base + "/-/plugins.json")[2])}
    assert plugins == {"datasette-atom", "datasette-block-robots", "hajar-scraper"}
    assert fetch(base + "/hajarnews/latest", )[0] == 200


def test_robots_may_read_only_the_home_page(web):
    base, _ = web
    assert fetch(base + "/robots.txt")[2] == "User-agent: *\nDisallow: /hajarnews\nDisallow: /jambiupdate"


def atom_entries(url: str) -> list:
    status, headers, text = fetch(url)
    assert status == 200, text[-1000:]
    return etree.fromstring(text.encode()).findall(ATOM + "entry")


def test_latest_feed_has_sanitised_bodies(web):
    base, _ = web
    entries = atom_entries(base + "/hajarnews/latest_feed.atom")
    assert len(entries) == 13
    assert entries[0].findtext(ATOM + "title") == (
        "Wabup Tanjabbar Hadiri dan Buka Secara Resmi Giat Sosialisasi Kerjasama Dalam Negeri")
    assert entries[0].find(ATOM + "link").get("href") == (
        "https://hajarnews.com/2021/05/25/wabup-tanjabbar-hadiri-dan-buka-secara-resmi-giat-sosialisasi"
        "-kerjasama-dalam-negeri/")
    assert entries[0].findtext(f"{ATOM}author/{ATOM}name") == "Odi Saputra"
    assert entries[0].findtext(ATOM + "content").startswith("<p>Kualatungkal, Hajarnews.com – Wakil Bupati")
    for entry in entries:
        assert dangerous(entry.findtext(ATOM + "content")) == [], entry.findtext(ATOM + "title")


def test_tag_and_search_feeds(web):
    base, _ = web
    assert [e.findtext(ATOM + "title") for e in atom_entries(base + "/hajarnews/tag_feed.atom?tag=Banjir")] == [
        "Warga Parit Gompong Bergotong Royong Dirikan Posko Banjir"]
    assert [e.findtext(ATOM + "title") for e in atom_entries(base + "/hajarnews/search_feed.atom?q=sehat")] == [
        "Warga Diimbau Jaga Pola Hidup Sehat", "Puskesmas Kuala Tungkal Gelar Cek Kesehatan Gratis"]


def test_a_feed_with_no_articles_yet_is_empty_not_an_error(web):
    base, _ = web
    status, headers, text = fetch(base + "/hajarnews/search_feed.atom?q=zzzzz")
    assert (status, headers["Content-Type"]) == (200, "application/xml; charset=utf-8")
    feed = etree.fromstring(text.encode())
    assert (feed.findtext(ATOM + "title"), feed.findall(ATOM + "entry")) == ("Search results (Atom feed)", [])
    assert fetch(base + "/hajarnews/nosuchquery.atom")[0] == 404


def test_canned_queries_by_author_tag_dateline_and_day(web):
    base, _ = web
    assert [r["title"] for r in rows(base + "/hajarnews/by_author.json?author=Siti+Aminah")] == [
        "Warga Diimbau Jaga Pola Hidup Sehat", "Guru Diminta Mengajar dengan Hati",
        "Dinas Pendidikan Tanjabbar Salurkan Buku Bacaan"]
    assert [r["title"] for r in rows(base + "/hajarnews/by_tag.json?tag=Vaksinasi")] == [
        "Bupati Minta Camat Percepat Vaksinasi"]
    assert [r["title"] for r in rows(base + "/hajarnews/by_dateline.json?dateline=Merlung")] == [
        "Guru Diminta Mengajar dengan Hati"]
    assert rows(base + "/hajarnews/articles_per_day.json")[:3] == [
        {"day": "2021-05-25", "articles": 3}, {"day": "2021-05-24", "articles": 2},
        {"day": "2021-05-22", "articles": 1}]
    assert rows(base + "/hajarnews/latest.json")[0]["title"] == (
        "Wabup Tanjabbar Hadiri dan Buka Secara Resmi Giat Sosialisasi Kerjasama Dalam Negeri")


def test_metadata_describes_every_table_and_column_of_the_archive(web_archive):
    """Like tests/test_datasette.py, on the archive built here, so it holds before any crawl works."""
    config, _ = web_archive
    tables = yaml.safe_load((ROOT / "hajar_scraper" / "web" / "archive.yml").read_text(encoding="utf-8"))["tables"]
    db = sqlite_utils.Database(config / "hajarnews.db")
    shadow = re.compile(r"^articles_fts(_stem)?_(data|idx|content|docsize|config)$|^articles_fts$")
    for table in db.table_names():
        if shadow.match(table):
            continue
        assert tables.get(table, {}).get("description"), f"table {table} has no description"
        described = tables[table].get("columns", {})
        missing = [c for c in db[table].columns_dict if not described.get(c)]
        assert missing == [], f"{table}: undescribed columns {missing}"
