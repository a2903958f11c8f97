"""`make demo` itself (README "Set up on a fresh machine"): run in a subprocess as a user runs it, its
output read, its Datasette asked for the home page, then stopped with Ctrl-C, which a terminal sends
to the whole foreground process group as SIGINT: nothing of it may stay running or hold a port.

The demo serves the sample site on its fixed port (8780, hajar_scraper/demo.py) and Datasette on
`DEMO_PORT`; the archive goes to `HAJAR_ARCHIVE_DIR`, here a temporary folder.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import lxml.html
import pytest

from conftest import ROOT, SAMPLE_SITE, free_port, wait_for_http

SITE_PORT = 8780
ARTICLES = len(list((SAMPLE_SITE / "articles").glob("*.yml")))


def session_processes(session: int) -> list[int]:
    """Processes still alive (not zombies) in the given session."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def processes_naming(folder: Path) -> list[int]:
    """Processes whose command line names the folder (the demo's Datasette serves it)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(folder).encode() in cmdline.read_bytes():
                found.append(int(cmdline.parent.name))
        except OSError:
            continue
    return found


def port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture
def demo(tmp_path):
    """`make demo` started in its own session, its output to a file (a pipe would wait for every process that
    holds it); gives the process, Datasette's port and the output file once it says it serves."""
    if not port_free(SITE_PORT):
        pytest.fail(f"port {SITE_PORT}, the demo's sample site, is taken: another demo is running")
    port, output = free_port(), tmp_path / "make-demo.txt"
    with open(output, "w") as out:
        process = subprocess.Popen(["make", "demo", f"DEMO_PORT={port}"], cwd=ROOT, start_new_session=True,
                                   stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, "HAJAR_ARCHIVE_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"})
    try:
        deadline = time.monotonic() + 180  # a stale .venv/.installed makes `make` reinstall first
        while "Archive on " not in output.read_text():
            assert process.poll() is None and time.monotonic() < deadline, output.read_text()[-3000:]
            time.sleep(0.2)
        yield process, port, output
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for pid in processes_naming(tmp_path):  # a demo process that left the session and outlived the test
            os.kill(pid, signal.SIGKILL)


def test_make_demo_crawls_serves_and_stops_cleanly_on_ctrl_c(demo, tmp_path):
    process, port, output = demo
    printed = [line for line in output.read_text().splitlines() if not line.startswith((".venv/", "make"))]
    assert len(printed) == 4, printed
    assert printed[0] == f"Sample site on http://127.0.0.1:{SITE_PORT}/"
    # every story new; the one deleted post of the sample site is the one failure (tests/sample_site/README.md)
    assert printed[1].startswith(f"hajarnews: {ARTICLES} new, 0 updated, 0 unchanged, 0 skipped, 0 rejected, "
                                 "1 failed in ")
    assert printed[2].startswith("Crawled in ") and printed[2].endswith(f" s into {tmp_path / 'hajarnews.db'}")
    assert printed[3] == f"Archive on http://127.0.0.1:{port}/  (Ctrl-C stops everything)"

    base = f"http://127.0.0.1:{port}"
    wait_for_http(base + "/-/versions.json")
    with urllib.request.urlopen(base + "/", timeout=10) as response:
        home = lxml.html.fromstring(response.read())
    assert home.xpath("string(//section[@id='situs-hajarnews']/h2/span[@class='count'])") == f"{ARTICLES} artikel"

    os.killpg(process.pid, signal.SIGINT)  # Ctrl-C
    process.wait(timeout=30)
    assert "stopping" in output.read_text().splitlines()
    deadline = time.monotonic() + 10
    while session_processes(process.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_processes(process.pid) == [] and processes_naming(tmp_path) == []
    assert port_free(port) and port_free(SITE_PORT)
