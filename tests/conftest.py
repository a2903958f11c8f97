"""Shared fixtures: the sample site on 127.0.0.1 and crawls of it by the real Scrapy engine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SITE = ROOT / "tests" / "sample_site"
FIXTURES = ROOT / "tests" / "fixtures"
# Local pace: the sample site is ours and on loopback; AutoThrottle and robots.txt stay on.
LOCAL_PACE = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0.01", "-s", "LOG_LEVEL=INFO"]


def start_sample_site(data_dir: Path | None = None, *options: str) -> tuple[subprocess.Popen, str]:
    """Start tests/sample_site/server.py on a free port (with server options); return the process and base URL."""
    args = [sys.executable, str(SAMPLE_SITE / "server.py"), "--host", "127.0.0.1", "--port", "0", *options]
    if data_dir:
        args += ["--data", str(data_dir)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    assert line.startswith("Serving sample site on "), line
    return process, line.rsplit(" ", 1)[-1].rstrip("/")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="session")
def sample_site():
    process, base_url = start_sample_site()
    yield base_url
    stop(process)


def run_crawl(base_url: str, db: Path, *extra: str, use_scrapy: bool = False) -> subprocess.CompletedProcess:
    """Crawl the sample site into `db` in a subprocess, as a user would."""
    if use_scrapy:
        args = ["scrapy", "crawl", "hajarnews", "-a", f"base_url={base_url}", "-s", f"HAJAR_DB={db}"]
        args[0] = str(Path(sys.executable).with_name("scrapy"))
    else:
        args = [sys.executable, "-m", "hajar_scraper.cli", "crawl", "hajarnews", "--base-url", base_url,
                "--db", str(db)]
    result = subprocess.run([*args, *LOCAL_PACE, *extra], cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    return result


@pytest.fixture(scope="session")
def crawled_db(sample_site, tmp_path_factory) -> Path:
    """The sample site crawled once into a fresh archive."""
    db = tmp_path_factory.mktemp("archive") / "hajarnews.db"
    run_crawl(sample_site, db)
    return db


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


# Browser tests never skip silently --------------------------------------------------------------------
# A test is a browser test when it uses the `browser` fixture (tests/test_web_browser.py). Without
# chromium it is skipped before any fixture is set up, and the run's summary names it with the command
# that installs chromium. Where the environment variable CI is set (not empty, "0" or "false"; .ci/run
# sets it) a missing chromium fails those tests instead: CI installs it and must run them.
CHROMIUM = Path(os.environ.get("HAJAR_CHROMIUM", "/usr/bin/chromium"))  # another chromium, or none for a test
INSTALL_BROWSER = "bash .ci/install-browser"
_WITHOUT_BROWSER: list[str] = []


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if "browser" in item.fixturenames and not CHROMIUM.exists():
        _WITHOUT_BROWSER.append(item.nodeid)
        message = f"{CHROMIUM} is missing: install it with {INSTALL_BROWSER}"
        if in_ci():
            pytest.fail(f"{message} (CI is set: the browser tests must run)", pytrace=False)
        pytest.skip(message)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """Outermost, so this comes after the short test summary, right above pytest's last line."""
    yield
    if not _WITHOUT_BROWSER:
        return
    outcome = "FAILED (CI is set)" if in_ci() else "SKIPPED"
    terminalreporter.write_sep("=", f"{len(_WITHOUT_BROWSER)} browser tests {outcome}: no chromium at {CHROMIUM}",
                               red=in_ci(), yellow=not in_ci(), bold=True)
    for nodeid in _WITHOUT_BROWSER:
        terminalreporter.write_line(f"  {nodeid}")
    terminalreporter.write_line(f"Install chromium with `{INSTALL_BROWSER}`, then run them again.", bold=True)
