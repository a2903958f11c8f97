"""The search page /-/cari on a real Datasette process: ten results a page with links to the others
(README "Searching"), and what the page says when a site's search runs past `sql_time_limit_ms`.

Two archives: `lambat` holds 120 stories about a bridge, `cepat` three. A plugin of this test makes
SQLite's substr() take 10 ms a call on `lambat` only. The search calls it on every candidate for
`sampai` (until a day): ~17 SQLite instructions a row, so when Datasette first checks the time (every
1,000 instructions, for limits above 20 ms) some 55 calls have taken ~0.55 s, past the 250 ms limit,
and it interrupts the statement. A search with `sampai` runs out of time on `lambat`, for real; one
without it does not, and neither does anything on `cepat`, with 250 ms to spare.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.parse
from datetime import date, timedelta

import pytest

from conftest import free_port, stop, wait_for_http
from hajar_scraper.archive import Archive
from test_web_archive import make_record, page, texts

LIMIT_MS = 250
SLOW_SUBSTR = '''"""Test plugin: substr() on the database `lambat` takes 10 ms a call."""
import time

from datasette import hookimpl


def slow_substr(text, start, length=None):
    time.sleep(0.01)
    if text is None:
        return None
    begin = max(int(start) - 1, 0)
    return str(text)[begin:] if length is None else str(text)[begin:begin + int(length)]


@hookimpl
def prepare_connection(conn, database):
    if database == "lambat":
        conn.create_function("substr", -1, slow_substr)
'''
BRIDGES = 120
CEPAT = {1: "Jembatan Parit Lapis Mulai Dikerjakan", 2: "Warga Sambut Jembatan Baru", 3: "Jembatan Gantung Diresmikan"}
TIMED_OUT = ("Pencarian di lambat terlalu lama dan dihentikan. Coba kata yang lebih khas atau persempit "
             "tanggalnya.")


def bridge(site_slug: str, n: int, title: str, day: str) -> dict:
    return make_record({"site": "hajarnews", "slug": f"{site_slug}/jembatan-{n}", "title": title,
                        "published_at": f"{day}T10:00:00+07:00", "authors": [], "categories": [], "tags": [],
                        "body_text": f"Kualatungkal, Hajarnews.com – {title}."})


def day_of(n: int) -> str:
    """Story n of `lambat` is published on the n-th day of 2021: the newest is the last archived."""
    return (date(2021, 1, 1) + timedelta(days=n - 1)).isoformat()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Datasette serving lambat.db and cepat.db with the slow substr() plugin; its base URL."""
    folder = tmp_path_factory.mktemp("search-pages")
    (folder / "plugins").mkdir()
    (folder / "plugins" / "slow_substr.py").write_text(SLOW_SUBSTR, encoding="utf-8")
    lambat = Archive(folder / "lambat.db")
    for n in range(1, BRIDGES + 1):
        lambat.save_article(bridge("lambat", n, f"Jembatan Nomor {n} Diperbaiki", day_of(n)))
    lambat.close()
    cepat = Archive(folder / "cepat.db")
    for n, title in CEPAT.items():
        cepat.save_article(bridge("cepat", n, title, f"2021-06-0{n}"))
    cepat.close()
    port = free_port()
    log = folder / "datasette.log"
    with open(log, "wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(folder / "lambat.db"),
                                    str(folder / "cepat.db"), "--plugins-dir", str(folder / "plugins"),
                                    "--setting", "sql_time_limit_ms", str(LIMIT_MS), "--host", "127.0.0.1",
                                    "--port", str(port)], stdout=output, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/-/versions.json")
    except OSError:
        stop(process)
        raise AssertionError("Datasette did not start: " + log.read_text()[-3000:]) from None
    yield base
    stop(process)


def search(base: str, **params):
    return page(f"{base}/-/cari?{urllib.parse.urlencode(params)}")


def bridges(newest: int, oldest: int) -> list[str]:
    return [f"Jembatan Nomor {n} Diperbaiki" for n in range(newest, oldest - 1, -1)]


def said(tree, css_class: str) -> str:
    return tree.xpath(f"string(//p[@class='{css_class}'])")


# ten a page ---------------------------------------------------------------------------------------
def test_ten_results_a_page_with_links_to_the_next_and_the_previous(site):
    # jembatan is in every story: listed newest first, story 120 (the 120th day of 2021) first
    first = search(site, q="jembatan", situs="lambat")
    assert texts(first, "//li[@class='result']/h2/a") == bridges(120, 111)
    assert said(first, "result-count").endswith("; 1–10 ditampilkan.")
    assert said(first, "result-count").startswith("120 hasil untuk jembatan (")
    assert first.xpath("string(//nav[@class='pages'])") == "Halaman 1 dari 12 Berikutnya ›"
    assert first.xpath("//nav[@class='pages']/a/@href") == ["/-/cari?q=jembatan&situs=lambat&hal=2"]

    second = search(site, q="jembatan", situs="lambat", hal="2")
    assert texts(second, "//li[@class='result']/h2/a") == bridges(110, 101)
    assert said(second, "result-count").endswith("; 11–20 ditampilkan.")
    assert second.xpath("string(//nav[@class='pages'])") == "‹ Sebelumnya Halaman 2 dari 12 Berikutnya ›"
    assert second.xpath("//nav[@class='pages']/a/@href") == ["/-/cari?q=jembatan&situs=lambat",
                                                             "/-/cari?q=jembatan&situs=lambat&hal=3"]

    last = search(site, q="jembatan", situs="lambat", hal="12")
    assert texts(last, "//li[@class='result']/h2/a") == bridges(10, 1)
    assert last.xpath("string(//nav[@class='pages'])") == "‹ Sebelumnya Halaman 12 dari 12"
    assert last.xpath("//nav[@class='pages']/a/@href") == ["/-/cari?q=jembatan&situs=lambat&hal=11"]


def test_a_search_within_the_limit_says_nothing_of_time(site):
    tree = search(site, q="jembatan", situs="lambat", dari="2021-04-21")  # no sampai: substr() is not called
    assert said(tree, "timed-out") == ""
    assert texts(tree, "//li[@class='result']/h2/a")[0] == "Jembatan Nomor 120 Diperbaiki"


# out of time --------------------------------------------------------------------------------------
def test_one_site_out_of_time_says_so_and_lists_nothing(site):
    tree = search(site, q="jembatan", situs="lambat", sampai="2021-12-31")
    assert said(tree, "timed-out") == TIMED_OUT
    assert texts(tree, "//li[@class='none']") == ["Tidak ada artikel yang cocok."]
    assert said(tree, "result-count").startswith("0 hasil untuk jembatan (")
    assert tree.xpath("//li[@class='result']") == []


def test_one_site_out_of_time_beside_another_that_answers(site):
    tree = search(site, q="jembatan", sampai="2021-12-31")
    assert said(tree, "timed-out") == TIMED_OUT  # only lambat named
    # cepat's three, newest first (jembatan is common in lambat, so it is left out of the ranking in all)
    assert texts(tree, "//li[@class='result']/h2/a") == [CEPAT[3], CEPAT[2], CEPAT[1]]
    assert tree.xpath("//li[@class='result']/h2/a/@href") == ["/cepat/artikel/3", "/cepat/artikel/2",
                                                              "/cepat/artikel/1"]
