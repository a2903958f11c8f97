"""The places in the archive: the gazetteer's tables, each article's places, and the reads the place pages
and the search filter need. All the SQL about places; the gazetteer and the tagger are in places/

A place's stories are those tagged with it or with any place under it: Kemendagri codes nest as
prefixes (15.06 ⊃ 15.06.05 ⊃ 15.06.05.2006), so "under 15.06" is the index range [15.06, 15.06/),
'/' being the character after '.'.
"""

from __future__ import annotations

import json
import sqlite3

import sqlite_utils

from hajar_scraper import places
from hajar_scraper.dates import utc_now

TABLES = ("places", "place_aliases", "places_source", "article_places")


def create(db: sqlite_utils.Database) -> None:
    """The empty tables (migration m009); `ensure` fills them from the vendored gazetteer."""
    db.execute("CREATE TABLE IF NOT EXISTS places (code TEXT PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL,"
               " level INTEGER NOT NULL, parent_code TEXT, latitude REAL, longitude REAL) WITHOUT ROWID")
    db.execute("CREATE INDEX IF NOT EXISTS places_name ON places (name COLLATE NOCASE)")
    db.execute("CREATE TABLE IF NOT EXISTS place_aliases (code TEXT NOT NULL REFERENCES places(code),"
               " alias TEXT NOT NULL, source TEXT NOT NULL, PRIMARY KEY (code, alias)) WITHOUT ROWID")
    db.execute("CREATE INDEX IF NOT EXISTS place_aliases_alias ON place_aliases (alias COLLATE NOCASE)")
    db.execute("CREATE TABLE IF NOT EXISTS places_source (id INTEGER PRIMARY KEY CHECK (id = 1), package TEXT,"
               " version TEXT, tarball TEXT, integrity TEXT, sha256 TEXT, licence TEXT, attribution TEXT,"
               " coverage TEXT, loaded_at TEXT)")
    db.execute("CREATE TABLE IF NOT EXISTS article_places (article_id INTEGER NOT NULL REFERENCES articles(id),"
               " place_code TEXT NOT NULL REFERENCES places(code), mentions INTEGER NOT NULL,"
               " first_position INTEGER NOT NULL, dateline INTEGER NOT NULL, PRIMARY KEY (article_id, place_code))"
               " WITHOUT ROWID")
    db.execute("CREATE INDEX IF NOT EXISTS article_places_place ON article_places (place_code, article_id)")
    existing = db["articles"].columns_dict
    if "places_version" not in existing:
        db["articles"].add_column("places_version", str)
    if "places_home" not in db["sites"].columns_dict:
        db["sites"].add_column("places_home", str)


def loaded_version(db: sqlite_utils.Database) -> str | None:
    row = db.execute("SELECT version FROM places_source WHERE id = 1").fetchone()
    return row[0] if row else None


def ensure(db: sqlite_utils.Database) -> bool:
    """Load the vendored gazetteer when the archive holds another version (or none); True if it did.
    One indexed read when current. Tagged articles keep their codes; `hajar reparse` re-tags them."""
    wanted = places.source()["version"]
    if loaded_version(db) == wanted:
        return False
    load(db)
    return True


def load(db: sqlite_utils.Database) -> None:
    """Replace the places, their aliases and the source row with the vendored gazetteer (~0.5 s)."""
    source = places.source()
    gazetteer = places.gazetteer()
    curated = places.curated_aliases()
    with db.atomic():
        db.execute("DELETE FROM place_aliases")
        db.execute("DELETE FROM places")
        db.conn.executemany(
            "INSERT INTO places (code, name, type, level, parent_code) VALUES (?, ?, ?, ?, ?)",
            [(p.code, p.name, p.type, p.level, p.parent) for p in gazetteer.values()])
        rows = {}
        for code, aliases in places.all_variants().items():
            for alias in aliases:
                rows.setdefault((code, alias), "rule")
        for code, names in curated.items():
            for alias in names:
                if code in gazetteer:
                    rows[(code, alias)] = "aliases.yml"
        db.conn.executemany("INSERT INTO place_aliases (code, alias, source) VALUES (?, ?, ?)",
                            [(code, alias, how) for (code, alias), how in rows.items()])
        db.execute("INSERT OR REPLACE INTO places_source (id, package, version, tarball, integrity, sha256, licence,"
                   " attribution, coverage, loaded_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   [source["package"], source["version"], source["tarball"], source["integrity"], source["sha256"],
                    source["licence"], source["attribution"], json.dumps(source["coverage"]), utc_now()])


def write(db: sqlite_utils.Database, article_id: int, mentions: list[places.Mention], version: str,
          held: bool) -> None:
    """One article's places (`held`: it may have some already), and the tagging they came from."""
    if held:
        db.execute("DELETE FROM article_places WHERE article_id = ?", [article_id])
    db.conn.executemany(
        "INSERT INTO article_places (article_id, place_code, mentions, first_position, dateline)"
        " VALUES (?, ?, ?, ?, ?)",
        [(article_id, m.code, m.mentions, m.first_position, int(m.dateline)) for m in mentions])
    db.execute("UPDATE articles SET places_version = ? WHERE id = ?", [version, article_id])


def set_home(db: sqlite_utils.Database, site: str, home: tuple[str, ...]) -> None:
    """The outlet's home areas as its profile declares them (the place index shows the first)."""
    db.execute("UPDATE sites SET places_home = ? WHERE slug = ?", [json.dumps(list(home)), site])


# --- reads (plain sqlite3 connections: Datasette's and the archive's) ------------------------------

def under(code: str) -> tuple[str, str]:
    """The index range of a place and everything under it."""
    return code, code + "/"


def resolve(conn: sqlite3.Connection, text: str) -> list[str]:
    """The places a visitor means by a name or code ("Merlung", "Tanjab Barat", "15.06.05"): the largest
    of nested ones (Merlung the kecamatan, not its desa), and of unrelated namesakes those with stories."""
    text = " ".join((text or "").split())
    if not text:
        return []
    if places.CODE.match(text):
        found = [r[0] for r in conn.execute("SELECT code FROM places WHERE code = ?", [text])]
    else:
        found = [r[0] for r in conn.execute(
            "SELECT code FROM places WHERE name = ? COLLATE NOCASE UNION "
            "SELECT code FROM place_aliases WHERE alias = ? COLLATE NOCASE", [text, text])]
    held = set(found)
    found = sorted(c for c in held if not any(a in held for a in places.ancestors(c)))
    with_stories = [c for c in found if conn.execute(
        "SELECT 1 FROM article_places WHERE place_code >= ? AND place_code < ? LIMIT 1", under(c)).fetchone()]
    return with_stories or found


def is_code(text: str) -> bool:
    return bool(places.CODE.match(text or ""))


def place_filter(column: str, codes: list[str], name: str = "tempat") -> tuple[str, dict[str, str]]:
    """SQL with named parameters (`:tempat_0`, …) keeping the rows whose `column` is an article about one
    of `codes` or a place under it; no codes keeps nothing."""
    if not codes:
        return "0", {}
    ranges = " OR ".join(f"(place_code >= :{name}_{2 * i} AND place_code < :{name}_{2 * i + 1})"
                         for i in range(len(codes)))
    bounds = [bound for code in codes for bound in under(code)]
    return (f"{column} IN (SELECT article_id FROM article_places WHERE {ranges})",
            {f"{name}_{i}": bound for i, bound in enumerate(bounds)})


TYPE_LABELS = {"provinsi": "Provinsi", "kabupaten": "Kabupaten", "kota": "Kota", "kecamatan": "Kecamatan",
               "desa": "Desa", "kelurahan": "Kelurahan"}
CHILD_LABELS = {1: "kabupaten/kota", 2: "kecamatan", 3: "desa/kelurahan"}


def label(name: str, kind: str) -> str:
    """A place as a reader names it: "Kecamatan Merlung", "Kabupaten Tanjung Jabung Barat", "Kota Jambi"."""
    prefix = TYPE_LABELS.get(kind, "")
    return name if name.startswith(prefix) else f"{prefix} {name}".strip()


def _place_row(row) -> dict:
    code, name, kind, level, parent = row
    return {"code": code, "name": name, "type": kind, "level": level, "parent": parent, "label": label(name, kind)}


def place(conn: sqlite3.Connection, code: str) -> dict | None:
    row = conn.execute("SELECT code, name, type, level, parent_code FROM places WHERE code = ?", [code]).fetchone()
    return _place_row(row) if row else None


def chain(conn: sqlite3.Connection, code: str) -> list[dict]:
    """The places above `code`, the province first."""
    codes = places.ancestors(code)
    if not codes:
        return []
    rows = conn.execute(f"SELECT code, name, type, level, parent_code FROM places WHERE code IN "
                        f"({', '.join('?' * len(codes))}) ORDER BY level", codes).fetchall()
    return [_place_row(r) for r in rows]


def story_count(conn: sqlite3.Connection, code: str | None) -> int:
    """Stories about the place or any place under it (None: tagged with any place)."""
    if code is None:
        return conn.execute("SELECT count(DISTINCT article_id) FROM article_places").fetchone()[0]
    return conn.execute("SELECT count(DISTINCT article_id) FROM article_places WHERE place_code >= ?"
                        " AND place_code < ?", under(code)).fetchone()[0]


def children(conn: sqlite3.Connection, code: str | None) -> list[dict]:
    """Every place one level under `code` (the provinces under None) with its story count, the empty
    ones too: "which kecamatan never make the news"."""
    if code is None:
        rows = conn.execute("SELECT code, name, type, level, parent_code FROM places WHERE level = 1").fetchall()
        counts = dict(conn.execute("SELECT substr(place_code, 1, 2), count(DISTINCT article_id) FROM article_places"
                                   " GROUP BY 1").fetchall())
    else:
        level = places.level_of(code) + 1
        width = len(code) + (3 if level <= 3 else 5)
        rows = conn.execute("SELECT code, name, type, level, parent_code FROM places WHERE code > ? AND code < ?"
                            " AND level = ?", [code + ".", code + "/", level]).fetchall()
        counts = dict(conn.execute(
            "SELECT substr(place_code, 1, ?), count(DISTINCT article_id) FROM article_places"
            " WHERE place_code > ? AND place_code < ? GROUP BY 1", [width, code + ".", code + "/"]).fetchall())
    found = [{**_place_row(r), "count": counts.get(r[0], 0)} for r in rows]
    return sorted(found, key=lambda p: (-p["count"], p["name"]))


def newest(conn: sqlite3.Connection, code: str, limit: int = 10) -> list[dict]:
    """The newest stories about the place or a place under it."""
    rows = conn.execute(
        "SELECT id, title, published_at, dateline FROM articles WHERE id IN (SELECT article_id FROM article_places"
        " WHERE place_code >= ? AND place_code < ?) ORDER BY published_at DESC LIMIT ?", [*under(code), limit])
    return [dict(zip(("id", "title", "published_at", "dateline"), r)) for r in rows.fetchall()]


def monthly(conn: sqlite3.Connection, code: str) -> dict[str, int]:
    """Stories a month (YYYY-MM) about the place or a place under it."""
    return dict(conn.execute(
        "SELECT published_month, count(*) FROM articles WHERE id IN (SELECT article_id FROM article_places"
        " WHERE place_code >= ? AND place_code < ?) GROUP BY published_month", under(code)).fetchall())


def aliases(conn: sqlite3.Connection, code: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT alias FROM place_aliases WHERE code = ? ORDER BY alias", [code])]


def top(conn: sqlite3.Connection, level: int, limit: int = 20) -> list[dict]:
    """The places of one level with the most stories (a story about a desa counts for its kecamatan)."""
    width = (2, 5, 8, 13)[level - 1]
    rows = conn.execute(
        "SELECT p.code, p.name, p.type, p.level, p.parent_code, t.n FROM (SELECT substr(place_code, 1, ?) AS code,"
        " count(DISTINCT article_id) AS n FROM article_places WHERE length(place_code) >= ? GROUP BY 1) t"
        " JOIN places p ON p.code = t.code ORDER BY t.n DESC, p.name LIMIT ?", [width, width, limit]).fetchall()
    return [{**_place_row(r[:5]), "count": r[5]} for r in rows]


def article_places(conn: sqlite3.Connection, article_id: int) -> list[dict]:
    """One article's places, the dateline's first, then by first mention."""
    rows = conn.execute(
        "SELECT p.code, p.name, p.type, p.level, p.parent_code, ap.mentions, ap.dateline FROM article_places ap"
        " JOIN places p ON p.code = ap.place_code WHERE ap.article_id = ?"
        " ORDER BY ap.dateline DESC, ap.first_position", [article_id]).fetchall()
    return [{**_place_row(r[:5]), "mentions": r[5], "dateline": bool(r[6])} for r in rows]


def home(conn: sqlite3.Connection) -> str | None:
    """The kabupaten/kota the archive is about: the first one a site's profile declares home, else the
    one with the most stories."""
    for (declared,) in conn.execute("SELECT places_home FROM sites WHERE places_home IS NOT NULL ORDER BY slug"):
        for code in json.loads(declared or "[]"):
            if places.level_of(code) == 2:
                return code
    best = top(conn, 2, 1)
    return best[0]["code"] if best else None


def source_row(conn: sqlite3.Connection) -> dict | None:
    row = conn.execute("SELECT package, version, licence, attribution FROM places_source WHERE id = 1").fetchone()
    return dict(zip(("package", "version", "licence", "attribution"), row)) if row else None
