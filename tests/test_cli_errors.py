"""Issue 8: bad command-line input ends in one `Error:` line and a non-zero exit, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ROOT
from hajar_scraper.archive import Archive
from fault_site.server import PNG

SITES = "known sites: antarajambi, hajarnews"


def cases(tmp) -> dict[str, tuple[list[str], int, str]]:
    """name: (arguments, exit status, the start of the one error line)."""
    return {
        "unknown site": (["crawl", "nosuchsite"], 1, "Error: unknown site 'nosuchsite'; " + SITES),
        "month 13": (["crawl", "hajarnews", "--since", "2021-13-45"], 2,
                     "Error: Invalid value for --since: invalid date (month must be in 1..12): '2021-13-45'"),
        "30 February": (["crawl", "hajarnews", "--until", "2021-02-30"], 2, "Error: Invalid value for --until: "),
        "unwritable db": (["crawl", "hajarnews", "--db", "/proc/x/y.db"], 1,
                          "Error: cannot create /proc/x for the archive: No such file or directory"),
        "db is a folder": (["crawl", "hajarnews", "--db", str(tmp)], 2,
                           f"Error: Invalid value for '--db': File '{tmp}' is a directory."),
        "HAJAR_DB is a folder": (["crawl", "hajarnews", "-s", f"HAJAR_DB={tmp}"], 1,
                                 f"Error: the archive path {tmp} is a directory"),
        "db is not sqlite": (["crawl", "hajarnews", "--db", str(tmp / "page.html")], 1,
                             f"Error: {tmp / 'page.html'} is not a SQLite archive"),
        "base url without scheme": (["crawl", "hajarnews", "--base-url", "notaurl", "--db", str(tmp / "a.db")], 2,
                                    "Error: Invalid value for --base-url: 'notaurl' is not an http:// or https:// URL"),
        "setting without value": (["crawl", "hajarnews", "-s", "DOWNLOAD_DELAY", "--db", str(tmp / "a.db")], 2,
                                  "Error: Invalid value for --set: 'DOWNLOAD_DELAY' is not KEY=VALUE"),
        "missing archive dir": (["serve", "--dir", "/nonexistent"], 1, "Error: no archive directory at /nonexistent"),
        "missing page": (["parse", "/nonexistent/page.html"], 1, "Error: no such file: /nonexistent/page.html"),
        "unknown site to parse with": (["parse", str(tmp / "page.html"), "--site", "nosuch"], 1,
                                       "Error: unknown site 'nosuch'; " + SITES),
        "empty page": (["parse", str(tmp / "empty.html")], 1, "Error: rejected (bad_page): empty page"),
        "binary page": (["parse", str(tmp / "image.html")], 1, "Error: rejected (bad_page): binary content, not HTML"),
        "reparse unknown site": (["reparse", "--site", "nosuch"], 1, "Error: unknown site 'nosuch'; " + SITES),
        "export missing archive": (["export", "--db", "/nonexistent/x.db"], 1,
                                   "Error: no archive at /nonexistent/x.db"),
    }


XFAIL = {
    "export bad date": (["export", "--since", "2021-13-45"], 2, "Error: Invalid value for --since: "),
    "export unbalanced quote": (["export", "--search", '"kabar'], 1, "Error: "),
}


def run(args: list[str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hajar_scraper.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Every case run once, four at a time (each is a fresh interpreter)."""
    tmp = tmp_path_factory.mktemp("cli")
    (tmp / "page.html").write_text("<html><body><p>bukan arsip</p></body></html>", encoding="utf-8")
    (tmp / "empty.html").write_bytes(b"")
    (tmp / "image.html").write_bytes(PNG)
    archive = tmp / "archive"
    archive.mkdir()
    Archive(archive / "hajarnews.db").close()
    db = str(archive / "hajarnews.db")
    every = {**cases(tmp), **{name: ([*args, "--db", db], status, line)
                              for name, (args, status, line) in XFAIL.items()}}
    with ThreadPoolExecutor(4) as pool:
        done = dict(zip(every, pool.map(lambda args: run(args, ROOT), (a for a, _, _ in every.values()))))
    return every, done


def check(results, name: str) -> None:
    every, done = results
    _, status, line = every[name]
    result = done[name]
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert [x for x in lines if x.startswith("Error:")] == lines[-1:], result.stderr
    assert lines[-1].startswith(line), lines[-1]
    assert result.returncode == status


@pytest.mark.parametrize("name", list(cases(ROOT)))
def test_bad_input_gives_one_error_line_and_a_non_zero_exit(results, name):
    check(results, name)


@pytest.mark.parametrize("name", list(XFAIL))
def test_bad_export_input_gives_one_error_line(results, name):
    check(results, name)
