"""Crawl run records: counts, fill rates and the alarm for a changed site layout; the archive lock."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from hajar_scraper.archive import Archive
from hajar_scraper.lock import AlreadyRunning, ArchiveLock
from hajar_scraper.retry import retry_after_seconds

FULL = {"published_at": 100.0, "authors": 100.0, "images": 90.0}


def finish(archive: Archive, fill: dict, articles: int = 10) -> tuple[int, str | None]:
    run = archive.start_run("hajarnews", {})
    return run, archive.finish_run(run, "finished", {}, {"new": articles}, fill)


def test_fill_rate_drop_of_more_than_20_points_flags_the_run(tmp_path):
    archive = Archive(tmp_path / "a.db")
    assert finish(archive, FULL)[1] is None
    assert finish(archive, {**FULL, "images": 80.0})[1] is None
    run, alarm = finish(archive, {**FULL, "authors": 40.0, "images": 60.0})
    assert alarm == "fill rate dropped: authors 100.0% -> 40.0%, images 85.0% -> 60.0%"
    assert archive.db["crawl_runs"].get(run)["alarm"] == alarm


def test_small_runs_are_not_compared(tmp_path):
    archive = Archive(tmp_path / "a.db")
    finish(archive, FULL)
    assert finish(archive, {**FULL, "authors": 0.0}, articles=1)[1] is None


def test_interrupted_runs_are_marked(tmp_path):
    archive = Archive(tmp_path / "a.db")
    killed = archive.start_run("hajarnews", {})
    assert archive.close_interrupted_runs("hajarnews") == 1
    assert archive.db["crawl_runs"].get(killed)["status"] == "interrupted"


def test_second_lock_holder_is_refused(tmp_path):
    first = ArchiveLock(tmp_path / "a.db")
    first.acquire()
    with pytest.raises(AlreadyRunning, match=r"another crawl is already writing .*a\.db"):
        ArchiveLock(tmp_path / "a.db").acquire()
    first.release()
    ArchiveLock(tmp_path / "a.db").acquire()


@pytest.mark.parametrize("value, expected", [
    (b"120", 120.0), ("7", 7.0), (b"Wed, 21 Oct 2026 07:28:30 GMT", 30.0), (b"soon", None), (None, None)])
def test_retry_after_header(value, expected):
    now = datetime(2026, 10, 21, 7, 28, tzinfo=timezone.utc)
    assert retry_after_seconds(value, now=now) == expected
