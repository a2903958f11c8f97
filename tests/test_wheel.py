"""The installed package is complete: a wheel built from this tree, installed into a fresh venv outside the
clone, crawls from a directory of its own and serves the archive with every custom page through plain
`datasette news.db` and `hajar serve --db`, locked down.

Offline: the fresh venv sees the project venv's dependencies through a directory of links to them
(hajar-scraper's own editable install left out), so the package, its data and its entry points can only
come from the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import lxml.html
import pytest
import yaml
from lxml import etree

from conftest import LOCAL_PACE, ROOT, SAMPLE_SITE, free_port, stop, wait_for_http

SEED = yaml.safe_load((SAMPLE_SITE / "articles" / "001-wabup-tanjabbar-hadiri-sosialisasi.yml").read_text())
ATOM = "{http://www.w3.org/2005/Atom}"
LOCK_DOWN_LINE = ("hajar-scraper: Datasette's limits are looser than the archive's lock-down; start it with "
                  "--setting max_csv_mb 32 (as `hajar serve` does)")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """The wheel, a venv with it installed, and a working directory outside the clone."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "source"
    shutil.copytree(ROOT / "hajar_scraper", source / "hajar_scraper", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w",
                    str(base / "dist"), str(source)], check=True, capture_output=True, cwd=base)
    wheel = next((base / "dist").glob("hajar_scraper-*.whl"))
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    deps = base / "deps"
    deps.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(("hajar_scraper", "__editable__", "__pycache__")):
            (deps / entry.name).symlink_to(entry)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "hajar_test_deps.pth").write_text(f"{deps}\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet",
                    str(wheel)], check=True, capture_output=True)
    work = base / "work"
    work.mkdir()
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "HAJAR_ARCHIVE_DIR")}
    return {"wheel": wheel, "venv": venv, "python": python, "work": work, "env": env}


def run(installed, *args, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(installed["venv"] / "bin" / args[0]), *args[1:]], cwd=installed["work"],
                            env=installed["env"], capture_output=True, text=True, timeout=120)
    assert not check or result.returncode == 0, result.stdout + result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def archive(installed, sample_site) -> Path:
    """The sample site crawled by the installed `hajar`, into news.db of the working directory."""
    run(installed, "hajar", "crawl", "hajarnews", "--base-url", sample_site, "--db", "news.db", *LOCAL_PACE)
    return installed["work"] / "news.db"


def serve(installed, *args) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(installed["work"] / f"serve-{port}.log", "w")
    process = subprocess.Popen([str(installed["venv"] / "bin" / args[0]), *args[1:], "--port", str(port)],
                               cwd=installed["work"], env=installed["env"], stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    wait_for_http(base + "/-/versions.json")
    return process, base


def fetch(url: str, method: str = "GET") -> tuple[int, dict, str]:
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8", "replace")


def test_the_wheel_holds_the_package_data_and_the_datasette_entry_point(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    web = ROOT / "hajar_scraper" / "web"
    expected = {"hajar_scraper/places_data/idn-area-data-4.0.1.tgz", "hajar_scraper/web/archive.yml",
                "hajar_scraper/web/settings.json", "hajar_scraper/web/static/hajar.css"}
    expected |= {f"hajar_scraper/sites/{p.name}" for p in (ROOT / "hajar_scraper" / "sites").glob("*.yml")}
    expected |= {f"hajar_scraper/web/templates/{p.name}" for p in (web / "templates").glob("*.html")}
    assert expected - names == set()
    entry_points = zipfile.ZipFile(installed["wheel"]).read("hajar_scraper-0.1.0.dist-info/entry_points.txt")
    assert "[datasette]\nhajar_scraper = hajar_scraper.web\n" in entry_points.decode()


def test_the_package_comes_from_the_wheel(installed):
    code = ("import hajar_scraper, datasette.app; from datasette.plugins import get_plugins; "
            "print(hajar_scraper.__file__); "
            "print([p['templates_path'] for p in get_plugins() if p['name'] == 'hajar-scraper'][0])")
    found = run(installed, "python", "-c", code).stdout.split()
    assert all(Path(path).is_relative_to(installed["venv"]) for path in found), found


def test_datasette_on_the_archive_serves_every_custom_page_locked_down(installed, archive, sample_site):
    process, base = serve(installed, "python", "-m", "datasette", "serve", "news.db")
    try:
        pages = {path: fetch(base + path) for path in (
            "/", "/-/cari?q=kerjasama+daerah", "/news/tempat/15.06", "/news/latest_feed.atom", "/news/latest",
            "/-/static-plugins/hajar-scraper/hajar.css", "/news/articles", "/-/databases.json")}
        seed = json.loads(fetch(base + "/news/articles.json?_shape=array&_col=id&url="
                                + urllib.parse.quote(f"{sample_site}/2021/05/25/{SEED['slug']}/"))[2])
        reading = fetch(f"{base}/news/artikel/{seed[0]['id']}")
        refusals = (fetch(base + "/news/articles", "POST")[0], fetch(base + "/news.json?sql=select+1")[0],
                    fetch(base + "/news.db")[0])
    finally:
        stop(process)
    assert {path: answer[0] for path, answer in pages.items()} == dict.fromkeys(pages, 200)
    assert reading[0] == 200 and reading[1]["content-security-policy"].startswith("script-src 'none'")
    assert lxml.html.fromstring(reading[2]).findtext(".//h1") == SEED["title"]
    search = lxml.html.fromstring(pages["/-/cari?q=kerjasama+daerah"][2])
    assert [a.text_content() for a in search.xpath("//li[@class='result']/h2/a")] == [SEED["title"]]
    assert lxml.html.fromstring(pages["/news/tempat/15.06"][2]).findtext(".//h1") == "Kabupaten Tanjung Jabung Barat"
    feed = etree.fromstring(pages["/news/latest_feed.atom"][2].encode())
    assert len(feed.findall(ATOM + "entry")) == 30  # the query's limit: the sample site has more articles
    assert pages["/-/static-plugins/hajar-scraper/hajar.css"][2] == (
        ROOT / "hajar_scraper" / "web" / "static" / "hajar.css").read_text()
    table = lxml.html.fromstring(pages["/news/articles"][2])
    assert "/-/static-plugins/hajar-scraper/hajar.css" in table.xpath("//link[@rel='stylesheet']/@href")
    assert "One row per article (canonical URL), newest first." in table.text_content()
    assert [sorted(db) for db in json.loads(pages["/-/databases.json"][2])] == [
        ["hash", "is_memory", "is_mutable", "name", "route", "size"]]
    assert refusals == (405, 403, 403)
    assert LOCK_DOWN_LINE in (installed["work"] / f"serve-{base.rsplit(':', 1)[1]}.log").read_text()


def test_hajar_serve_serves_archives_given_from_another_directory(installed, archive):
    other = installed["work"] / "elsewhere"
    other.mkdir(exist_ok=True)
    shutil.copy(archive, other / "kedua.db")
    process, base = serve(installed, "hajar", "serve", "--db", str(archive), "--db", str(other / "kedua.db"))
    try:
        databases = [db["name"] for db in json.loads(fetch(base + "/-/databases.json")[2])]
        settings = json.loads(fetch(base + "/-/settings.json")[2])
        search = lxml.html.fromstring(fetch(base + "/-/cari?q=kerjasama+daerah")[2])
    finally:
        stop(process)
    assert databases == ["news", "kedua"]
    assert {k: settings[k] for k in ("sql_time_limit_ms", "max_returned_rows", "max_csv_mb", "allow_download",
                                     "default_allow_sql")} == {"sql_time_limit_ms": 1500, "max_returned_rows": 1000,
                                                               "max_csv_mb": 32, "allow_download": False,
                                                               "default_allow_sql": False}
    assert [a.get("href").split("/")[1] for a in search.xpath("//li[@class='result']/h2/a")] == ["news", "kedua"]


def test_hajar_demo_says_in_one_line_what_it_needs(installed):
    result = run(installed, "hajar", "demo", "--port", str(free_port()), check=False)
    assert (result.returncode, result.stderr) == (1, "Error: hajar demo needs a clone of the hajar-scraper "
                                                     "repository (its sample site, tests/sample_site, runs on "
                                                     "aiohttp): run `make demo` there\n")
