"""A real Datasette process serving the archive directory over HTTP."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils
import yaml

from conftest import ROOT, free_port, stop, wait_for_http

SEED_PATH = "/2021/05/25/wabup-tanjabbar-hadiri-dan-buka-secara-resmi-giat-sosialisasi-kerjasama-dalam-negeri/"


@pytest.fixture(scope="module")
def datasette(crawled_db, tmp_path_factory):
    """archive/ as a config directory, with the crawled archive in it, served on a free port."""
    config = tmp_path_factory.mktemp("config") / "archive"
    shutil.copytree(ROOT / "archive", config, ignore=shutil.ignore_patterns("*.db", "*.db-*"))
    sqlite3.connect(crawled_db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    shutil.copy(crawled_db, config / "hajarnews.db")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "datasette", "serve", str(config), "--host", "127.0.0.1",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/-/versions.json")
        yield base
    finally:
        stop(process)


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_articles_json_has_the_seed_newest_first(datasette, sample_site):
    rows = get_json(datasette + "/hajarnews/articles.json?_shape=array&_size=max")
    seed = [r for r in rows if r["url"] == sample_site + SEED_PATH]
    assert len(seed) == 1 and seed[0]["dateline"] == "Kualatungkal"
    published = [r["published_at"] for r in rows]
    assert published == sorted(published, reverse=True)


def test_search_finds_the_seed(datasette, sample_site):
    query = urllib.parse.urlencode({"_search": "kerjasama daerah", "_shape": "array"})
    rows = get_json(f"{datasette}/hajarnews/articles.json?{query}")
    assert [r["url"] for r in rows] == [sample_site + SEED_PATH]


def test_facets_for_category_author_and_month(datasette):
    data = get_json(datasette + "/hajarnews/articles.json?_size=0")
    facets = data["facet_results"]
    facets = facets.get("results", facets)  # Datasette 1.0 nests them
    assert {"categories", "authors", "published_month"} <= set(facets)
    months = {v["value"]: v["count"] for v in facets["published_month"]["results"]}
    assert months["2021-05"] >= 1


def test_metadata_describes_every_table_and_column(crawled_db):
    metadata = yaml.safe_load((ROOT / "archive" / "metadata.yml").read_text(encoding="utf-8"))
    for title in ("title", "source", "license"):
        assert metadata[title]
    tables = yaml.safe_load((ROOT / "hajar_scraper" / "web" / "archive.yml").read_text(encoding="utf-8"))["tables"]
    db = sqlite_utils.Database(crawled_db)
    for table in db.table_names():
        if table.startswith("articles_fts"):
            continue
        assert tables.get(table, {}).get("description"), f"table {table} has no description"
        described = tables[table].get("columns", {})
        missing = [c for c in db[table].columns_dict if not described.get(c)]
        assert missing == [], f"{table}: undescribed columns {missing}"


def test_hajar_serve_runs_workers_and_a_stop_stops_them_all(crawled_db, tmp_path):
    """`hajar serve --workers 2`: two Datasette processes answer on one port; stopping the command stops both."""
    config = tmp_path / "archive"
    shutil.copytree(ROOT / "archive", config, ignore=shutil.ignore_patterns("*.db", "*.db-*"))
    sqlite3.connect(crawled_db).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    shutil.copy(crawled_db, config / "hajarnews.db")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "hajar_scraper.cli", "serve", "--dir", str(config), "--port",
                                str(port), "--workers", "2"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        wait_for_http(f"http://127.0.0.1:{port}/-/versions.json")
        assert process.stdout.readline() == f"Datasette on http://127.0.0.1:{port}/ (2 processes)\n"
        workers = [int(pid) for pid in open(f"/proc/{process.pid}/task/{process.pid}/children").read().split()]
        assert len(workers) == 2
        held = sqlite3.connect(crawled_db).execute("SELECT count(*), max(published_at) FROM articles").fetchone()
        for _ in range(10):  # new connections, spread by the kernel over both workers: each serves the archive
            data = get_json(f"http://127.0.0.1:{port}/hajarnews/articles.json?_size=1&_shape=objects"
                            "&_sort_desc=published_at")
            assert (data["filtered_table_rows_count"], data["rows"][0]["published_at"]) == held
    finally:
        stop(process)
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists()


def test_hajar_serve_says_when_the_port_is_taken(tmp_path):
    (tmp_path / "archive").mkdir()
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "serve", "--dir", str(tmp_path / "archive"),
                                 "--port", str(port)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr.splitlines()[-1]) == (
        1, f"Error: cannot listen on 127.0.0.1:{port}: Address already in use")


def test_served_pages_use_uvicorns_c_http_parser_and_event_loop():
    """httptools and uvloop are dependencies so that uvicorn picks them (~1 ms less CPU a page)."""
    import uvicorn
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    config = uvicorn.Config(lambda scope, receive, send: None, lifespan="off")  # as hajar_scraper.serving sets it
    config.load()
    assert config.http_protocol_class is HttpToolsProtocol
    loop = config.get_loop_factory()()
    try:
        assert type(loop).__module__.startswith("uvloop")
    finally:
        loop.close()
