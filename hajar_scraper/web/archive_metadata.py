"""Which of Datasette's databases are hajar archives, and what Datasette shows of each, whatever its name:
archive.yml's table and column descriptions (Datasette's `get_metadata` hook) and canned queries
(`canned_queries`). A configuration directory's metadata.yml is merged over the descriptions by Datasette.
"""

from __future__ import annotations

import sqlite3
import weakref
from importlib import resources

import yaml

from hajar_scraper import schema

ARCHIVE: dict = yaml.safe_load(resources.files(__package__).joinpath("archive.yml").read_text(encoding="utf-8"))
TABLES: dict = ARCHIVE["tables"]
QUERIES: dict = ARCHIVE["queries"]
_ENTRIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Database -> its metadata, or None


def describe(sites: list[tuple[str, str]]) -> str:
    """The database's description from its sites (name, region): "The Hajarnews.com archive (Kuala Tungkal)."."""
    sites = [(name, f" ({region})" if region else "") for name, region in sites if name]
    if not sites:
        return "A hajar-scraper archive."
    if len(sites) == 1:
        return f"The {sites[0][0]} archive{sites[0][1]}."
    named = [name + region for name, region in sites]
    return f"The archive of {', '.join(named[:-1])} and {named[-1]}."


def _fresh(value):
    """A copy of the nested dicts (lists and text shared)."""
    return {key: _fresh(item) for key, item in value.items()} if isinstance(value, dict) else value


def entry(db) -> dict | None:
    """A Datasette database's metadata (description and tables), or None when it is no hajar archive.

    Read once per database and process, on a connection of its own: Datasette's metadata hook, which asks,
    cannot wait for the database's thread, and asks dozens of times a page. Each database keeps its own
    copy, since Datasette merges the configuration's metadata into the dicts a hook returns; merged again
    on every call, the same metadata changes nothing after the first.
    """
    if db in _ENTRIES:
        return _ENTRIES[db]
    found = None
    if not db.is_memory and not db.name.startswith("_"):
        conn = db.connect()
        try:
            if schema.is_archive(conn):  # every archive has `sites`, from its first schema on
                sites = conn.execute("SELECT name, region FROM sites ORDER BY slug").fetchall()
                found = {"description": describe(sites), "tables": _fresh(TABLES)}
        except sqlite3.Error:  # not a database Datasette could read either
            found = None
        finally:
            conn.close()
    _ENTRIES[db] = found
    return found


def metadata(datasette, database: str | None) -> dict:
    """Datasette metadata for one database (`database`) or all: each hajar archive's description and tables."""
    names = [database] if database else list(datasette.databases)
    found = {}
    for name in names:
        db = datasette.databases.get(name)
        described = entry(db) if db is not None else None
        if described is not None:
            found[name] = described
    return {"databases": found} if found else {}


def queries(datasette, database: str) -> dict:
    """The canned queries of a hajar archive (none for any other database)."""
    db = datasette.databases.get(database)
    if db is None or entry(db) is None:
        return {}
    return {name: dict(query) for name, query in QUERIES.items()}
