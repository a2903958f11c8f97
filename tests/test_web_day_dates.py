"""A published_at that is a plain day (the outlet printed no time) beside moments: a real archive, a real
Datasette and the export command, each checked for exact values."""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
import subprocess
import sys
import urllib.parse

import lxml.etree
import pytest

from conftest import ROOT, free_port, stop, wait_for_http
from hajar_scraper.archive import Archive
from hajar_scraper.record import content_hash
from test_web_archive import fetch, page, texts

ATOM = "{http://www.w3.org/2005/Atom}"
# key: (database, title, published_at); every story says "dibangun", so one search finds them all.
ARTICLES = {
    "pagi": ("hajarnews", "Gedung Serbaguna Dibangun di Bram Itam", "2021-05-26T08:00:00+07:00"),
    "pasar": ("hajarnews", "Pasar Baru Tungkal Ilir Diresmikan", "2021-05-26"),
    "malam": ("hajarnews", "Posko Banjir Dibangun Warga Parit Gompong", "2021-05-25T20:00:00+07:00"),
    "jembatan": ("hajarnews", "Jembatan Parit Lapis Mulai Dikerjakan", "2021-05-25T16:42:00+07:00"),
    "subuh": ("jambiupdate", "Halte Baru Dibangun di Telanaipura", "2021-05-26T03:00:00+07:00"),
    "stadion": ("jambiupdate", "Stadion Tri Lomba Juang Dibenahi", "2021-05-27"),
}
FETCHED_AT = "2021-05-28T02:00:00+00:00"


def record(key: str) -> dict:
    database, title, published = ARTICLES[key]
    body = f"Kualatungkal – {title}. Gedung dan jalan yang dibangun tahun ini diresmikan pekan depan."
    provenance = {"title": "jsonld", "published_at": "listing" if len(published) == 10 else "jsonld"}
    if len(published) == 10:
        provenance["published_at_precision"] = "day"
    return {"url": f"https://{database}.example/{key}/", "site": database, "title": title, "published_at": published,
            "modified_at": None, "body_text": body, "body_html": f"<p>{html.escape(body)}</p>", "description": None,
            "authors": ["Oddy Pratama"], "editor": None, "dateline": "Kualatungkal", "signature": None,
            "categories": ["Daerah"], "tags": [key], "images": [], "language": "id", "word_count": len(body.split()),
            "content_hash": content_hash(title, body), "corrections": [], "provenance": provenance,
            "fetched_at": FETCHED_AT, "parser_version": "test"}


@pytest.fixture(scope="module")
def archive_dir(tmp_path_factory):
    """archive/ as a config directory with two archives, each holding days and moments, and a crawl run each."""
    config = tmp_path_factory.mktemp("days") / "archive"
    shutil.copytree(ROOT / "archive", config, ignore=shutil.ignore_patterns("*.db", "*.db-*", "__pycache__"))
    ids = {}
    for database in ("hajarnews", "jambiupdate"):
        archive = Archive(config / f"{database}.db")
        archive.ensure_site(database, database.title(), f"https://{database}.example", "Jambi", "Asia/Jakarta")
        run_id = archive.start_run(database, {"full": True})
        for key in (k for k, a in ARTICLES.items() if a[0] == database):
            archive.save_article(record(key), run_id)
            ids[key] = archive.db.execute("SELECT id FROM articles WHERE url = ?", [record(key)["url"]]).fetchone()[0]
        archive.finish_run(run_id, "finished", {}, {"new": 2}, {"published_at": 100.0})
        archive.db["crawl_runs"].update(run_id, {"started_at": "2021-05-28T02:00:00+00:00",
                                                 "finished_at": "2021-05-28T02:01:00+00:00"})
        archive.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        archive.close()
    return config, ids


@pytest.fixture(scope="module")
def web(archive_dir):
    config, ids = archive_dir
    port = free_port()
    log = config.parent / "datasette.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(config), "--host", "127.0.0.1",
                                    "--port", str(port)], stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/-/versions.json")
        yield base, ids
    finally:
        stop(process)


def titles(*keys: str) -> list[str]:
    return [ARTICLES[k][1] for k in keys]


def test_the_reading_page_shows_a_day_without_a_time_and_archive_times_in_the_sites_zone(web):
    base, ids = web
    tree = page(f"{base}/hajarnews/artikel/{ids['pasar']}")
    assert texts(tree, "//p[@class='byline']/time") == ["Rabu, 26 Mei 2021"]
    assert tree.xpath("//p[@class='byline']/time/@datetime") == ["2021-05-26"]
    assert texts(tree, "//p[@class='archived']") == [
        "Pertama diarsipkan Jumat, 28 Mei 2021 09:00 WIB; terakhir dilihat Jumat, 28 Mei 2021 09:00 WIB."]
    assert texts(tree, "//section[@class='versions']//li/p[1]") == [
        "Versi 1 · diarsipkan Jumat, 28 Mei 2021 09:00 WIB"]
    tree = page(f"{base}/hajarnews/artikel/{ids['jembatan']}")
    assert texts(tree, "//p[@class='byline']/time") == ["Selasa, 25 Mei 2021 16:42 WIB"]


def test_the_home_page_lists_a_day_among_moments_and_the_crawl_in_the_sites_zone(web):
    base, _ = web
    tree = page(base + "/")
    for database, keys, spans in (
            ("hajarnews", ("pagi", "pasar", "malam", "jembatan"),
             ["Rabu, 26 Mei 2021 08:00 WIB · Kualatungkal", "Rabu, 26 Mei 2021 · Kualatungkal",
              "Selasa, 25 Mei 2021 20:00 WIB · Kualatungkal", "Selasa, 25 Mei 2021 16:42 WIB · Kualatungkal"]),
            ("jambiupdate", ("stadion", "subuh"),
             ["Kamis, 27 Mei 2021 · Kualatungkal", "Rabu, 26 Mei 2021 03:00 WIB · Kualatungkal"])):
        latest = f"//section[@id='situs-{database}']//ol[@class='latest-list']/li"
        assert texts(tree, latest + "/a") == titles(*keys)
        assert texts(tree, latest + "/span") == spans
        assert texts(tree, f"//section[@id='situs-{database}']//p[contains(@class, 'run')]") == [
            "Crawl terakhir #1: finished, mulai Jumat, 28 Mei 2021 09:00 WIB, selesai Jumat, 28 Mei 2021 09:01 WIB."]
    bars = texts(tree, "//section[@id='situs-hajarnews']//svg//rect/title")
    assert bars == ["25 Mei 2021: 2 artikel", "26 Mei 2021: 2 artikel"]


def feed(url: str) -> lxml.etree._Element:
    status, headers, text = fetch(url)
    assert (status, headers["Content-Type"]) == (200, "application/xml; charset=utf-8"), text[-2000:]
    root = lxml.etree.fromstring(text.encode())
    assert root.tag == ATOM + "feed"
    for entry in root.iter(ATOM + "entry"):
        assert [bool(entry.findtext(ATOM + f)) for f in ("id", "title", "updated")] == [True, True, True]
    return root


def test_the_feeds_date_a_day_at_its_first_moment_in_the_sites_zone(web):
    base, _ = web
    root = feed(f"{base}/hajarnews/latest_feed.atom")
    assert root.findtext(ATOM + "updated") == "2021-05-26T08:00:00+07:00"
    assert [(e.findtext(ATOM + "title"), e.findtext(ATOM + "updated")) for e in root.iter(ATOM + "entry")] == [
        (ARTICLES["pagi"][1], "2021-05-26T08:00:00+07:00"), (ARTICLES["pasar"][1], "2021-05-26T00:00:00+07:00"),
        (ARTICLES["malam"][1], "2021-05-25T20:00:00+07:00"), (ARTICLES["jembatan"][1], "2021-05-25T16:42:00+07:00")]
    root = feed(f"{base}/hajarnews/tag_feed.atom?tag=pasar")
    assert [root.findtext(ATOM + "updated")] == [e.findtext(ATOM + "updated") for e in root.iter(ATOM + "entry")] == [
        "2021-05-26T00:00:00+07:00"]
    root = feed(f"{base}/jambiupdate/search_feed.atom?q=stadion")
    assert [e.findtext(ATOM + "updated") for e in root.iter(ATOM + "entry")] == ["2021-05-27T00:00:00+07:00"]


def search_titles(base: str, **params) -> list[str]:
    return texts(page(f"{base}/-/cari?{urllib.parse.urlencode(params)}"), "//li[@class='result']/h2/a")


def test_search_puts_a_day_at_its_first_moment_and_its_day_filter_finds_it(web):
    base, _ = web
    # newest first across archives: a day after the moments of its day, before those of the day before
    assert search_titles(base, q="dibangun", urut="newest") == titles(
        "stadion", "pagi", "subuh", "pasar", "malam", "jembatan")
    assert search_titles(base, q="dibangun", urut="newest", situs="hajarnews") == titles(
        "pagi", "pasar", "malam", "jembatan")
    assert search_titles(base, q="dibangun", urut="newest", dari="2021-05-26", sampai="2021-05-26") == titles(
        "pagi", "subuh", "pasar")
    assert search_titles(base, q="dibangun", urut="newest", sampai="2021-05-25") == titles("malam", "jembatan")
    tree = page(f"{base}/-/cari?q=pasar&situs=hajarnews")
    assert texts(tree, "//li[@class='result']/p[@class='meta']") == [
        "hajarnews · Rabu, 26 Mei 2021 · Oddy Pratama · Kualatungkal"]
    status, _, text = fetch(f"{base}/hajarnews/search.json?_shape=array&" + urllib.parse.urlencode(
        {"q": "dibangun", "since": "2021-05-26", "until": "2021-05-26", "sort": "newest"}))
    assert status == 200 and [r["published_at"] for r in json.loads(text)] == ["2021-05-26T08:00:00+07:00",
                                                                               "2021-05-26"]


def test_the_articles_table_sorts_and_facets_a_day_with_moments(web):
    base, _ = web
    status, _, text = fetch(f"{base}/hajarnews/articles.json?_shape=objects&_sort_desc=published_at"
                            "&_facet=published_month")
    assert status == 200
    data = json.loads(text)
    assert [r["published_at"] for r in data["rows"]] == ["2021-05-26T08:00:00+07:00", "2021-05-26",
                                                         "2021-05-25T20:00:00+07:00", "2021-05-25T16:42:00+07:00"]
    facets = data["facet_results"]
    facets = facets.get("results", facets)
    assert [(v["value"], v["count"]) for v in facets["published_month"]["results"]] == [("2021-05", 4)]


def export(archive_dir, *args) -> str:
    config, _ = archive_dir
    result = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "export", "--db",
                             str(config / "hajarnews.db"), *args], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_export_writes_a_day_unchanged_and_its_day_bounds_include_it(archive_dir):
    out = export(archive_dir, "--since", "2021-05-26", "--until", "2021-05-26")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(r["title"], r["published_at"]) for r in lines] == [
        (ARTICLES["pagi"][1], "2021-05-26T08:00:00+07:00"), (ARTICLES["pasar"][1], "2021-05-26")]
    assert lines[1]["provenance"] == {"published_at": "listing", "published_at_precision": "day", "title": "jsonld"}
    rows = list(csv.DictReader(io.StringIO(export(archive_dir, "--format", "csv", "--until", "2021-05-26"))))
    assert [r["published_at"] for r in rows] == ["2021-05-26T08:00:00+07:00", "2021-05-26",
                                                 "2021-05-25T20:00:00+07:00", "2021-05-25T16:42:00+07:00"]
    lines = export(archive_dir, "--since", "2021-05-26T00:00:00+07:00").splitlines()
    assert [json.loads(line)["published_at"] for line in lines] == ["2021-05-26T08:00:00+07:00", "2021-05-26"]
