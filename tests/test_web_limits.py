"""The hostile-web issue, archive side: what one GET may ask of a Datasette process as `hajar serve` runs it.

Before the guard (hajar_scraper/web/lockdown.py, web/limits.py), `articles.json` with
`_facet=title` 1,000 times took 110 s, answered 400 MB and took the process from 61 MB to 1.6 GB.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from conftest import ROOT, free_port, stop, wait_for_http
from hajar_scraper.web import limits

BULK_ROWS = 1000
BULK_TEXT = 40_000  # characters a row: a page of 1,000 rows is ~40 MB, past limits.MAX_RESPONSE_BYTES


@pytest.fixture(scope="module")
def server(crawled_db, tmp_path_factory):
    """One `hajar serve` process (hajar_scraper.serving) over archive/ with the crawled sample archive and
    bulk.db, a table of 1,000 long rows with 1,000 distinct names: (base URL, pid, config directory)."""
    config = tmp_path_factory.mktemp("limits") / "archive"
    shutil.copytree(ROOT / "archive", config, ignore=shutil.ignore_patterns("*.db", "*.db-*", "__pycache__"))
    sqlite3.connect(crawled_db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    shutil.copy(crawled_db, config / "hajarnews.db")
    with sqlite3.connect(config / "bulk.db") as bulk:
        bulk.execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT, text TEXT)")
        bulk.executemany("INSERT INTO rows VALUES (?, ?, ?)",
                         [(n, f"nama {n:04d}", f"{n:04d} " + "kata " * (BULK_TEXT // 5)) for n in range(BULK_ROWS)])
    port = free_port()
    log = open(config.parent / "serve.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "hajar_scraper.serving", "127.0.0.1", str(port), str(config)],
                               cwd=ROOT, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/-/versions.json")
        yield base, process.pid, config
    finally:
        stop(process)
        log.close()


def rss_mb(pid: int) -> float:
    status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    return int(status["VmRSS"].split()[0]) / 1024


def get(url: str, timeout: float = 20) -> tuple[int, bytes, float]:
    """(status, body, seconds) of one GET."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.perf_counter() - started


def error_of(body: bytes) -> str:
    return json.loads(body)["error"]


def test_a_thousand_repeated_facets_are_refused_at_once_and_memory_stays_flat(server):
    base, pid, _ = server
    before = rss_mb(pid)
    status, body, seconds = get(base + "/hajarnews/articles.json?" + "&".join(["_facet=title"] * 1000))
    assert (status, error_of(body)) == (414, "The address asks too much: its query is longer than 2048 bytes.")
    assert seconds < 1.0 and rss_mb(pid) - before < 5


def test_a_repeated_facet_is_refused_even_in_a_short_address(server):
    base, pid, _ = server
    before = rss_mb(pid)
    query = "&".join(["_facet=title"] * 150)  # 1,949 bytes
    status, body, seconds = get(f"{base}/hajarnews/articles.json?{query}")
    assert (status, error_of(body)) == (400, "_facet=title is given more than once.")
    status, body, _ = get(base + "/hajarnews/articles.json?_facet=title&_facet=%7B%22column%22%3A%22title%22%7D")
    assert (status, error_of(body)) == (400, "The facet _facet=title is asked for more than once.")
    assert seconds < 1.0 and rss_mb(pid) - before < 5


def test_at_most_five_facets_at_once(server):
    base, _, _ = server
    five = ["_facet=title", "_facet=dateline", "_facet=editor", "_facet_array=tags", "_facet_date=published_at"]
    status, body, _ = get(f"{base}/hajarnews/articles.json?_size=0&{'&'.join(five)}")
    facets = json.loads(body)["facet_results"]
    assert status == 200 and {"dateline", "editor", "published_at", "tags", "title"} <= set(facets)  # and the
    # metadata's own, which do not count
    status, body, _ = get(f"{base}/hajarnews/articles.json?_size=0&{'&'.join(five)}&_facet=signature")
    assert (status, error_of(body)) == (400, "At most 5 facets can be asked for at once; this asks for 6.")


def test_one_sort_at_a_time(server):
    """Datasette alone answers _sort with _sort_desc with a 500."""
    base, _, _ = server
    status, body, _ = get(f"{base}/hajarnews/articles.json?_sort=title&_sort_desc=url")
    assert (status, error_of(body)) == (400, "One sort at a time: give _sort or _sort_desc, once.")


def test_a_malformed_facet_configuration_is_a_400_not_a_500(server):
    base, _, _ = server
    status, body, _ = get(f"{base}/hajarnews/articles.json?_facet=%7Bnot+json")
    assert status == 400 and error_of(body).startswith("_facet is not a column name or a JSON facet configuration")


def test_the_values_of_a_facet_are_capped(server):
    """`_facet_size=max` (Datasette's own "…" link) would list 1,000 values, each with its toggle link."""
    base, _, _ = server
    for size in ("max", "5000", "100"):
        status, body, _ = get(f"{base}/bulk/rows.json?_size=0&_facet=name&_facet_size={size}")
        assert (status, len(json.loads(body)["facet_results"]["name"]["results"])) == (200, limits.MAX_FACET_SIZE)
    status, body, _ = get(f"{base}/bulk/rows.json?_size=0&_facet=name&_facet_size=7")
    assert len(json.loads(body)["facet_results"]["name"]["results"]) == 7


def test_an_answer_past_the_size_cap_is_refused_whole(server):
    base, pid, _ = server
    status, body, _ = get(f"{base}/bulk/rows.json?_size=100&_shape=array")
    assert status == 200 and len(json.loads(body)) == 100
    status, body, _ = get(f"{base}/bulk/rows.json?_size=max&_shape=array")
    assert (status, error_of(body)) == (400, "The answer would be 38 MB, more than this archive sends at once (32 MB):"
                                             " ask for fewer rows (_size) or columns (_col).")


@pytest.mark.parametrize("path, expected", [
    ("/hajarnews/images/1", 404),  # a two-column key given one value: Datasette alone answers 500
    ("/hajarnews/images/1.json", 404),
    ("/hajarnews/articles/1,2", 404),  # Datasette alone shows row 1
    ("/hajarnews/images/1,0,7", 404),
    ("/hajarnews/images/1,0", 200),
    ("/hajarnews/articles/1", 200),
    ("/hajarnews/articles/1.json", 200),
])
def test_a_row_address_must_hold_the_whole_key(server, path, expected):
    base, _, _ = server
    status, body, _ = get(base + path)
    assert status == expected
    if path.endswith(".json") and expected == 404:
        assert json.loads(body) == {"ok": False, "error": "Record not found", "status": 404, "title": None}


def test_no_page_tells_where_the_archive_lies_on_disk(server):
    base, _, config = server
    status, body, _ = get(base + "/-/databases.json")
    assert status == 200 and [sorted(d) for d in json.loads(body)] == [
        ["hash", "is_memory", "is_mutable", "name", "route", "size"]] * 2
    for path in ("/-/databases", "/-/databases.json", "/-/metadata.json", "/-/settings.json", "/-/plugins.json",
                 "/-/versions.json", "/-/threads.json", "/", "/hajarnews", "/hajarnews.json", "/hajarnews/articles",
                 "/hajarnews/images/1", "/hajarnews/nosuchtable", "/hajarnews/artikel/999999"):
        assert str(config.parent) not in get(base + path)[1].decode(), path


# Every other Datasette parameter tried the same way (once each, a fresh answer each time): none may keep
# the process busy or grow it. 414: the query is longer than limits.MAX_QUERY_BYTES; 400: refused.
COLUMNS = ["id", "url", "site", "title", "published_at", "description", "authors", "categories", "tags", "dateline"]
ATTACKS = {
    "_facet_array x1000": ("/hajarnews/articles.json?" + "&".join(["_facet_array=authors"] * 1000), 414),
    "_facet_date x1000": ("/hajarnews/articles.json?" + "&".join(["_facet_date=published_at"] * 1000), 414),
    "_facet html x1000": ("/hajarnews/articles?" + "&".join(["_facet=title"] * 1000), 414),
    "_facet_array x50": ("/hajarnews/articles.json?" + "&".join(["_facet_array=authors"] * 50), 400),
    "_col x100": ("/hajarnews/articles.json?" + "&".join(["_col=title"] * 100), 400),
    "_nocol x100": ("/hajarnews/articles.json?" + "&".join(["_nocol=title"] * 100), 400),
    "_sort x10": ("/hajarnews/articles.json?" + "&".join(f"_sort={c}" for c in COLUMNS), 400),
    "_json x100": ("/hajarnews/articles.json?" + "&".join(["_json=body_html"] * 100), 400),
    "_through x10": ("/hajarnews/articles.json?" + "&".join(
        ['_through={"table":"articles_tags","column":"tags_id","value":"1"}'] * 10), 400),
    "filter x100": ("/hajarnews/articles.json?" + "&".join(["title__contains=a"] * 100), 400),
    "_search x1000 words": ("/hajarnews/articles.json?_search=" + "+".join(["kabupaten"] * 1000), 414),
    "_size past max": ("/hajarnews/articles.json?_size=100000", 400),
    "_size=max _shape=array": ("/hajarnews/articles.json?_size=max&_shape=array", 200),
    "_next garbage": ("/hajarnews/articles.json?_next=" + "x" * 1000, 200),
    "_timelimit": ("/hajarnews/articles.json?_timelimit=100000&_size=1", 200),
    "_trace": ("/hajarnews/articles.json?_trace=1&_size=1", 200),
    "csv stream": ("/hajarnews/articles.csv?_stream=on&_size=max", 200),
    "canned search q x2000": ("/hajarnews/search.json?q=" + "+".join(["bangun"] * 2000), 414),
    "/-/cari q x2000": ("/-/cari?q=" + "+".join(["bangun"] * 2000), 414),
    "row with 999 values": ("/hajarnews/articles/" + ",".join(map(str, range(1, 1000))), 404),
    "1,000 unknown filters": ("/hajarnews/articles.json?" + "&".join(f"x{n}=1" for n in range(1000)), 414),
}


@pytest.mark.parametrize("name", ATTACKS)
def test_every_other_parameter_is_answered_at_once_and_bounded(server, name):
    base, pid, _ = server
    path, expected = ATTACKS[name]
    before = rss_mb(pid)
    status, body, seconds = get(base + path)
    assert (status, seconds < 2.0, len(body) < 2_000_000, rss_mb(pid) - before < 20) == (expected, True, True, True)
