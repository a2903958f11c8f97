"""Scheduled deployment: a real Scrapyd on 127.0.0.1, the egg deployed with scrapyd-client, a job run to the end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import sqlite_utils

from conftest import ROOT, SAMPLE_SITE, free_port, stop, wait_for_http
from hajar_scraper.sites import profiles

BIN = Path(sys.executable).parent
ARTICLES = len(list((SAMPLE_SITE / "articles").glob("*.yml")))


def call(url: str, data: list[tuple[str, str]] | None = None) -> dict:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(url, data=body, timeout=10) as response:
        return json.load(response)


def test_scrapyd_runs_the_deployed_crawl(sample_site, tmp_path):
    port = free_port()
    (tmp_path / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.5\n"
        f"eggs_dir = {tmp_path}/eggs\nlogs_dir = {tmp_path}/logs\ndbs_dir = {tmp_path}/dbs\n", encoding="utf-8")
    scrapyd = subprocess.Popen([str(BIN / "scrapyd"), "--nodaemon", "--pidfile="], cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    api = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(api + "/daemonstatus.json")
        # A deploy target for this test's port, beside the project's own [deploy] in scrapy.cfg.
        (tmp_path / "xdg").mkdir()
        (tmp_path / "xdg" / "scrapy.cfg").write_text(
            f"[deploy:test]\nurl = {api}/\nproject = hajar_scraper\n", encoding="utf-8")
        deployed = subprocess.run([str(BIN / "scrapyd-deploy"), "test", "--version", "1"], cwd=ROOT,
                                  capture_output=True, text=True, timeout=180,
                                  env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "xdg")})
        assert deployed.returncode == 0, deployed.stderr
        assert call(api + "/listspiders.json?project=hajar_scraper")["spiders"] == sorted(profiles())
        db = tmp_path / "scheduled.db"
        job = call(api + "/schedule.json", [
            ("project", "hajar_scraper"), ("spider", "hajarnews"), ("base_url", sample_site),
            ("setting", f"HAJAR_DB={db}"), ("setting", "DOWNLOAD_DELAY=0"),
            ("setting", "AUTOTHROTTLE_START_DELAY=0.01")])["jobid"]
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            jobs = call(api + "/listjobs.json?project=hajar_scraper")
            if any(j["id"] == job for j in jobs["finished"]):
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"job {job} did not finish: {jobs}")
    finally:
        stop(scrapyd)
    archive = sqlite_utils.Database(db)
    assert archive["articles"].count == ARTICLES
    (run,) = list(archive.query("select status, new, failed, arguments from crawl_runs"))
    assert (run["status"], run["new"], run["failed"]) == ("finished", ARTICLES, 1)
    assert json.loads(run["arguments"])["base_url"] == sample_site
