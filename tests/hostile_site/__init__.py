"""The hostile site, started the way tests use it: a subprocess on 127.0.0.1 that counts its hits."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

from conftest import LOCAL_PACE, ROOT, stop

SERVER = Path(__file__).resolve().with_name("server.py")


def start_hostile_site(*options: str) -> tuple[subprocess.Popen, str, str]:
    """Start server.py on a free port with the given options; return the process, the site's base URL and
    elsewhere's (another port of the same host)."""
    process = subprocess.Popen([sys.executable, str(SERVER), *options], stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    assert line.startswith("Serving hostile site on "), line
    other = process.stdout.readline().strip()
    return process, line.rsplit(" ", 1)[-1].rstrip("/"), other.rsplit(" ", 1)[-1].rstrip("/")


def hits(base_url: str) -> dict[str, dict[str, int]]:
    """{"site": {path: requests}, "elsewhere": {path: requests}} as the server counted them."""
    with urllib.request.urlopen(f"{base_url}/_hostile/hits", timeout=10) as response:
        return json.load(response)


def crawl(db_path: Path, *options: str, settings: tuple[str, ...] = ()) -> tuple[str, str, dict, subprocess.CompletedProcess]:
    """Start the site with `options`, crawl it into `db_path` with `hajar crawl` as a user would (the shipped
    settings at a local pace, a short download timeout), stop it; give its base URL, elsewhere's, the
    request counts and the finished crawl (its log in stderr)."""
    process, base, other = start_hostile_site(*options)
    try:
        result = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "crawl", "hajarnews", "--base-url", base,
                                 "--db", str(db_path), *LOCAL_PACE, "-s", "DOWNLOAD_TIMEOUT=5", *settings],
                                cwd=ROOT, capture_output=True, text=True, timeout=300,
                                env={**os.environ, "PYTHONUNBUFFERED": "1"})
        assert result.returncode == 0, result.stdout + result.stderr[-4000:]
        return base, other, hits(base), result
    finally:
        stop(process)
