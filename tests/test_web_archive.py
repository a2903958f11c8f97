"""The Datasette archive people browse (issue 6): a real Datasette over archives built from fixture records."""

from __future__ import annotations

import html
import json
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import lxml.html
import pytest

from conftest import FIXTURES, ROOT, free_port, stop, wait_for_http
from hajar_scraper.archive import Archive
from hajar_scraper.parsers import parse_article
from hajar_scraper.record import content_hash

WEB = FIXTURES / "web"
HOSTS = {"hajarnews": "hajarnews.com", "jambiupdate": "jambiupdate.co"}
SITES = {"hajarnews": ("Hajarnews.com", "Kuala Tungkal, Tanjung Jabung Barat, Jambi"),
         "jambiupdate": ("Jambiupdate.co", "Kota Jambi, Jambi")}
XSS_URL = "https://hajarnews.com/2021/05/20/warga-tungkal-ilir-gotong-royong-bersihkan-parit/"
DANGER = ("<script", "onerror", "onclick", "onload", "javascript:", "<iframe", "<svg", "<style", "alert(")


def make_record(spec: dict, version: int = 1) -> dict:
    """A record (docs/record.md) from a short fixture spec (tests/fixtures/web/articles.json)."""
    body = spec["body_text_v2"] if version == 2 else spec["body_text"]
    paragraphs = body.split("\n\n")
    return {
        "url": f"https://{HOSTS[spec['site']]}/{spec['slug']}/", "site": spec["site"], "title": spec["title"],
        "published_at": spec["published_at"], "modified_at": spec.get("modified_at") if version == 2 else None,
        "body_text": body,
        "body_html": spec.get("body_html") or "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs),
        "description": spec.get("description"), "authors": spec["authors"], "editor": spec.get("editor"),
        "dateline": paragraphs[0].split(",")[0], "signature": spec.get("signature"),
        "categories": spec["categories"], "tags": spec["tags"], "images": spec.get("images", []),
        "language": "id", "word_count": len(body.split()), "content_hash": content_hash(spec["title"], body),
        "corrections": spec.get("corrections_v2", []) if version == 2 else [], "provenance": {"title": "jsonld"}, "fetched_at": "2021-05-26T02:00:00+00:00" if version == 2 else
        "2021-05-25T10:00:00+00:00", "parser_version": "test",
    }


def build_archives(directory: Path) -> dict[str, int]:
    """hajarnews.db (with a crawl run, a second version and two XSS articles) and jambiupdate.db."""
    specs = json.loads((WEB / "articles.json").read_text(encoding="utf-8"))
    ids = {}
    for site, (name, region) in SITES.items():
        archive = Archive(directory / f"{site}.db")
        archive.ensure_site(site, name, f"https://{HOSTS[site]}", region, "Asia/Jakarta")
        run_id = archive.start_run(site, {"full": True})
        for spec in specs:
            if spec["site"] == site:
                archive.save_article(make_record(spec), run_id)
                ids[spec["key"]] = archive.db.execute("SELECT id FROM articles WHERE url = ?",
                                                      [make_record(spec)["url"]]).fetchone()[0]
        if site == "hajarnews":
            page = (WEB / "xss-article.html").read_text(encoding="utf-8")
            archive.save_article(parse_article(page, XSS_URL, "hajarnews", fetched_at="2021-05-25T10:00:00+00:00"))
            ids["parsed-xss"] = archive.db.execute("SELECT id FROM articles WHERE url = ?", [XSS_URL]).fetchone()[0]
            seed = next(s for s in specs if s["key"] == "seed")
            assert archive.save_article(make_record(seed, version=2), run_id) == "updated"
            gone = make_record(next(s for s in specs if s["key"] == "vaksinasi"))["url"]
            assert archive.mark_gone(gone, "http_404")
            archive.db["articles"].update(ids["vaksinasi"], {"gone_at": "2021-06-01T03:00:00+00:00"})
        counts = {"new": 13, "updated": 1, "rejected": 2, "failed": 1} if site == "hajarnews" else {"new": 2}
        fill = {"authors": 100.0, "dateline": 92.3, "description": 7.7, "images": 15.4, "tags": 100.0}
        archive.finish_run(run_id, "finished", {"item_scraped_count": 13}, counts, fill)
        archive.db["crawl_runs"].update(run_id, {"started_at": "2021-05-26T02:00:00+00:00",
                                                 "finished_at": "2021-05-26T02:03:10+00:00"})
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        archive.close()
    return ids


# The web test modules import these fixtures; pytest then holds one definition per module, so the
# archive and the server are kept here to be built and started once per session.
_SESSION: dict = {}


@pytest.fixture(scope="session")
def web_archive(tmp_path_factory):
    """A copy of archive/ as a config directory holding the two built archives."""
    if "archive" not in _SESSION:
        config = tmp_path_factory.mktemp("web") / "archive"
        shutil.copytree(ROOT / "archive", config, ignore=shutil.ignore_patterns("*.db", "*.db-*", "__pycache__"))
        _SESSION["archive"] = config, build_archives(config)
    return _SESSION["archive"]


@pytest.fixture(scope="session")
def web(web_archive, request):
    """A real Datasette process over the config directory; gives its base URL and the article ids."""
    if "web" not in _SESSION:
        config, ids = web_archive
        port = free_port()
        log = config.parent / "datasette.log"  # a file, not a pipe: a full pipe would stall the server
        with open(log, "wb") as output:
            process = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(config), "--host",
                                        "127.0.0.1", "--port", str(port)], stdout=output, stderr=output)
        request.session.config.add_cleanup(lambda: stop(process))
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for_http(base + "/-/versions.json")
        except OSError:
            raise AssertionError("Datasette did not start: " + log.read_text()[-3000:]) from None
        _SESSION["web"] = base, ids
    return _SESSION["web"]


def fetch(url: str) -> tuple[int, object, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8", "replace")


def page(url: str):
    status, _, text = fetch(url)
    assert status == 200, text[-2000:]
    return lxml.html.fromstring(text)


def texts(tree, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in tree.xpath(xpath)]


def rows(url: str) -> list[dict]:
    status, _, text = fetch(url + ("&" if "?" in url else "?") + "_shape=array")
    assert status == 200, text[-2000:]
    return json.loads(text)


# the home page -----------------------------------------------------------------------------------------
def test_home_lists_each_site_with_counts_and_latest(web):
    base, _ = web
    tree = page(base + "/")
    assert texts(tree, "//section[@class='site']/h2") == ["Hajarnews.com 13 artikel", "Jambiupdate.co 2 artikel"]
    assert texts(tree, "//section[@id='situs-hajarnews']//ol[@class='latest-list']/li/a") == [
        "Wabup Tanjabbar Hadiri dan Buka Secara Resmi Giat Sosialisasi Kerjasama Dalam Negeri",
        "Bupati Minta Camat Percepat Vaksinasi", "Pemerintah Kabupaten Salurkan Bantuan Beras",
        "Warga Diimbau Jaga Pola Hidup Sehat", "Puskesmas Kuala Tungkal Gelar Cek Kesehatan Gratis",
        "Guru Diminta Mengajar dengan Hati", "Dinas Pendidikan Tanjabbar Salurkan Buku Bacaan",
        "Warga Tungkal Ilir Gotong Royong Bersihkan Parit"]
    assert texts(tree, "//section[@id='situs-hajarnews']//ol[@class='latest-list']/li[1]/span") == [
        "Selasa, 25 Mei 2021 16:42 WIB · Kualatungkal"]


def test_home_chart_counts_articles_per_day_over_90_days(web):
    base, _ = web
    tree = page(base + "/")
    bars = texts(tree, "//section[@id='situs-hajarnews']//svg//rect/title")
    assert bars == ["15 Maret 2021: 1 artikel", "3 Mei 2021: 1 artikel", "10 Mei 2021: 1 artikel",
                    "18 Mei 2021: 1 artikel", "19 Mei 2021: 1 artikel", "20 Mei 2021: 1 artikel",
                    "21 Mei 2021: 1 artikel", "22 Mei 2021: 1 artikel", "24 Mei 2021: 2 artikel",
                    "25 Mei 2021: 3 artikel"]
    heights = [int(r.get("height")) for r in tree.xpath("//section[@id='situs-hajarnews']//svg//rect")]
    assert heights == [20, 20, 20, 20, 20, 20, 20, 20, 40, 60]
    assert texts(tree, "//section[@id='situs-hajarnews']//svg/text") == ["25 Februari 2021", "25 Mei 2021"]


def test_home_shows_crawl_health(web):
    base, _ = web
    tree = page(base + "/")
    site = "//section[@id='situs-hajarnews']"
    assert texts(tree, site + "//p[contains(@class, 'run')]") == [
        "Crawl terakhir #1: finished, mulai Rabu, 26 Mei 2021 09:00 WIB, selesai Rabu, 26 Mei 2021 09:03 WIB."]
    assert texts(tree, site + "//table[@class='run-counts']//td") == ["13", "1", "0", "0", "2", "1"]
    assert texts(tree, site + "//ul[@class='fill-rates']/li") == [
        "description 7.7%", "images 15.4%", "dateline 92.3%", "authors 100.0%", "tags 100.0%"]


# the reading page -----------------------------------------------------------------------------------
def test_article_page_shows_the_story(web):
    base, ids = web
    status, headers, text = fetch(f"{base}/hajarnews/artikel/{ids['seed']}")
    assert status == 200
    assert "script-src 'none'" in headers["Content-Security-Policy"]
    tree = lxml.html.fromstring(text)
    assert texts(tree, "//h1") == ["Wabup Tanjabbar Hadiri dan Buka Secara Resmi Giat Sosialisasi Kerjasama Dalam Negeri"]
    assert texts(tree, "//p[@class='byline']/time") == ["Selasa, 25 Mei 2021 16:42 WIB"]
    assert texts(tree, "//p[@class='byline']/span[@class='modified']") == ["diperbarui Rabu, 26 Mei 2021 09:05 WIB"]
    assert texts(tree, "//span[@class='authors']") == ["Oleh Odi Saputra"]
    assert tree.xpath("//span[@class='authors']/a/@href") == [
        "/hajarnews/articles?_facet_array=authors&authors__arraycontains=Odi+Saputra"]
    assert tree.xpath("//span[@class='dateline']/a/@href") == ["/hajarnews/articles?dateline=Kualatungkal"]
    assert tree.xpath("//figure[@class='lead']/img/@src") == [
        "https://hajarnews.com/wp-content/uploads/2021/05/wabup-sosialisasi.jpg"]
    assert texts(tree, "//figure[@class='lead']/figcaption") == [
        "Wakil Bupati membuka sosialisasi kerja sama dalam negeri di aula kantor bupati. Foto: Hajarnews"]
    assert texts(tree, "//div[@class='body']/p")[1] == "Kegiatan diikuti camat, lurah dan kepala desa se-Tanjab Barat."
    assert texts(tree, "//p[@class='signoff']") == ["(OD/*) Editor: Hendri"]
    assert tree.xpath("//dl[@class='terms']//a/@href") == [
        "/hajarnews/articles?_facet_array=tags&tags__arraycontains=Kerjasama+Daerah",
        "/hajarnews/articles?_facet_array=tags&tags__arraycontains=Tanjabbar",
        "/hajarnews/articles?_facet_array=categories&categories__arraycontains=Daerah",
        "/hajarnews/articles?_facet_array=categories&categories__arraycontains=Pemerintahan"]
    assert tree.xpath("//section[@class='sources']//a[@rel]/@href") == [
        "https://hajarnews.com/2021/05/25/wabup-tanjabbar-hadiri-dan-buka-secara-resmi-giat-sosialisasi"
        "-kerjasama-dalam-negeri/"]


def test_article_page_shows_corrections_and_removal(web):
    base, ids = web
    tree = page(f"{base}/hajarnews/artikel/{ids['seed']}")
    assert texts(tree, "//section[@class='corrections']//li") == [
        "Ralat: sebelumnya tertulis hanya camat dan kepala desa yang hadir. (Rabu, 26 Mei 2021 09:05 WIB)"]
    assert texts(tree, "//p[@class='gone']") == []
    tree = page(f"{base}/hajarnews/artikel/{ids['vaksinasi']}")
    assert texts(tree, "//p[@class='gone']") == [
        "Artikel ini sudah tidak ada di situs penerbit sejak Selasa, 1 Juni 2021 10:00 WIB. "
        "Yang tampil di sini adalah salinan arsip."]


def test_article_page_diffs_consecutive_versions(web):
    base, ids = web
    tree = page(f"{base}/hajarnews/artikel/{ids['seed']}")
    assert texts(tree, "//section[@class='versions']/h2") == ["Riwayat versi (2)"]
    assert texts(tree, "//section[@class='versions']//li/p[1]") == [
        "Versi 1 · diarsipkan Selasa, 25 Mei 2021 17:00 WIB", "Versi 2 · diarsipkan Rabu, 26 Mei 2021 09:00 WIB"]
    assert [d.text_content() for d in tree.xpath("//li[@id='versi-2']//del")] == ["camat ", "publik."]
    assert [i.text_content() for i in tree.xpath("//li[@id='versi-2']//ins")] == [
        "camat, lurah ", "publik dan ekonomi warga."]


def test_titles_in_tables_and_queries_link_to_the_reading_page(web):
    base, ids = web
    tree = page(base + "/hajarnews/articles?_sort_desc=published_at")
    assert tree.xpath("//td[contains(@class, 'col-title')]/a/@href")[0] == f"/hajarnews/artikel/{ids['seed']}"
    tree = page(base + "/hajarnews/latest")
    assert tree.xpath("//td[contains(@class, 'col-title')]/a/@href")[0] == f"/hajarnews/artikel/{ids['seed']}"


def test_unknown_article_or_database_is_404(web):
    base, _ = web
    assert fetch(base + "/hajarnews/artikel/999999")[0] == 404
    assert fetch(base + "/nosuchdb/artikel/1")[0] == 404
