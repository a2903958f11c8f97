"""The archive's schema as sqlite-utils migrations: a new archive runs them all, an old one the missing ones."""

from __future__ import annotations

import sqlite3

import sqlite_utils
from sqlite_utils.migrations import Migrations

from hajar_scraper import fingerprint, placestore, search
from hajar_scraper.stems import create_table

MIGRATIONS = Migrations("hajar_scraper")
TERMS = ("authors", "categories", "tags")


def upgrade(db: sqlite_utils.Database) -> list[str]:
    """Bring any archive up to date in place; returns the migrations applied."""
    if not db["_sqlite_migrations"].exists() and db["articles"].exists():
        # Archives made before migrations existed hold the first schema: record it as applied.
        MIGRATIONS.ensure_migrations_table(db)
        MIGRATIONS._record_applied(db, "m001_first_schema")
    pending = [m.name for m in MIGRATIONS.pending(db)]
    MIGRATIONS.apply(db)
    return pending


def is_archive(conn: sqlite3.Connection) -> bool:
    """Whether a SQLite database is a hajar archive: its migrations table names this schema's set, or it
    holds the first schema's articles and crawl_runs (an archive from before the migrations)."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "_sqlite_migrations" in tables:
        return bool(conn.execute("SELECT 1 FROM _sqlite_migrations WHERE migration_set = ? LIMIT 1",
                                 [MIGRATIONS.name]).fetchone())
    return {"articles", "crawl_runs"} <= tables


def _add_columns(db: sqlite_utils.Database, table: str, columns: dict) -> None:
    existing = db[table].columns_dict
    for name, kind in columns.items():
        if name not in existing:
            db[table].add_column(name, kind)


@MIGRATIONS()
def m001_first_schema(db):
    db["sites"].create({"slug": str, "name": str, "base_url": str, "region": str, "timezone": str}, pk="slug")
    db["articles"].create({
        "id": int, "url": str, "site": str, "title": str, "published_at": str, "published_month": str,
        "modified_at": str, "description": str, "authors": str, "editor": str, "categories": str, "tags": str,
        "dateline": str, "signature": str, "lead_image": str, "body_text": str, "body_html": str,
        "language": str, "word_count": int, "content_hash": str, "provenance": str, "fetched_at": str,
        "parser_version": str, "first_seen_at": str, "last_seen_at": str, "last_changed_at": str,
        "version": int, "status": str,
    }, pk="id", foreign_keys=[("site", "sites", "slug")],
        not_null={"url", "site", "title", "published_at", "body_text", "content_hash"})
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["site", "published_at"])
    for term in TERMS:
        db[term].create({"id": int, "name": str}, pk="id")
        db[term].create_index(["name"], unique=True)
        db[f"articles_{term}"].create({"articles_id": int, f"{term}_id": int}, pk=("articles_id", f"{term}_id"),
                                      foreign_keys=[("articles_id", "articles", "id"), (f"{term}_id", term, "id")])
    db["images"].create({"article_id": int, "position": int, "url": str, "caption": str, "credit": str},
                        pk=("article_id", "position"), foreign_keys=[("article_id", "articles", "id")])
    db["article_versions"].create({"article_id": int, "version": int, "content_hash": str, "title": str,
                                   "body_text": str, "seen_at": str, "run_id": int},
                                  pk=("article_id", "version"), foreign_keys=[("article_id", "articles", "id")])
    db["crawl_runs"].create({"id": int, "site": str, "started_at": str, "finished_at": str, "status": str,
                             "arguments": str, "stats": str, "new": int, "updated": int, "unchanged": int,
                             "rejected": int, "failed": int, "fill_rates": str}, pk="id")
    db["pages"].create({"id": int, "run_id": int, "url": str, "status": int, "headers": str, "fetched_at": str,
                        "length": int, "body_gzip": bytes}, pk="id", foreign_keys=[("run_id", "crawl_runs", "id")])
    db["pages"].create_index(["url"])
    for name in ("fetch_errors", "rejects"):
        db[name].create({"id": int, "run_id": int, "site": str, "url": str, "reason": str, "detail": str,
                         "at": str}, pk="id", foreign_keys=[("run_id", "crawl_runs", "id")])
    db["articles"].enable_fts(["title", "description", "body_text"], create_triggers=True,
                              tokenize="unicode61 remove_diacritics 2")


@MIGRATIONS()
def m002_discovery_plans_and_run_alarms(db):
    _add_columns(db, "crawl_runs", {"skipped": int, "alarm": str})
    db["discovery_plans"].create({"site": str, "probed_at": str, "strategy": str, "plan": str}, pk="site",
                                 foreign_keys=[("site", "sites", "slug")], if_not_exists=True)


@MIGRATIONS()
def m003_stemmed_search(db):
    search.create_index(db)


@MIGRATIONS()
def m004_history(db):
    """WARC captures, corrections, tombstones, near-duplicate clusters and the record hash reparse compares."""
    _add_columns(db, "pages", {"warc_file": str, "warc_offset": int, "warc_length": int, "digest": str})
    _add_columns(db, "articles", {"corrections": str, "gone_at": str, "gone_reason": str, "record_hash": str,
                                  "page_id": int, "simhash": str, "cluster_id": int})
    db["articles"].create_index(["cluster_id"], if_not_exists=True)
    db["articles"].create_index(["published_at"], if_not_exists=True)  # newest-first across sites
    db["fingerprint_bands"].create({"band": int, "value": str, "article_id": int},
                                   pk=("band", "value", "article_id"),
                                   foreign_keys=[("article_id", "articles", "id")], if_not_exists=True)


@MIGRATIONS()
def m005_band_index(db):
    """Bands looked up and deleted by article (saves, Datasette's row page): archives past m004 need it too."""
    db["fingerprint_bands"].create_index(["article_id"], if_not_exists=True)


@MIGRATIONS()
def m006_write_path(db):
    """Cheaper writes: stems found once are kept (a crawl no longer runs Sastrawi again on words it has
    seen), and `articles_fts` is re-indexed only when a text it holds changes, not on every update of
    `last_seen_at` or the fingerprint (which re-tokenised the whole story each time)."""
    create_table(db)
    texts = ("title", "description", "body_text")
    db.execute("DROP TRIGGER IF EXISTS articles_au")
    db.execute(
        f"CREATE TRIGGER articles_au AFTER UPDATE OF {', '.join(texts)} ON articles"
        f" WHEN {' OR '.join(f'old.{c} IS NOT new.{c}' for c in texts)} BEGIN"
        f" INSERT INTO articles_fts (articles_fts, rowid, {', '.join(texts)})"
        f" VALUES ('delete', old.rowid, {', '.join(f'old.{c}' for c in texts)});"
        f" INSERT INTO articles_fts (rowid, {', '.join(texts)}) VALUES (new.rowid, {', '.join(f'new.{c}' for c in texts)});"
        " END")


@MIGRATIONS()
def m007_fingerprint_pairs(db):
    """Near-duplicate keys from pairs of blocks (`fingerprint.keys`): the single-block bands made a new
    story in a big archive check thousands of candidates, each read from its whole `articles` row.
    The keys are rebuilt from the stored simhashes; the covering index gives a candidate's simhash and
    cluster without reading its row."""
    db.execute("DROP TABLE IF EXISTS fingerprint_bands")
    db.execute("CREATE TABLE fingerprint_bands (band INTEGER NOT NULL, value INTEGER NOT NULL,"
               " article_id INTEGER NOT NULL REFERENCES articles(id), PRIMARY KEY (band, value, article_id))"
               " WITHOUT ROWID")
    db.execute("CREATE INDEX idx_fingerprint_bands_article_id ON fingerprint_bands (article_id)")
    db.execute("CREATE INDEX IF NOT EXISTS articles_fingerprint ON articles (id, simhash, cluster_id)")
    stored = db.execute("SELECT id, simhash FROM articles INDEXED BY articles_fingerprint WHERE simhash IS NOT NULL")
    while rows := stored.fetchmany(10_000):
        keep_keys(db, [(article_id, int(simhash, 16)) for article_id, simhash in rows])


@MIGRATIONS()
def m008_listed_at(db):
    """The publication time the discovery listing gave for each fetched page: the parser's date for a page
    that prints none, so a reparse must be given it again."""
    _add_columns(db, "pages", {"listed_at": str})


@MIGRATIONS()
def m009_places(db):
    """The gazetteer (`places`, `place_aliases`, `places_source`) and each article's places
    (`article_places`, `articles.places_version`); the archive loads the places when it opens."""
    placestore.create(db)


@MIGRATIONS()
def m010_not_fetched(db):
    """A run cut short (a time limit, a shutdown) counts the URLs it never got to apart from its failures."""
    _add_columns(db, "crawl_runs", {"not_fetched": int})


def keep_keys(db: sqlite_utils.Database, fingerprints: list[tuple[int, int]]) -> None:
    """The near-duplicate keys (`fingerprint.keys`) of (article id, simhash) pairs."""
    db.conn.executemany("INSERT INTO fingerprint_bands (band, value, article_id) VALUES (?, ?, ?)",
                        [(n, key, article_id) for article_id, value in fingerprints
                         for n, key in fingerprint.keys(value)])
