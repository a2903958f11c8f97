"""Sastrawi stems of Indonesian words, found once: this process's memory, the archive's `stems` table,
else Sastrawi itself (~0.1-0.3 ms a new affixed word, a third of it compiling a regular expression).

The search index (`search`) and its queries stem every word through here, so both agree.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from functools import lru_cache
from urllib.parse import quote

WORD = re.compile(r"\w+")
_ASCII_WORD = re.compile(r"[a-z0-9]+")
KNOWN_MAX = 200_000  # ~25 MB; past it the memory starts again from the archive's `stems` table
_KNOWN: dict[str, str] = {}  # word in lower case -> stem, for this process


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    # Sastrawi's own cache is an unbounded dict; ours is bounded.
    return StemmerFactory().create_stemmer().delegatedStemmer


def fold(word: str) -> str:
    """Lower case without diacritics, as FTS5's `unicode61 remove_diacritics 2` folds them."""
    word = unicodedata.normalize("NFKD", word.lower())
    return "".join(ch for ch in word if not unicodedata.combining(ch))


def words(text: str | None) -> list[str]:
    return WORD.findall(text or "")


def stem_word(word: str) -> str:
    """The Sastrawi stem of one word, remembered: a new affixed word costs ~0.1-0.3 ms, a known one ~0.1 us."""
    word = word.lower()
    stem = _KNOWN.get(word)
    if stem is None:
        stem = _stem(word)
        _remember({word: stem})
    return stem


def stem_text(text: str | None) -> str:
    """The text as space-separated stems, the form `articles_fts_stem` indexes."""
    return " ".join(stem_word(w) for w in words(text))


def _stem(word: str) -> str:
    folded = fold(word)
    if not _ASCII_WORD.fullmatch(folded):
        return folded  # Sastrawi drops letters outside a-z; keep such words whole
    return _stemmer().stem(folded) or folded


def _remember(stems: dict[str, str]) -> None:
    if len(_KNOWN) + len(stems) > KNOWN_MAX:
        _KNOWN.clear()
    _KNOWN.update(stems)


def forget_stems() -> None:
    """Start with no stems in memory, as a fresh process does."""
    _KNOWN.clear()


# the indexed columns -------------------------------------------------------------------------
COLUMNS = ("title", "description", "body_text")  # what `articles_fts_stem` indexes, in its order


def index_words(record: dict) -> list[list[str]]:
    """The lower-case words of each indexed column, as the index stems them."""
    return [[w.lower() for w in words(record.get(column))] for column in COLUMNS]


def joined(texts: list[list[str]], stems: dict[str, str]) -> list[str]:
    """Each column's words as the space-separated stems `articles_fts_stem` holds."""
    return [" ".join(stems[w] for w in ws) for ws in texts]


def stem_columns_offline(texts: list[list[str]], archive: str | None = None) -> tuple[list[str], dict[str, str]]:
    """The stemmed columns in a parsing process (`offline_stems`), with the stems Sastrawi made."""
    found, made = offline_stems({w for ws in texts for w in ws}, archive)
    return joined(texts, found), made


# the archive's `stems` table -------------------------------------------------------------------
def create_table(db) -> None:
    """`stems`: every word (lower case) the archive has indexed and its stem, so no later crawl stems it again."""
    db.execute("CREATE TABLE IF NOT EXISTS stems (word TEXT PRIMARY KEY, stem TEXT NOT NULL) WITHOUT ROWID")


def archive_stems(db, unique: set[str]) -> dict[str, str]:
    """Stems of these lower-case words for the archive's writer: memory, the `stems` table, else Sastrawi
    (then stored)."""
    found = {w: _KNOWN[w] for w in unique if w in _KNOWN}
    missing = [w for w in unique if w not in found]
    found.update(_look_up(db.conn, missing))
    new = {w: _stem(w) for w in missing if w not in found}
    keep_stems(db, new)
    _remember({w: found.get(w) or new[w] for w in missing})
    return {**found, **new}


def offline_stems(unique: set[str], archive: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
    """`archive_stems` in a process that does not write the archive (a parsing process): the `archive`
    file's table is read, not written. Returns every word's stem, and those Sastrawi made, which the
    writer keeps (`keep_stems`)."""
    missing = [w for w in unique if w not in _KNOWN]
    made = {}
    if missing:
        try:
            found = _look_up(_reader(archive), missing) if archive else {}
        except sqlite3.Error:  # no table yet, or the file is busy: Sastrawi gives the same stems
            found = {}
        made = {w: _stem(w) for w in missing if w not in found}
        _remember({**found, **made})
    return {w: _KNOWN[w] for w in unique}, made


def keep_stems(db, stems: dict[str, str]) -> None:
    """Store stems made with Sastrawi, so no later crawl makes them again."""
    if stems:
        db.conn.executemany("INSERT OR IGNORE INTO stems (word, stem) VALUES (?, ?)", stems.items())


def _look_up(conn: sqlite3.Connection, missing: list[str]) -> dict[str, str]:
    found = {}
    for start in range(0, len(missing), 500):
        chunk = missing[start:start + 500]
        found.update(conn.execute(f"SELECT word, stem FROM stems WHERE word IN ({', '.join('?' * len(chunk))})",
                                  chunk).fetchall())
    return found


@lru_cache(maxsize=4)
def _reader(archive: str) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(archive)}?mode=ro", uri=True, timeout=1)
