"""Search in Bahasa Indonesia: Sastrawi stems in the index and the query, ranked, filtered, highlighted."""

from __future__ import annotations

import asyncio
import http.client
import json
import urllib.parse

import lxml.html
import pytest
from datasette.app import Datasette

from hajar_scraper import search
from hajar_scraper.archive import Archive
from hajar_scraper.stems import stem_word
from hajar_scraper.web import search_page
from test_web_archive import fetch, make_record, page, rows, texts, web, web_archive  # noqa: F401

TITLES = {
    "musrenbang": "Musrenbang Kecamatan Bram Itam Bahas Pembangunan Jalan Usaha Tani",
    "posko": "Warga Parit Gompong Bergotong Royong Dirikan Posko Banjir",
    "jembatan": "Jembatan Parit Lapis Mulai Dikerjakan Tahun Ini",
    "sekolah": "Atap SD Negeri 12 Rusak Diterjang Angin",
    "buku": "Dinas Pendidikan Tanjabbar Salurkan Buku Bacaan",
    "guru": "Guru Diminta Mengajar dengan Hati",
    "cek": "Puskesmas Kuala Tungkal Gelar Cek Kesehatan Gratis",
    "pola": "Warga Diimbau Jaga Pola Hidup Sehat",
    "bantuan": "Pemerintah Kabupaten Salurkan Bantuan Beras",
    "vaksinasi": "Bupati Minta Camat Percepat Vaksinasi",
    "jambi-gedung": "Gedung Olahraga Baru Dibangun di Telanaipura",
}


@pytest.mark.parametrize("word, stem", [
    ("pembangunan", "bangun"), ("membangun", "bangun"), ("dibangun", "bangun"), ("bangunan", "bangun"),
    ("pendidikan", "didik"), ("mendidik", "didik"), ("kesehatan", "sehat"), ("sehat", "sehat"),
    ("pemerintah", "perintah"), ("memerintah", "perintah"), ("Kualatungkal", "kualatungkal"), ("2021", "2021"),
])
def test_word_families_share_a_stem(word, stem):
    assert stem_word(word) == stem


@pytest.mark.parametrize("query, expression", [
    ("pembangunan jembatan", '"bangun" "jembatan"'),
    ('"dinas pendidikan" kesehatan', '"dinas didik" "sehat"'),
    ('NEAR(a b) OR * "', '"near a" "b" "or"'),
    ("kerja-sama", '"kerja sama"'),
    ("pembangunan Pembangunan", '"bangun"'),
    ("", '""'),
    ("  ¿? ", '""'),
])
def test_queries_become_quoted_stem_expressions(query, expression):
    assert search.stem_query(query) == expression


def test_snippet_marks_every_form_of_the_word_and_escapes_the_rest():
    text = "Warga <b>membangun</b> posko. Jembatan dibangun & pembangunan jalan dimulai."
    assert search.snippet(text, "bangunan", 0) == (
        "Warga &lt;b&gt;<mark>membangun</mark>&lt;/b&gt; posko. Jembatan <mark>dibangun</mark> &amp; "
        "<mark>pembangunan</mark> jalan dimulai.")


def test_snippet_window_centres_on_the_hits():
    text = " ".join(f"kata{i}" for i in range(100)) + " membangun rumah " + " ".join(f"akhir{i}" for i in range(50))
    assert search.snippet(text, "pembangunan", 8) == "…kata96 kata97 kata98 kata99 <mark>membangun</mark> rumah akhir0 akhir1…"


def test_the_archive_keeps_the_stem_index_in_step(tmp_path):
    archive = Archive(tmp_path / "a.db")
    spec = {"site": "hajarnews", "slug": "2021/05/10/jembatan", "title": "Jembatan Parit Lapis",
            "published_at": "2021-05-10T14:05:00+07:00", "authors": [], "categories": [], "tags": [],
            "body_text": "Kualatungkal, Hajarnews.com – Jembatan itu dibangun tahun ini.",
            "body_text_v2": "Kualatungkal, Hajarnews.com – Jembatan itu diperbaiki tahun ini."}
    assert archive.save_article(make_record(spec)) == "new"
    match = "SELECT rowid FROM articles_fts_stem WHERE articles_fts_stem MATCH ?"
    assert archive.db.execute(match, [search.stem_query("pembangunan")]).fetchall() == [(1,)]
    assert archive.save_article(make_record(spec, version=2)) == "updated"
    assert archive.db.execute(match, [search.stem_query("pembangunan")]).fetchall() == []
    assert archive.db.execute(match, [search.stem_query("perbaikan")]).fetchall() == [(1,)]
    assert archive.db.execute("SELECT count(*) FROM articles_fts_stem").fetchone() == (1,)
    assert search.rebuild_index(archive.db) == 1
    assert archive.db.execute(match, [search.stem_query("perbaikan")]).fetchall() == [(1,)]


def test_an_archive_from_before_the_stem_index_gets_it_filled(tmp_path):
    archive = Archive(tmp_path / "old.db")
    spec = {"site": "hajarnews", "slug": "a", "title": "Sekolah Baru", "published_at": "2021-05-10T14:05:00+07:00",
            "authors": [], "categories": [], "tags": [], "body_text": "Gedung sekolah itu dibangun warga."}
    archive.save_article(make_record(spec))
    archive.db.execute("DROP TABLE articles_fts_stem")
    archive.db.execute("DELETE FROM _sqlite_migrations WHERE name = 'm003_stemmed_search'")
    archive.close()
    archive = Archive(tmp_path / "old.db")
    assert archive.db.execute("SELECT rowid, body_text FROM articles_fts_stem").fetchall() == [
        (1, "gedung sekolah itu bangun warga")]


# over HTTP, on the built archives ----------------------------------------------------------------------
def search_titles(base: str, **params) -> list[str]:
    tree = page(f"{base}/-/cari?{urllib.parse.urlencode(params)}")
    return texts(tree, "//li[@class='result']/h2/a")


def test_pembangunan_finds_membangun_dibangun_and_bangunan_ranked(web):
    base, _ = web
    found = search_titles(base, q="pembangunan")
    assert found[0] == TITLES["musrenbang"]  # the only headline hit ranks first
    assert sorted(found) == sorted(TITLES[k] for k in ("musrenbang", "posko", "jembatan", "sekolah", "jambi-gedung"))


def test_plain_fts_would_miss_them(web):
    base, _ = web
    found = rows(f"{base}/hajarnews/articles.json?_search=pembangunan")
    assert [r["title"] for r in found] == [TITLES["musrenbang"]]


@pytest.mark.parametrize("word, keys", [
    ("pendidikan", {"buku", "guru"}), ("mendidik", {"buku", "guru"}),
    ("kesehatan", {"cek", "pola"}), ("sehat", {"cek", "pola"}),
    ("pemerintah", {"bantuan", "vaksinasi"}), ("memerintah", {"bantuan", "vaksinasi"}),
    ("dibangun", {"musrenbang", "posko", "jembatan", "sekolah"}),
])
def test_word_families_through_the_search_query(web, word, keys):
    base, _ = web
    found = rows(f"{base}/hajarnews/search.json?" + urllib.parse.urlencode({"q": word, "since": "", "until": "",
                                                                            "sort": ""}))
    assert sorted(r["title"] for r in found) == sorted(TITLES[k] for k in keys)


def test_snippets_mark_the_words_as_published(web):
    base, _ = web
    tree = page(f"{base}/-/cari?q=pembangunan&situs=hajarnews&urut=newest")
    assert [r.xpath("string(.//p[@class='snippet'])") for r in tree.xpath("//li[@class='result']")][0] == (
        "Kualatungkal, Hajarnews.com – Bangunan SD Negeri 12 rusak diterjang angin puting beliung pada Senin "
        "sore. Tidak ada korban jiwa dalam kejadian itu.")
    assert [m.text for m in tree.xpath("//p[@class='snippet']/mark")] == [
        "Bangunan", "dibangun", "membangun", "pembangunan"]


def test_search_filters_by_site_and_date(web):
    base, _ = web
    assert sorted(search_titles(base, q="pembangunan", situs="jambiupdate")) == [TITLES["jambi-gedung"]]
    assert search_titles(base, q="pembangunan", situs="hajarnews", urut="newest") == [
        TITLES[k] for k in ("sekolah", "jembatan", "posko", "musrenbang")]
    assert search_titles(base, q="pembangunan", dari="2021-05-04", sampai="2021-05-18", urut="newest") == [
        TITLES[k] for k in ("sekolah", "jambi-gedung", "jembatan")]
    assert search_titles(base, q="pembangunan", sampai="2021-04-30") == [TITLES["musrenbang"]]
    assert search_titles(base, q="pembangunan", dari="kemarin", situs="hajarnews", urut="newest") == [
        TITLES[k] for k in ("sekolah", "jembatan", "posko", "musrenbang")]  # a malformed date is ignored


@pytest.mark.parametrize("query", ['"', "NEAR(", "*", "a OR", "-", "'; DROP TABLE articles; --", "x" * 500])
def test_odd_queries_do_not_break_the_page(web, query):
    base, _ = web
    status, _, text = fetch(f"{base}/-/cari?" + urllib.parse.urlencode({"q": query}))
    assert status == 200, text[-1000:]


def test_search_page_links_feeds_for_the_query(web):
    base, _ = web
    tree = page(f"{base}/-/cari?q=pendidikan")
    assert tree.xpath("//p[@class='feeds']/a/@href") == [
        "/hajarnews/search_feed.atom?q=pendidikan", "/jambiupdate/search_feed.atom?q=pendidikan"]
    assert json.loads(fetch(f"{base}/hajarnews/search_feed.json?q=pendidikan&_shape=array")[2])[0]["atom_title"] == (
        TITLES["guru"])


# Out of time, for real: tests/test_web_search_pages.py.


# the articles table's own search box -------------------------------------------------------------
def test_the_table_search_goes_to_the_search_page(web):
    base, _ = web
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=10)
    connection.request("GET", "/hajarnews/articles?_search=pembangunan+jalan&_sort=id")
    response = connection.getresponse()
    assert (response.status, response.getheader("Location")) == (302, "/-/cari?q=pembangunan+jalan&situs=hajarnews")
    connection.close()
    assert texts(page(f"{base}/hajarnews/articles?_search=pembangunan"), "//li[@class='result']/h2/a") == (
        search_titles(base, q="pembangunan", situs="hajarnews"))


@pytest.mark.parametrize("path, query, location", [
    ("/hajarnews/articles", "_search=jembatan", "/-/cari?q=jembatan&situs=hajarnews"),
    ("/jambiupdate/articles", "_search_title=gedung&_facet=site", "/-/cari?q=gedung&situs=jambiupdate"),
    ("/hajarnews/articles", "_search=++", None),
    ("/hajarnews/articles", "_sort=id", None),
    ("/hajarnews/articles.json", "_search=jembatan", None),  # scripts keep Datasette's plain FTS
    ("/hajarnews/articles/3", "_search=jembatan", None),
    ("/nosuchdb/articles", "_search=jembatan", None),
])
def test_table_search_redirects(path, query, location):
    plugin = search_page
    datasette = Datasette([], memory=True)
    datasette.databases.update(hajarnews=None, jambiupdate=None)
    assert plugin.table_search_redirect(datasette, path, query) == location


# the search page's rule and pages, with the rule's window shrunk to the fixture archive ----------
@pytest.fixture
def small_window(web_archive, monkeypatch):
    """In-process Datasette over the fixture archives; common = in 5 of the 10 newest ids; 5 a page."""
    monkeypatch.setattr(search, "SHARE_WINDOW", 10)
    monkeypatch.setattr(search, "COMMON_SHARE", 0.5)
    monkeypatch.setattr(search, "PAGE_SIZE", 5)
    config, _ = web_archive
    datasette = Datasette([], config_dir=config)

    def get(path):
        async def fetch_page():
            await datasette.invoke_startup()
            return await datasette.client.get(path)
        response = asyncio.run(fetch_page())
        assert response.status_code == 200, response.text[-2000:]
        return lxml.html.fromstring(response.text)
    return get


def test_a_word_in_most_articles_lists_newest_first_and_says_so(small_window):
    tree = small_window("/-/cari?q=hajarnews&situs=hajarnews")
    assert texts(tree, "//li[@class='result']/h2/a") == [
        "Wabup Tanjabbar Hadiri dan Buka Secara Resmi Giat Sosialisasi Kerjasama Dalam Negeri"] + [
        TITLES[k] for k in ("vaksinasi", "bantuan", "pola", "cek")]
    assert tree.xpath("string(//p[@class='common-words'])") == (
        "Kata hajarnews ada di satu dari dua puluh artikel terbaru atau lebih, jadi tidak dipakai untuk "
        "mengurutkan: hasil diurutkan dari yang terbaru.")
    assert tree.xpath("string(//p[@class='result-count'])").startswith("13 hasil untuk hajarnews (")
    assert tree.xpath("//nav[@class='pages']/a/@href") == ["/-/cari?q=hajarnews&situs=hajarnews&hal=2"]


def test_the_next_pages(small_window):
    tree = small_window("/-/cari?q=hajarnews&situs=hajarnews&hal=2")
    assert texts(tree, "//li[@class='result']/h2/a") == [
        TITLES["guru"], TITLES["buku"], "Warga Tungkal Ilir Gotong Royong Bersihkan Parit",
        "Lomba Perahu Hias Meriahkan Hari Jadi", TITLES["sekolah"]]  # published 22, 21, 20, 19, 18 May
    assert tree.xpath("string(//p[@class='result-count'])").endswith("; 6–10 ditampilkan.")
    assert tree.xpath("string(//nav[@class='pages'])") == "‹ Sebelumnya Halaman 2 dari 3 Berikutnya ›"
    assert len(small_window("/-/cari?q=hajarnews&situs=hajarnews&hal=3").xpath("//li[@class='result']")) == 3
    assert small_window("/-/cari?q=hajarnews&hal=9").xpath("string(//li[@class='none'])") == (
        "Tidak ada artikel yang cocok.")


def test_a_common_word_beside_a_rarer_one_is_left_out_of_the_ranking(small_window):
    tree = small_window("/-/cari?q=hajarnews+pembangunan&situs=hajarnews")
    assert texts(tree, "//li[@class='result']/h2/a")[0] == TITLES["musrenbang"]  # ranked: the headline hit first
    assert tree.xpath("string(//p[@class='common-words'])") == (
        "Kata hajarnews ada di satu dari dua puluh artikel terbaru atau lebih, jadi tidak dipakai untuk "
        "mengurutkan.")


# one site's search in one trip to its database thread ----------------------------------------------
def small_archive(path, count=3):
    archive = Archive(path)
    for i in range(count):
        archive.save_article(make_record({
            "site": "hajarnews", "slug": f"jembatan-{i}", "title": f"Jembatan {i} Dibangun", "authors": ["Ani"],
            "categories": [], "tags": [], "published_at": f"2021-05-1{i}T14:05:00+07:00",
            "body_text": f"Kualatungkal, Hajarnews.com – Jembatan {i} dibangun warga."}))
    archive.close()
    return path


def counting_trips(monkeypatch) -> list[str]:
    """Names of the databases Datasette's real `execute_fn` is asked to run on."""
    from datasette.database import Database

    trips, execute_fn = [], Database.execute_fn

    async def counted(self, fn):
        trips.append(self.name)
        return await execute_fn(self, fn)

    monkeypatch.setattr(Database, "execute_fn", counted)
    return trips


def test_one_site_is_searched_in_one_trip_with_the_same_results(tmp_path, monkeypatch):
    plugin = search_page
    datasette = Datasette([str(small_archive(tmp_path / "cepat.db")), str(small_archive(tmp_path / "kosong.db", 0))])
    trips = counting_trips(monkeypatch)
    for args in ({"q": "pembangunan"}, {"q": "pembangunan", "urut": "newest"}, {"q": "jembatan", "hal": "2"},
                 {"q": "pembangunan", "dari": "2021-05-11"}, {"q": "tidakada"}):
        form = plugin.read_form(args)
        alone = asyncio.run(plugin.run_search(datasette, form, ["cepat"]))
        assert trips == ["cepat"]
        trips.clear()
        # beside an empty archive the general path runs (common words, hits, rows: a trip each)
        assert alone == asyncio.run(plugin.run_search(datasette, form, ["cepat", "kosong"]))
        trips.clear()
    found = asyncio.run(plugin.run_search(datasette, plugin.read_form({"q": "pembangunan"}), ["cepat"]))
    assert [r["href"] for r in found.rows] == ["/cepat/artikel/3", "/cepat/artikel/2", "/cepat/artikel/1"]
    assert (found.total, found.ranked, found.rows[0]["authors"]) == (3, True, ["Ani"])


def test_a_site_search_page_is_one_trip_and_renders_as_datasette_would(web_archive, monkeypatch):
    """After the first page, the stemmed index is known to exist: one trip to the site's database a search.
    The page's template, rendered without Jinja's async mode, gives what Datasette's own rendering gives."""
    from datasette.utils.asgi import Request

    from hajar_scraper.web.rendering import render

    config, _ = web_archive
    datasette = Datasette([], config_dir=config)

    async def pages():
        await datasette.invoke_startup()
        await datasette.client.get("/-/cari?q=pembangunan&situs=hajarnews")
        with monkeypatch.context() as patch:
            trips = counting_trips(patch)
            response = await datasette.client.get("/-/cari?q=pembangunan&situs=hajarnews")
        request = Request.fake("/-/cari?q=pembangunan")
        request.scope["csrftoken"] = lambda: ""
        rows = [{"href": "/x", "title_html": "<b>x</b>", "database": "hajarnews", "dateline": "Kualatungkal",
                 "published_at": "2021-05-10T14:05:00+07:00", "authors": ["A", "B"], "snippet": "a < b"}]
        results = search_page.Results(rows, 25, True, False, ["warga"], ["jambiupdate"])
        context = {"form": {"q": "pembangunan", "situs": "", "dari": "", "sampai": "", "urut": "", "hal": 1},
                   "results": results, "rows": rows, "timed_out": results.timed_out, "databases": ["hajarnews", "jambiupdate"], "sorts": {"": "relevansi"},
                   "metadata": datasette.metadata(), "elapsed_ms": 1.5, "pages": 2, "first": 1, "previous": None,
                   "next": "/-/cari?q=pembangunan&hal=2", "feeds": [{"database": "hajarnews", "href": "/f"}]}
        return response, trips, [await render(datasette, "hajar_search.html", context, request),
                          await datasette.render_template("hajar_search.html", {**context, "script_free": True},
                                                          request=request)]

    response, trips, (synchronous, asynchronous) = asyncio.run(pages())
    assert response.status_code == 200 and "<mark>" in response.text
    assert [name for name in trips if not name.startswith("_")] == ["hajarnews"]
    assert synchronous == asynchronous and "Kualatungkal" in synchronous
