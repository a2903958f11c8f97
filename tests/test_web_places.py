"""Places in Datasette (issue 19): a real Datasette over the crawled sample site, read over HTTP and in
Debian's chromium. Expected places come from the sample stories' texts and their hand labels
(tests/places/labelled.yml), places' names and children from the gazetteer; never from the tagger."""

from __future__ import annotations

import shutil
import subprocess
import sys
import urllib.parse

import lxml.etree
import pytest
import yaml

from conftest import ROOT, SAMPLE_SITE, free_port, stop, wait_for_http
from hajar_scraper import places
from test_web_archive import fetch, page, texts
from test_web_browser import ARTIFACTS, CHROMIUM_ARGS, browser  # noqa: F401

MERLUNG = "15.06.05"
TANJAB_BARAT = "15.06"


def stories() -> list[dict]:
    return sorted((yaml.safe_load(p.read_text(encoding="utf-8")) for p in (SAMPLE_SITE / "articles").glob("*.yml")),
                  key=lambda s: s["date_gmt"], reverse=True)


def naming(code: str) -> list[str]:
    """Titles of the sample stories, newest first, whose hand labels name `code` or a place under it."""
    labels = yaml.safe_load((ROOT / "tests" / "places" / "labelled.yml").read_text(encoding="utf-8"))
    files = {e["text"].split("/", 1)[1] for e in labels if e["text"].startswith("sample_site/")
             and any(places.within(str(x).split()[0], code) for x in e["expected"])}
    titles = {yaml.safe_load((SAMPLE_SITE / "articles" / f).read_text(encoding="utf-8"))["title"] for f in files}
    return [s["title"] for s in stories() if s["title"] in titles]


@pytest.fixture(scope="module")
def site(crawled_db, tmp_path_factory):
    """Datasette serving a copy of archive/ that holds the crawled sample archive; its base URL."""
    config = tmp_path_factory.mktemp("places-web") / "archive"
    shutil.copytree(ROOT / "archive", config, ignore=shutil.ignore_patterns("*.db", "*.db-*", "__pycache__"))
    shutil.copy(crawled_db, config / "hajarnews.db")
    port = free_port()
    log = config.parent / "datasette.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(config), "--host", "127.0.0.1",
                                    "--port", str(port)], stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/-/versions.json")
    except OSError:
        stop(process)
        raise AssertionError("Datasette did not start: " + log.read_text()[-3000:]) from None
    yield base
    stop(process)


def test_a_place_page_shows_its_parents_stories_and_children(site):
    tree = page(f"{site}/hajarnews/tempat/{MERLUNG}")
    assert texts(tree, "//h1") == ["Kecamatan Merlung"]
    assert texts(tree, "//p[@class='place-chain']/a") == ["Kabupaten Tanjung Jabung Barat", "Provinsi Jambi"]
    titles = naming(MERLUNG)
    assert len(titles) == 6
    assert texts(tree, "//p[@class='place-count']/strong") == ["6"]
    assert texts(tree, "//section[@class='newest']//li/a") == titles
    villages = sorted(f"{p.type.capitalize()} {p.name}" for p in places.gazetteer().values() if p.parent == MERLUNG)
    assert "Desa Merlung" in villages and "Kelurahan Merlung" in villages
    rows = tree.xpath("//figure[@class='place-picture']//a")
    assert sorted(texts(tree, "//figure[@class='place-picture']//text[@class='name']")) == villages
    lubuk_terap = [r for r in rows if r.get("data-code") == "15.06.05.2006"][0]
    assert lubuk_terap.get("class") == "place-row"
    assert " ".join(lubuk_terap.xpath(".//text[@class='count']/text()")) == "1"
    assert len([r for r in rows if "empty" in r.get("class")]) == len(villages) - 1
    feed = tree.xpath("//p[@class='place-count']/a[text()='Atom']/@href")[0]
    assert feed == "/hajarnews/place_feed.atom?code=15.06.05"


def test_the_kabupaten_picture_shows_every_kecamatan_and_the_empty_ones(site):
    tree = page(f"{site}/hajarnews/tempat/{TANJAB_BARAT}")
    districts = {p.code: p.name for p in places.gazetteer().values() if p.parent == TANJAB_BARAT}
    counts = {code: len(naming(code)) for code in districts}
    rows = {r.get("data-code"): r for r in tree.xpath("//figure[@class='place-picture']//a")}
    assert set(rows) == set(districts) and len(rows) == 13
    for code, row in rows.items():
        assert row.xpath("string(.//text[@class='count'])") == str(counts[code]), districts[code]
        assert ("empty" in row.get("class")) == (counts[code] == 0)
    assert sorted(districts[c] for c, n in counts.items() if n == 0) == \
        ["Bram Itam", "Kuala Betara", "Muara Papalik", "Seberang Kota", "Senyerang", "Tebing Tinggi"]
    assert texts(tree, "//p[@class='place-count']/strong") == [str(len(naming(TANJAB_BARAT)))]
    months = {s["date_gmt"][:7] for s in stories() if s["title"] in naming(TANJAB_BARAT)}
    assert len(tree.xpath("//figure[contains(@class,'month-chart')]//rect[@class='bar']")) == len(months)


def test_the_place_index_pictures_the_outlets_kabupaten(site):
    tree = page(f"{site}/hajarnews/tempat")
    assert texts(tree, "//section[@class='where']/h2/a") == ["Kabupaten Tanjung Jabung Barat"]
    assert len(tree.xpath("//figure[@class='place-picture']//a")) == 13
    assert "Kabupaten Tanjung Jabung Barat" in texts(tree, "//ol[@class='top-places']/li/a")
    status, headers, _ = fetch(f"{site}/hajarnews/tempat?nama=Merlung")
    assert status == 200 and headers  # urllib followed the redirect to the one place of that name
    assert texts(page(f"{site}/hajarnews/tempat?nama=Merlung"), "//h1") == ["Kecamatan Merlung"]
    assert fetch(f"{site}/hajarnews/tempat/99.99")[0] == 404
    assert "script-src 'none'" in fetch(f"{site}/hajarnews/tempat/{MERLUNG}")[1]["Content-Security-Policy"]


def test_the_place_feed(site):
    status, _, body = fetch(f"{site}/hajarnews/place_feed.atom?code={MERLUNG}")
    assert status == 200
    feed = lxml.etree.fromstring(body.encode())
    titles = feed.xpath("//a:entry/a:title/text()", namespaces={"a": "http://www.w3.org/2005/Atom"})
    assert titles == naming(MERLUNG)


@pytest.mark.parametrize(("tempat", "expected"), [
    ("Merlung", ["Harga Pinang Kering Naik, Petani di Merlung Bersyukur",
                 "Jalan Penghubung Desa di Merlung Rusak Parah, Warga Minta Perbaikan"]),
    (MERLUNG, ["Harga Pinang Kering Naik, Petani di Merlung Bersyukur",
               "Jalan Penghubung Desa di Merlung Rusak Parah, Warga Minta Perbaikan"]),
    ("Tanjab Barat", ["Pemkab Tanjab Barat Dorong Pembangunan Dermaga Penyeberangan di Kualatungkal",
                      "Harga Pinang Kering Naik, Petani di Merlung Bersyukur",
                      "Jalan Penghubung Desa di Merlung Rusak Parah, Warga Minta Perbaikan"]),
    ("Betara", []),
    ("Atlantis", []),
])
def test_search_within_a_place_includes_its_children(site, tempat, expected):
    """The three stories naming pinang (005, 010, 027): two in Merlung, all three in Tanjab Barat."""
    query = urllib.parse.urlencode({"q": "pinang", "tempat": tempat, "urut": "newest"})
    tree = page(f"{site}/-/cari?{query}")
    assert texts(tree, "//li[@class='result']/h2/a") == [t for t in (s["title"] for s in stories()) if t in expected]
    assert tree.xpath("//input[@name='tempat']/@value") == [tempat]


def test_the_articles_table_has_a_place_facet_and_filter(site):
    tree = page(f"{site}/hajarnews/articles?_tempat={MERLUNG}")
    assert "tentang Kecamatan Merlung" in " ".join(texts(tree, "//h3"))
    assert sorted(texts(tree, "//td[contains(@class,'col-title')]")) == sorted(naming(MERLUNG))
    tree = page(f"{site}/hajarnews/articles")
    facet = " ".join(texts(tree, "//div[contains(@class,'facet-info')]"))
    assert f"Kecamatan Tungkal Ilir {len(naming('15.06.02'))}" in facet
    assert f"Kabupaten Tanjung Jabung Barat {len(naming(TANJAB_BARAT))}" in facet


def test_the_reading_page_lists_the_articles_places(site):
    status, _, body = fetch(f"{site}/hajarnews/articles.json?_shape=array&_col=id&title__startswith=Harga+Pinang")
    article_id = __import__("json").loads(body)[0]["id"]
    tree = page(f"{site}/hajarnews/artikel/{article_id}")
    links = tree.xpath("//dd[@class='places']/a")
    assert [a.text for a in links] == ["Kecamatan Merlung", "Kabupaten Tanjung Jabung Barat", "Desa Lubuk Terap"]
    assert links[0].get("class") == "tag place dateline"
    assert links[0].get("href") == f"/hajarnews/tempat/{MERLUNG}"


# --- in a real browser ------------------------------------------------------------------------------

def test_the_place_page_and_its_picture_in_chromium(browser, site):  # noqa: F811
    tab = browser.new_page(viewport={"width": 1280, "height": 1000})
    tab.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site) else route.abort())
    try:
        tab.goto(f"{site}/hajarnews/tempat/{TANJAB_BARAT}")
        picture = tab.locator("figure.place-picture svg")
        assert picture.is_visible()
        box = picture.bounding_box()
        assert box["width"] > 400 and box["height"] >= 13 * 20
        assert tab.locator("figure.place-picture a.place-row").count() == 13
        assert tab.locator("figure.place-picture a.empty").count() == 6
        bars = tab.locator("figure.place-picture rect.bar")
        widths = [bars.nth(i).bounding_box()["width"] for i in range(bars.count())]
        assert widths == sorted(widths, reverse=True) and widths[0] > 5 * widths[-1]  # Tungkal Ilir leads
        assert tab.locator("figure.month-chart rect.bar").first.is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "places-kabupaten.png"), full_page=True)
        tab.locator("figure.place-picture a.place-row", has_text="Merlung").click()
        tab.wait_for_url(f"**/tempat/{MERLUNG}")
        assert tab.locator("h1").inner_text() == "Kecamatan Merlung"
        assert tab.locator("section.newest li").count() == 6
        tab.screenshot(path=str(ARTIFACTS / "places-kecamatan.png"), full_page=True)
        tab.goto(f"{site}/hajarnews/tempat")
        assert tab.locator("figure.place-picture a.place-row").count() == 13
        tab.screenshot(path=str(ARTIFACTS / "places-index.png"), full_page=True)
    finally:
        tab.close()
