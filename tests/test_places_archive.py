"""Places in the archive (issue 19): the `places` tables, each article's `article_places`, a crawl of the
sample site and `hajar reparse` filling archives made before places, on real SQLite files."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys

import yaml

from conftest import FIXTURES, ROOT, SAMPLE_SITE
from hajar_scraper import placestore
from hajar_scraper.archive import Archive
from hajar_scraper.record import content_hash

BODY = ("Merlung, Hajarnews.com – Harga pinang di Kecamatan Merlung, Kabupaten Tanjung Jabung Barat, naik.\n\n"
        "\"Alhamdulillah,\" kata Samsul, petani di Desa Lubuk Terap.")


def record(body: str = BODY, url: str = "https://hajarnews.com/2021/01/05/pinang/") -> dict:
    title = "Harga Pinang Naik"
    return {"url": url, "site": "hajarnews", "title": title, "published_at": "2021-01-05T10:00:00+07:00",
            "body_text": body, "body_html": f"<p>{body}</p>", "dateline": body.split(",")[0], "authors": [],
            "categories": [],
            "tags": [], "images": [], "language": "id", "word_count": len(body.split()),
            "content_hash": content_hash(title, body), "provenance": {}, "fetched_at": "2021-01-05T04:00:00+00:00",
            "parser_version": "test"}


def places_of(db, article_id: int) -> list[tuple]:
    return db.execute("SELECT place_code, mentions, first_position, dateline FROM article_places"
                      " WHERE article_id = ? ORDER BY first_position", [article_id]).fetchall()


def test_a_new_archive_holds_the_gazetteer_with_its_version(tmp_path):
    archive = Archive(tmp_path / "a.db")
    db = archive.db
    assert db.execute("SELECT level, count(*) FROM places GROUP BY level").fetchall() == \
        [(1, 38), (2, 514), (3, 7285), (4, 83762)]
    assert db.execute("SELECT code, name, type, level, parent_code FROM places WHERE code = '15.06.05'").fetchone() \
        == ("15.06.05", "Merlung", "kecamatan", 3, "15.06")
    assert db.execute("SELECT package, version FROM places_source").fetchone() == ("idn-area-data", "4.0.1")
    assert db.execute("SELECT source FROM place_aliases WHERE code = '15.06' AND alias = 'Tanjab Barat'"
                      ).fetchone() == ("aliases.yml",)
    assert db.execute("SELECT source FROM place_aliases WHERE code = '15.06.02.1004' AND alias = 'Tungkal IV Kota'"
                      ).fetchone() == ("rule",)


def test_an_archive_with_another_gazetteer_version_loads_the_vendored_one(tmp_path):
    Archive(tmp_path / "a.db").close()
    with sqlite3.connect(tmp_path / "a.db") as conn:
        conn.execute("UPDATE places_source SET version = '3.0.0'")
        conn.execute("DELETE FROM places WHERE code LIKE '15.06.05%'")
    archive = Archive(tmp_path / "a.db")
    assert archive.db.execute("SELECT version FROM places_source").fetchone() == ("4.0.1",)
    assert archive.db.execute("SELECT count(*) FROM places").fetchone() == (91599,)


def test_saving_an_article_writes_its_places(tmp_path):
    archive = Archive(tmp_path / "a.db")
    assert archive.save_article(record()) == "new"
    assert places_of(archive.db, 1) == [("15.06.05", 2, 0, 1), ("15.06", 1, BODY.index("Kabupaten"), 0),
                                        ("15.06.05.2006", 1, BODY.index("Lubuk Terap"), 0)]
    version = archive.db.execute("SELECT places_version FROM articles WHERE id = 1").fetchone()[0]
    assert version.startswith("1/4.0.1/")
    # a new version of the story gets its places again
    changed = BODY.replace("Desa Lubuk Terap", "Kecamatan Betara")
    assert archive.save_article(record(changed)) == "updated"
    assert [row[0] for row in places_of(archive.db, 1)] == ["15.06.05", "15.06", "15.06.04"]


def test_an_unchanged_article_tagged_by_older_rules_is_tagged_again(tmp_path):
    archive = Archive(tmp_path / "a.db")
    archive.save_article(record())
    archive.db.execute("DELETE FROM article_places")
    archive.db.execute("UPDATE articles SET places_version = '0/old'")
    assert archive.save_article(record()) == "unchanged"
    assert [row[0] for row in places_of(archive.db, 1)] == ["15.06.05", "15.06", "15.06.05.2006"]
    archive.db.execute("DELETE FROM article_places")  # current version: an unchanged save writes nothing
    assert archive.save_article(record()) == "unchanged"
    assert places_of(archive.db, 1) == []


def test_place_reads_count_a_place_with_everything_under_it(tmp_path):
    archive = Archive(tmp_path / "a.db")
    archive.save_article(record())
    archive.save_article(record("Betara, Hajarnews.com – Banjir di Kecamatan Betara.",
                                "https://hajarnews.com/2021/01/06/banjir/"))
    conn = archive.db.conn
    assert placestore.story_count(conn, "15.06") == 2
    assert placestore.story_count(conn, "15.06.05") == 1
    assert placestore.story_count(conn, "15") == 2
    children = {c["name"]: c["count"] for c in placestore.children(conn, "15.06")}
    assert len(children) == 13 and children["Merlung"] == 1 and children["Betara"] == 1
    assert sum(1 for n in children.values() if n == 0) == 11
    assert placestore.resolve(conn, "Merlung") == ["15.06.05"]
    assert placestore.resolve(conn, "Tanjab Barat") == ["15.06"]
    assert placestore.resolve(conn, "15.06.05.2006") == ["15.06.05.2006"]
    assert placestore.resolve(conn, "Atlantis") == []
    assert [p["label"] for p in placestore.chain(conn, "15.06.05.2006")] == \
        ["Provinsi Jambi", "Kabupaten Tanjung Jabung Barat", "Kecamatan Merlung"]


def sample_stories() -> dict[str, dict]:
    return {s["title"]: s for s in (yaml.safe_load(p.read_text(encoding="utf-8"))
                                    for p in (SAMPLE_SITE / "articles").glob("*.yml"))}


def test_the_crawled_sample_site_has_places_for_its_stories(crawled_db):
    """Every sample story names a place; Merlung's are the six whose text names it (read from the site)."""
    stories = sample_stories()
    with sqlite3.connect(crawled_db) as conn:
        untagged = conn.execute("SELECT count(*) FROM articles WHERE id NOT IN (SELECT article_id FROM article_places)"
                                ).fetchone()[0]
        merlung = {r[0] for r in conn.execute(
            "SELECT title FROM articles WHERE id IN (SELECT article_id FROM article_places"
            " WHERE place_code >= '15.06.05' AND place_code < '15.06.05/')")}
        datelined = dict(conn.execute("SELECT a.title, ap.place_code FROM article_places ap JOIN articles a"
                                      " ON a.id = ap.article_id WHERE ap.dateline = 1"))
        home = conn.execute("SELECT places_home FROM sites WHERE slug = 'hajarnews'").fetchone()[0]
    assert untagged == 0
    assert merlung == {t for t, s in stories.items() if "Merlung" in "\n".join(s["paragraphs"])}
    assert len(merlung) == 6
    for title, code in datelined.items():  # every story's dateline: Kualatungkal, Merlung, Betara or Jambi
        dateline = stories[title]["paragraphs"][0].split(",")[0]
        assert code == {"Kualatungkal": "15.06.02", "Merlung": "15.06.05", "Betara": "15.06.04",
                        "Jambi": "15.71"}[dateline]
    assert len(datelined) == 34
    assert home == '["15.06"]'


def test_reparse_fills_an_archive_made_before_places(crawled_db, tmp_path):
    db = tmp_path / "hajarnews.db"
    shutil.copy(crawled_db, db)
    shutil.copytree(crawled_db.parent / "warc", tmp_path / "warc")
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT article_id, place_code, mentions, first_position, dateline FROM article_places"
                              " ORDER BY 1, 2").fetchall()
        conn.execute("DELETE FROM article_places")
        conn.execute("UPDATE articles SET places_version = NULL")
    result = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "reparse", "--db", str(db)], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "34 unchanged" in result.stdout
    with sqlite3.connect(db) as conn:
        after = conn.execute("SELECT article_id, place_code, mentions, first_position, dateline FROM article_places"
                             " ORDER BY 1, 2").fetchall()
    assert after == before and len(after) > 34


def test_a_v1_archive_gets_the_places_tables(tmp_path):
    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "archive" / "v1.db", path)
    archive = Archive(path)
    assert "m009_places" in archive.upgraded
    assert archive.db["places"].count == 91599
    assert archive.db["article_places"].count == 0  # until `hajar reparse` (above) fills them
