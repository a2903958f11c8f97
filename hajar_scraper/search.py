"""Search in Bahasa Indonesia: the stemmed FTS index (stems from `stems`), the queries and the snippets.

FTS5 only matches the words as written, so "pembangunan" would miss "membangun" and "dibangun".
The archive therefore keeps a second FTS5 table, `articles_fts_stem`, whose rowid is `articles.id`
and whose columns hold the stemmed title, description and body; queries are stemmed the same way.
Snippets are cut here, not by FTS5's snippet(), because that table holds stems and the reader
wants to see the words as published, with every word of the query's families marked.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from html import escape
from itertools import islice
from typing import NamedTuple

from hajar_scraper import placestore
from hajar_scraper.stems import WORD, archive_stems, create_table, index_words, joined, stem_word, words

STEM_TABLE = "articles_fts_stem"
_SPACES = re.compile(r"\s+")
_QUERY_PART = re.compile(r'"([^"]*)"?|(\S+)')
SNIPPET_SCAN_WORDS = 2000  # a very long story is searched for hits in its first 2,000 words only


def stem_query(query: str | None) -> str:
    """A user's query as an FTS5 expression over stems: every word (or "quoted phrase") must match.

    Every stem is quoted, so no input can inject FTS5 syntax; an empty query gives `""`, which
    matches nothing instead of raising a syntax error.
    """
    return " ".join(query_phrases(query)) or '""'


def query_phrases(query: str | None) -> dict[str, str]:
    """Each word or "quoted phrase" of a query as a quoted FTS5 phrase of stems → the words as typed."""
    parts: dict[str, str] = {}
    for phrase, word in _QUERY_PART.findall(query or ""):
        typed = words(phrase if phrase else word)
        if typed:
            parts.setdefault('"' + " ".join(stem_word(w) for w in typed) + '"', " ".join(typed))
    return parts


def query_stems(query: str | None) -> frozenset[str]:
    return frozenset(stem_word(w) for w in words(query))


def snippet(text: str | None, query: str | None, size: int = 32) -> str:
    """HTML: the `size`-word window of `text` with most query hits, hits in <mark>, all else escaped.

    With size=0 the whole text is marked (for headlines).
    """
    text = text or ""
    stems = query_stems(query)
    tokens = list(islice(WORD.finditer(text), SNIPPET_SCAN_WORDS))
    hits = [i for i, m in enumerate(tokens) if stem_word(m.group()) in stems]
    return _cut(text, tokens, hits, size, len(tokens))


def stem_snippet(text: str | None, stemmed: str | None, query: str | None, size: int = 32) -> str:
    """`snippet`, with the hits read from the text's stems as `articles_fts_stem` holds them.

    The stored stems are the text's words in order, one for one, so the i-th stem is the i-th word:
    nothing is stemmed again and the text is scanned only up to the window's end (~0.05 ms a
    snippet instead of ~0.15 ms, or up to 16 ms with Sastrawi's cache cold). Each hit shown is
    checked against its word; stems out of step with the text fall back to stemming it.
    """
    text, stemmed = text or "", stemmed or ""
    padded, found, stems = f" {stemmed} ", [], query_stems(query)
    for stem in stems:  # str.find, not a regex: ~5 us a body
        at = padded.find(f" {stem} ")
        while at >= 0:
            found.append(at)
            at = padded.find(f" {stem} ", at + 1)
    hits, index, position = [], 0, 0
    for at in sorted(found):  # word i follows the i-th space
        index += padded.count(" ", position + 1, at + 1)
        position = at
        if index >= SNIPPET_SCAN_WORDS:
            break
        hits.append(index)
    total = min(stemmed.count(" ") + 1 if stemmed else 0, SNIPPET_SCAN_WORDS)
    start, end = _window(hits, size, total)
    tokens = _words_until(text, start, end)
    if (tokens is None or len(tokens) < end
            or end == total < SNIPPET_SCAN_WORDS and WORD.search(text, tokens[-1].end() if tokens else 0)
            or any(stem_word(tokens[i].group()) not in stems for i in hits if start <= i < end)):
        return snippet(text, query, size)
    return _cut(text, tokens, hits, size, total)


_SKIP_CHUNK = 256


@lru_cache(maxsize=None)
def _skip(count: int) -> re.Pattern:
    """Steps over `count` words; possessive, so no backtracking can split a word to make up the count."""
    return re.compile(r"(?:\W*+\w++){%d}" % count)


def _words_until(text: str, start: int, end: int) -> list | None:
    """The word matches up to `end`, indexed as `WORD.finditer` numbers them, but only those from
    `start` on made (None before): the words before the window are stepped over in C, ~5× faster.
    None when the text has fewer than `start` words."""
    position, left = 0, start
    while left:
        step = min(left, _SKIP_CHUNK)
        match = _skip(step).match(text, position)
        if match is None:
            return None
        position, left = match.end(), left - step
    return [None] * start + list(islice(WORD.finditer(text, position), end - start))


def _window(hits: list[int], size: int, total: int) -> tuple[int, int]:
    """First and past-the-last word of the snippet's window."""
    if size and total > size:
        start = _best_window(hits, size, total)
        return start, start + size
    return 0, total


def _cut(text: str, tokens: list, hits: list[int], size: int, total: int) -> str:
    """The `size`-word window of the text's `total` words with most hits as HTML, hits in <mark>,
    all else escaped; `tokens` are the word matches up to the window's end at least."""
    start, end = _window(hits, size, total)
    if not tokens:
        return escape(text)
    begin = tokens[start].start() if start else 0
    finish = tokens[end - 1].end() if end < total or total == SNIPPET_SCAN_WORDS else len(text)
    out, pos = ["…" if start else ""], begin
    for i in hits:
        if start <= i < end:
            match = tokens[i]
            out += [escape(text[pos:match.start()]), "<mark>", escape(match.group()), "</mark>"]
            pos = match.end()
    out += [escape(text[pos:finish]), "…" if finish < len(text.rstrip()) else ""]
    return _SPACES.sub(" ", "".join(out))


def _best_window(hits: list[int], size: int, total: int) -> int:
    """Start of the window holding most hits, beginning a few words before its first hit."""
    if not hits:
        return 0
    best, best_count, j = hits[0], 0, 0
    for i, first in enumerate(hits):
        while j < len(hits) and hits[j] < first + size:
            j += 1
        if j - i > best_count:
            best, best_count = first, j - i
    return max(0, min(best - 4, total - size))


# ranking -----------------------------------------------------------------------------------------
CANDIDATES = 500  # the newest hits of a query are the ones ranked, so its cost stays bounded
SHARE_WINDOW = 1000  # a phrase's share of the archive is counted on the newest 1,000 article ids
COMMON_SHARE = 0.05  # a phrase in at least one of 20 of them is too common to rank by
SCORED = 1000  # bm25 reads each scored row's length (~5 us): rows of the ranked phrases scored at most
PAGE_SIZE = 10


class Hits(NamedTuple):
    """What `find` found: (id, published_at, bm25 score) best first, and how it ordered them.

    A ranked search without dates leaves published_at None; an unranked one has no score (None).
    """

    rows: list[tuple[int, str, float | None]]
    ranked: bool  # False: newest first, asked for or because every phrase is common
    common: list[str]  # the query's words (as typed) left out of the ranking
    capped: bool  # more hits than CANDIDATES, or than the SCORED bound allowed: only the newest are here


def common_phrases(conn, phrases) -> set[str]:
    """The phrases found in at least COMMON_SHARE × SHARE_WINDOW of the SHARE_WINDOW newest article ids.

    bm25 counts every article holding each phrase, so a phrase in most articles costs a read of its
    whole posting list (~5 ms at one article in 20 of a million, ~50 ms for a word in all of them)
    while its idf, its weight in the score, is small: at most ln(19) ≈ 2.9 at one article in 20,
    clamped to 1e-6 by FTS5 past half, against 6-11 for the words that pick a story out. One look
    at the newest ids per phrase (< 1 ms) tells them apart: a phrase is common when its 50th newest
    hit is in the window, so at most 50 hits are read, not all of the window's. An archive smaller
    than the window has no common phrase, so its searches are always ranked.
    """
    needed = math.ceil(COMMON_SHARE * SHARE_WINDOW)  # hits is a whole number: hits >= x when hits >= ceil(x)
    if needed <= 0:
        return set(phrases)
    newest = conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 0
    return {phrase for phrase in phrases if conn.execute(
        f"SELECT rowid FROM [{STEM_TABLE}] WHERE [{STEM_TABLE}] MATCH ? AND rowid > ? "
        f"ORDER BY rowid DESC LIMIT 1 OFFSET {needed - 1}", [phrase, newest - SHARE_WINDOW]).fetchone()}


def find(conn, query: str | None, since: str = "", until: str = "", sort: str = "",
         common: set[str] | None = None, places: list[str] | None = None) -> Hits:
    """The CANDIDATES newest hits (by id) of a query, filtered by date (YYYY-MM-DD) and ordered.

    The order: newest first (published_at) when `sort` is "newest" or every phrase is common;
    otherwise bm25 (headline 10, standfirst 4, body 1) over the phrases that are not common, ties
    by id, the last archived first. With no phrase left out, bm25 scores the candidates as they are
    read. When common phrases were left out (the others then hold many more rows than the query),
    bm25 scores the SCORED newest rows of the ranked phrases and the candidates go back no further.
    `common` may be given, e.g. the union over several archives searched together. `places`: only the
    articles about these places (Kemendagri codes) or places under them (placestore.place_filter).
    """
    phrases = query_phrases(query)
    if not phrases:
        return Hits([], False, [], False)
    if common is None:
        common = common_phrases(conn, phrases)
    informative = " ".join(p for p in phrases if p not in common)
    ranked, oldest, scores = sort != "newest" and bool(informative), 0, None
    if ranked and common:
        scores, oldest = _scored(conn, informative)
    params = {"q": " ".join(phrases), "oldest": oldest, "since": since or "", "until": until or ""}
    within = ""
    if places is not None:
        clause, bounds = placestore.place_filter(f"[{STEM_TABLE}].rowid", places)
        within = f"AND {clause} "
        params.update(bounds)
    # Nothing left out: bm25 of the query itself scores exactly the candidates, in the same pass.
    together = ranked and scores is None
    rows = _candidates(conn, params, BM25 if together else "NULL", dated=bool(since or until or not ranked),
                       within=within)
    capped, rows = len(rows) > CANDIDATES or oldest > 0, rows[:CANDIDATES]
    if scores is not None:
        rows = [(article_id, published, scores.get(article_id)) for article_id, published, _ in rows]
    hits = [(article_id, published, score if ranked else None) for article_id, published, score in rows]
    if ranked:
        hits.sort(key=lambda h: h[2])  # stable: equal scores stay newest (archived) first
    else:
        hits.sort(key=lambda h: h[1], reverse=True)
    return Hits(hits, ranked, [phrases[p] for p in phrases if p in common], capped)


BM25 = f"bm25([{STEM_TABLE}], 10.0, 4.0, 1.0)"


def _scored(conn, informative: str) -> tuple[dict[int, float], int]:
    """bm25 of the SCORED newest rows of the ranked phrases, and the oldest of them (0: fewer rows than that).

    Every candidate is one of these rows, so one pass gives both the bound and the scores: a row's
    score is the same whichever rows the statement reads (the phrases' counts are over the table).
    """
    rows = conn.execute(f"SELECT rowid, {BM25} FROM [{STEM_TABLE}] WHERE [{STEM_TABLE}] MATCH ? "
                        f"ORDER BY rowid DESC LIMIT {SCORED}", [informative]).fetchall()
    return dict(rows), rows[-1][0] if len(rows) == SCORED else 0


def _candidates(conn, params: dict, score: str, dated: bool, within: str = "") -> list[tuple]:
    """(id, published_at or None, `score`) of the CANDIDATES + 1 newest hits from :oldest on (`within`: a
    further condition, e.g. a place's)."""
    if dated:  # the dates of 500 hits spread over the archive cost ~3 ms: only if used
        return conn.execute(
            f"SELECT [{STEM_TABLE}].rowid, articles.published_at, {score} FROM [{STEM_TABLE}] "
            f"JOIN articles ON articles.id = [{STEM_TABLE}].rowid WHERE [{STEM_TABLE}] MATCH :q "
            f"AND [{STEM_TABLE}].rowid >= :oldest AND (:since = '' OR articles.published_at >= :since) "
            f"AND (:until = '' OR substr(articles.published_at, 1, 10) <= :until) {within}"
            f"ORDER BY [{STEM_TABLE}].rowid DESC LIMIT {CANDIDATES + 1}", params).fetchall()
    return conn.execute(f"SELECT rowid, NULL, {score} FROM [{STEM_TABLE}] WHERE [{STEM_TABLE}] MATCH :q "
                        f"AND rowid >= :oldest {within}ORDER BY rowid DESC LIMIT {CANDIDATES + 1}", params).fetchall()


def result_rows(conn, ids: list[int], query: str | None) -> dict[int, dict]:
    """The search results to show, by id: headline and snippet marked from the stored stems."""
    if not ids:
        return {}
    found = conn.execute(
        f"SELECT articles.id, articles.title, articles.published_at, articles.authors, articles.dateline, "
        f"articles.body_text, [{STEM_TABLE}].title, [{STEM_TABLE}].body_text FROM articles "
        f"JOIN [{STEM_TABLE}] ON [{STEM_TABLE}].rowid = articles.id "
        f"WHERE articles.id IN ({', '.join('?' * len(ids))})", ids).fetchall()
    return {article_id: {"id": article_id, "title": title, "published_at": published, "authors": authors,
                         "dateline": dateline, "snippet": stem_snippet(body, body_stems, query),
                         "title_html": stem_snippet(title, title_stems, query, 0)}
            for article_id, title, published, authors, dateline, body, title_stems, body_stems in found}


# the index ---------------------------------------------------------------------------------------
def create_index(db) -> None:
    """Create the stemmed FTS5 table once, and stem whatever the archive already holds."""
    create_table(db)
    if db[STEM_TABLE].exists():
        return
    db.execute(f"CREATE VIRTUAL TABLE [{STEM_TABLE}] USING fts5(title, description, body_text, "
               "tokenize='unicode61 remove_diacritics 2')")
    rebuild_index(db)


def stem_columns(db, texts: list[list[str]]) -> list[str]:
    """Each column's words (`stems.index_words`) as the space-separated stems `articles_fts_stem` holds."""
    return joined(texts, archive_stems(db, {w for ws in texts for w in ws}))


def index_article(db, article_id: int, stemmed: list[str]) -> None:
    """(Re)index one article's stemmed columns; called by the archive inside the transaction that writes it."""
    db.execute(f"DELETE FROM [{STEM_TABLE}] WHERE rowid = ?", [article_id])
    db.execute(f"INSERT INTO [{STEM_TABLE}] (rowid, title, description, body_text) VALUES (?, ?, ?, ?)",
               [article_id, *stemmed])


def rebuild_index(db) -> int:
    """Stem every article again, e.g. after a Sastrawi upgrade; returns how many were indexed."""
    db.execute(f"DELETE FROM [{STEM_TABLE}]")
    count = 0
    for row in db.query("SELECT id, title, description, body_text FROM articles"):
        index_article(db, row["id"], stem_columns(db, index_words(row)))
        count += 1
    return count
