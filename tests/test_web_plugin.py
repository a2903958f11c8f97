"""The Datasette plugin as installed (hajar_scraper/web, the `datasette` entry point), on Datasette instances
started without the clone's configuration directory: what it gives an archive by any name, and the parts of
the lock-down it keeps whatever Datasette's settings say."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import urllib.request

import lxml.html
import sqlite_utils
from datasette.app import Datasette

from conftest import free_port, stop, wait_for_http
from hajar_scraper.archive import Archive

# What a public archive's Datasette runs with (docs/architecture.md, the lock-down).
SETTINGS = {"default_page_size": 50, "max_returned_rows": 1000, "sql_time_limit_ms": 1500, "facet_time_limit_ms": 500,
            "suggest_facets": False, "allow_download": False, "default_allow_sql": False, "max_csv_mb": 32}
QUERIES = ["articles_per_day", "by_author", "by_dateline", "by_tag", "latest", "latest_feed", "place_feed", "search",
           "search_feed", "tag_feed"]


def archive(path):
    """An archive as the first crawl of Hajarnews leaves it before any article."""
    made = Archive(path)
    made.ensure_site("hajarnews", "Hajarnews.com", "https://hajarnews.com", "Kuala Tungkal, Jambi", "Asia/Jakarta")
    made.close()
    return path


def not_an_archive(path):
    """Someone else's database, with an `articles` table of its own."""
    sqlite_utils.Database(path)["articles"].insert({"id": 1, "title": "Not news"}, pk="id")
    return path


def get(datasette: Datasette, *paths: str) -> list:
    async def fetch():
        await datasette.invoke_startup()
        return [await datasette.client.get(path) for path in paths]
    return asyncio.run(fetch())


def test_an_archive_by_any_name_gets_its_queries_and_descriptions_and_no_other_database_does(tmp_path):
    datasette = Datasette([str(archive(tmp_path / "zeitung.db")), str(not_an_archive(tmp_path / "other.db"))],
                          settings={"max_csv_mb": 32})
    zeitung, other, zeitung_page, articles_page, other_page = get(
        datasette, "/zeitung.json", "/other.json", "/zeitung", "/zeitung/articles", "/other/articles")
    assert sorted(q["name"] for q in zeitung.json()["queries"]) == QUERIES
    assert other.json()["queries"] == []
    assert lxml.html.fromstring(zeitung_page.text).findtext(".//div[@class='metadata-description']").strip() == (
        "The Hajarnews.com archive (Kuala Tungkal, Jambi).")
    assert "One row per article (canonical URL), newest first." in lxml.html.fromstring(
        articles_page.text).text_content()
    assert "One row per article" not in other_page.text


def test_no_visitor_sql_and_no_download_whatever_the_settings_say(tmp_path):
    path = archive(tmp_path / "zeitung.db")
    datasette = Datasette([], immutables=[str(path)], settings={"default_allow_sql": True, "allow_download": True,
                                                                  "max_csv_mb": 32})
    responses = get(datasette, "/zeitung.json?sql=select+1", "/zeitung/articles.json?_where=1%3D1", "/zeitung.db",
                    "/zeitung/latest.json")
    assert [r.status_code for r in responses] == [403, 403, 403, 200]


def test_a_datasette_with_looser_limits_says_which_settings_to_pass(tmp_path, capsys):
    path = str(archive(tmp_path / "zeitung.db"))
    get(Datasette([path], settings={"sql_time_limit_ms": 60000, "max_csv_mb": 0}), "/-/versions.json")
    assert capsys.readouterr().err == (
        "hajar-scraper: Datasette's limits are looser than the archive's lock-down; start it with "
        "--setting sql_time_limit_ms 1500 --setting max_csv_mb 32 (as `hajar serve` does)\n")
    get(Datasette([path], settings={"sql_time_limit_ms": 1500, "facet_time_limit_ms": 500, "max_returned_rows": 1000,
                                    "max_csv_mb": 32}), "/-/versions.json")
    assert capsys.readouterr().err == ""


def test_hajar_serve_refuses_a_database_that_is_no_archive_and_leaves_it_alone(tmp_path):
    other = not_an_archive(tmp_path / "other.db")
    result = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "serve", "--db", "other.db", "--port",
                             str(free_port())], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stderr) == (1, "Error: other.db is not a hajar archive\n")
    assert sqlite_utils.Database(other).table_names() == ["articles"]
    both = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "serve", "--db", "other.db", "--dir", "."],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (both.returncode, both.stderr.splitlines()[-1]) == (2, "Error: give --dir or --db, not both")


def test_hajar_serve_gives_one_datasette_process_the_lock_down_settings(tmp_path):
    """`--workers 1` runs `datasette serve` itself: the archive's settings go on its command line."""
    archive(tmp_path / "zeitung.db")
    (tmp_path / "run").mkdir()
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "hajar_scraper.cli", "serve", "--db", "../zeitung.db",
                                "--workers", "1", "--port", str(port)], cwd=tmp_path / "run",
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/-/versions.json")
        settings, latest = read_json(base + "/-/settings.json"), read_json(base + "/zeitung/latest.json?_shape=array")
    finally:
        stop(process)
    assert {name: settings[name] for name in SETTINGS} == SETTINGS
    assert latest == []
    assert "hajar-scraper:" not in process.stderr.read()


def read_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)
