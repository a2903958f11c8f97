"""A profiled site whose theme changed: the sample site crawled in its WordPress theme, then again (`--full`)
in an older plain theme its profile's selectors do not know, into the same archive, by the real Scrapy engine.

The plain theme (tests/sample_site, `--theme plain`) has no JSON-LD and no og:/article: meta, prints the
headline in h2.post-title and the date as text, keeps the story in div.isi-berita (half of it as text
separated by <br><br>) and is served as windows-1252. Expected values come from the article files.
"""

from __future__ import annotations

import json
import sys

import pytest
import sqlite_utils

from conftest import SAMPLE_SITE, free_port, run_crawl, start_sample_site, stop

sys.path.insert(0, str(SAMPLE_SITE))
from server import load_articles  # noqa: E402

ARTICLES = load_articles(SAMPLE_SITE / "articles")
BY_ID = {a.id: a for a in ARTICLES}
SEED = BY_ID[23187]  # the real seed article: a `–` in its body, `“ ”` quotes, two "Baca Juga" links
QUOTED = BY_ID[21011]  # “Jumat Bersih” in the title: windows-1252 bytes in the headline itself


def _articles(db: sqlite_utils.Database) -> dict[str, dict]:
    return {row["url"]: row for row in db.query("select * from articles")}


@pytest.fixture(scope="module")
def theme_change(tmp_path_factory):
    """(base URL, archive, the articles as run 1 left them, the second crawl's log): both themes served on one
    port, so the URLs match."""
    db_path = tmp_path_factory.mktemp("theme-change") / "hajarnews.db"
    port = free_port()
    process, base = start_sample_site(None, "--port", str(port))
    try:
        run_crawl(base, db_path)
    finally:
        stop(process)
    after_first = _articles(sqlite_utils.Database(db_path))
    process, plain_base = start_sample_site(None, "--port", str(port), "--theme", "plain")
    try:
        assert plain_base == base
        second = run_crawl(base, db_path, "--full")  # the listings did not change: only --full fetches the posts
    finally:
        stop(process)
    return base, sqlite_utils.Database(db_path), after_first, second.stderr


def _runs(db: sqlite_utils.Database) -> list[dict]:
    return list(db.query("select * from crawl_runs order by id"))


def test_every_article_is_still_archived_after_the_theme_change(theme_change):
    base, db, after_first, _ = theme_change
    expected = {base + a.path for a in ARTICLES}
    assert set(after_first) == expected
    assert set(_articles(db)) == expected
    first, second = _runs(db)
    assert second["status"] == "finished"
    assert second["new"] == 0 and second["updated"] + second["unchanged"] == len(ARTICLES)
    assert second["rejected"] == 0
    assert list(db.query("select url, reason from rejects where run_id = ?", [second["id"]])) == []


def test_titles_and_bodies_are_unchanged_and_make_no_new_version(theme_change):
    base, db, _, _ = theme_change
    rows = _articles(db)
    for a in ARTICLES:
        row = rows[base + a.path]
        assert (row["title"], row["body_text"]) == (a.title, "\n\n".join(a.paragraphs)), a.path
        assert row["version"] == 1, a.path
    assert db["article_versions"].count == len(ARTICLES)


@pytest.mark.parametrize("article", [SEED, QUOTED], ids=["seed", "quoted-title"])
def test_the_story_is_read_by_the_generic_finder_after_the_change(theme_change, article):
    base, db, after_first, _ = theme_change
    url = base + article.path
    before, after = after_first[url], _articles(db)[url]
    assert json.loads(before["provenance"])["body_text"] == "selector"
    assert json.loads(after["provenance"])["body_text"] == "generic"
    body = "\n\n".join(article.paragraphs)
    assert (before["title"], before["body_text"]) == (article.title, body)
    assert (after["title"], after["body_text"]) == (article.title, body)
    assert after["signature"] == article.signature
    # The plain theme prints `Selasa, 25 Mei 2021 - 16:42 WIB`: the minute, not the second, in WIB.
    assert before["published_at"] == f"{article.date_local:%Y-%m-%dT%H:%M:%S}+07:00"
    assert after["published_at"] == f"{article.date_local:%Y-%m-%dT%H:%M}:00+07:00"


def test_the_drift_alarm_names_profile_body(theme_change):
    _, db, _, _ = theme_change
    first, second = _runs(db)
    assert json.loads(first["fill_rates"])["profile_body"] == 100.0
    assert json.loads(second["fill_rates"])["profile_body"] == 0.0
    assert first["alarm"] is None
    assert second["alarm"].startswith("fill rate dropped: ")
    drops = second["alarm"].removeprefix("fill rate dropped: ").split(", ")
    assert "profile_body 100.0% -> 0.0%" in drops


# What the plain theme lacks (tests/sample_site/README.md): meta description and article:modified_time,
# categories but as a breadcrumb, tags as rel=tag links; every post has the first three, these have tags.
TAGGED = round(100 * sum(bool(a.tags) for a in ARTICLES) / len(ARTICLES), 1)
ALARM = ("fill rate dropped: categories 100.0% -> 0.0%, description 100.0% -> 0.0%, modified_at 100.0% -> 0.0%, "
         f"profile_body 100.0% -> 0.0%, tags {TAGGED}% -> 0.0%")


def test_the_alarm_is_in_crawl_runs_and_the_crawls_log(theme_change):
    """README "Scheduled crawls": the crawl logs a warning and sets `alarm`."""
    _, db, _, log = theme_change
    assert [run["alarm"] for run in _runs(db)] == [None, ALARM]
    logged = [line for line in log.splitlines() if "fill rate dropped" in line]
    assert len(logged) == 1 and logged[0].endswith(f" WARNING: run 2 of hajarnews: {ALARM}"), logged
