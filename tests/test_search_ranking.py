"""The search's ranking rule (common words left out of bm25, newest first when all are common) and
snippets cut from the stored stems, on a twelve-article archive built by hand."""

from __future__ import annotations

import sqlite3

import pytest

from hajar_scraper import search
from hajar_scraper.archive import Archive
from hajar_scraper.stems import stem_text
from test_web_archive import make_record

# id: (published_at, title, body). Article 12 was archived after 11 but published a day before it.
ARTICLES = {
    1: ("2021-05-01", "Warga Rapat Desa", "Warga desa rapat di balai desa."),
    2: ("2021-05-02", "Pasar Ramai", "Warga belanja sayur di pasar pagi."),
    3: ("2021-05-03", "Jembatan Baru Dibuka", "Warga menyeberang sungai naik perahu."),
    4: ("2021-05-04", "Hujan Deras", "Warga mengungsi karena banjir besar."),
    5: ("2021-05-05", "Sekolah Libur", "Warga menjemput anak dari sekolah."),
    6: ("2021-05-06", "Listrik Padam", "Warga menyalakan lampu minyak malam itu."),
    7: ("2021-05-07", "Jalan Rusak", "Warga melewati jembatan kayu tua itu."),
    8: ("2021-05-08", "Harga Cabai", "Warga mengeluh harga cabai naik lagi."),
    9: ("2021-05-09", "Posyandu Buka", "Warga membawa balita ke posyandu desa."),
    10: ("2021-05-10", "Panen Padi", "Warga memanen padi di sawah luas."),
    11: ("2021-05-12", "Lomba Perahu", "Warga menonton jembatan jembatan jembatan ramai."),
    12: ("2021-05-11", "Harga Beras", "Warga antre beras murah di kantor."),
}


@pytest.fixture
def conn():
    """The two tables search reads: `articles` and the stemmed FTS5 index, rowid = articles.id."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY, title TEXT, published_at TEXT, authors TEXT, "
                 "dateline TEXT, body_text TEXT)")
    conn.execute(f"CREATE VIRTUAL TABLE {search.STEM_TABLE} USING fts5(title, description, body_text, "
                 "tokenize='unicode61 remove_diacritics 2')")
    for article_id, (day, title, body) in ARTICLES.items():
        conn.execute("INSERT INTO articles VALUES (?, ?, ?, '[]', NULL, ?)",
                     [article_id, title, f"{day}T10:00:00+07:00", body])
        conn.execute(f"INSERT INTO {search.STEM_TABLE} (rowid, title, description, body_text) VALUES (?, ?, '', ?)",
                     [article_id, stem_text(title), stem_text(body)])
    yield conn
    conn.close()


@pytest.fixture
def window_of_ten(monkeypatch):
    """Common: in at least 5 of the 10 newest ids (3-12), as 50 of the 1,000 newest are on a real archive."""
    monkeypatch.setattr(search, "SHARE_WINDOW", 10)
    monkeypatch.setattr(search, "COMMON_SHARE", 0.5)


def ids(hits: search.Hits) -> list[int]:
    return [article_id for article_id, _, _ in hits.rows]


def test_common_phrases_are_counted_on_the_newest_ids(conn, window_of_ten):
    # warga: all 10 newest; jembatan: 3, 7, 11 (3 of 10); desa: 1 and 9 (1 of the newest 10)
    assert search.common_phrases(conn, ['"warga"', '"jembatan"', '"desa"']) == {'"warga"'}


def test_a_rare_word_is_ranked_by_bm25_headline_first(conn, window_of_ten):
    hits = search.find(conn, "jembatan")
    assert (ids(hits), hits.ranked, hits.common, hits.capped) == ([3, 11, 7], True, [], False)
    scores = [score for _, _, score in hits.rows]
    assert scores == sorted(scores) and scores[0] < 0
    assert [published for _, published, _ in hits.rows] == [None, None, None]  # not read when not needed


def test_a_common_word_leaves_the_ranking_to_the_others(conn, window_of_ten):
    hits = search.find(conn, "Warga jembatan")
    assert (ids(hits), hits.ranked, hits.common) == ([3, 11, 7], True, ["Warga"])
    assert hits.rows == search.find(conn, "jembatan").rows  # the same bm25 scores: warga weighs nothing


def test_only_common_words_fall_back_to_newest_first(conn, window_of_ten):
    hits = search.find(conn, "warga")
    assert (ids(hits), hits.ranked, hits.common) == ([11, 12, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1], False, ["warga"])
    assert hits.rows[0] == (11, "2021-05-12T10:00:00+07:00", None)


def test_below_the_window_nothing_is_common(conn):
    hits = search.find(conn, "warga jembatan")
    assert (ids(hits), hits.ranked, hits.common) == ([3, 11, 7], True, [])


def test_newest_first_on_request_and_dates(conn, window_of_ten):
    assert ids(search.find(conn, "jembatan", sort="newest")) == [11, 7, 3]
    assert ids(search.find(conn, "warga", since="2021-05-05", until="2021-05-07")) == [7, 6, 5]
    assert ids(search.find(conn, "jembatan", since="2021-05-04")) == [11, 7]


def test_with_common_words_left_out_candidates_stop_at_the_scored_rows(conn, window_of_ten, monkeypatch):
    monkeypatch.setattr(search, "SCORED", 2)  # the 2 newest jembatan rows: 11 and 7
    hits = search.find(conn, "warga jembatan")
    assert (ids(hits), hits.ranked, hits.capped) == ([11, 7], True, True)
    assert ids(search.find(conn, "jembatan")) == [3, 11, 7]  # no common word: no bound


def test_candidates_are_the_newest_hits(conn, monkeypatch):
    monkeypatch.setattr(search, "CANDIDATES", 4)
    hits = search.find(conn, "warga", sort="newest")
    assert (ids(hits), hits.capped) == ([11, 12, 10, 9], True)


def test_common_words_can_be_given(conn):
    hits = search.find(conn, "warga jembatan", common={'"warga"'})
    assert (ids(hits), hits.common) == ([3, 11, 7], ["warga"])


@pytest.mark.parametrize("query", ["", "  ", "¿?"])
def test_an_empty_query_finds_nothing(conn, query):
    assert search.find(conn, query) == search.Hits([], False, [], False)


def test_result_rows_mark_the_stored_stems(conn):
    rows = search.result_rows(conn, [7, 3], "jembatan")
    assert rows == {
        7: {"id": 7, "title": "Jalan Rusak", "published_at": "2021-05-07T10:00:00+07:00", "authors": "[]",
            "dateline": None, "snippet": "Warga melewati <mark>jembatan</mark> kayu tua itu.",
            "title_html": "Jalan Rusak"},
        3: {"id": 3, "title": "Jembatan Baru Dibuka", "published_at": "2021-05-03T10:00:00+07:00", "authors": "[]",
            "dateline": None, "snippet": "Warga menyeberang sungai naik perahu.",
            "title_html": "<mark>Jembatan</mark> Baru Dibuka"}}


# snippets from the stored stems --------------------------------------------------------------------
TEXT = "Warga <b>membangun</b> posko. Jembatan dibangun & pembangunan jalan dimulai."


def test_stem_snippet_marks_from_the_stems():
    assert search.stem_snippet(TEXT, "warga b bangun b posko jembatan bangun bangun jalan mulai", "bangunan", 0) == (
        "Warga &lt;b&gt;<mark>membangun</mark>&lt;/b&gt; posko. Jembatan <mark>dibangun</mark> &amp; "
        "<mark>pembangunan</mark> jalan dimulai.")


def test_stem_snippet_window_as_snippet():
    text = " ".join(f"kata{i}" for i in range(100)) + " membangun rumah " + " ".join(f"akhir{i}" for i in range(50))
    assert search.stem_snippet(text, stem_text(text), "pembangunan", 8) == (
        "…kata96 kata97 kata98 kata99 <mark>membangun</mark> rumah akhir0 akhir1…")


@pytest.mark.parametrize("stems", [
    "warga b bangun b posko jembatan bangun bangun jalan",  # a word short
    "warga b bangun b posko jembatan bangun bangun jalan mulai lagi",  # a word over
    "warga b bangun b posko bangun jembatan bangun jalan mulai",  # the same count, out of order
    "",
])
def test_stems_out_of_step_fall_back_to_stemming(stems):
    assert search.stem_snippet(TEXT, stems, "bangunan jembatan", 0) == search.snippet(TEXT, "bangunan jembatan", 0)


def test_stem_snippet_scans_the_first_words_only():
    text = "awal " * search.SNIPPET_SCAN_WORDS + "membangun"
    assert "<mark>" not in search.stem_snippet(text, stem_text(text), "bangun", 8)
    assert search.stem_snippet(text, stem_text(text), "bangun", 8) == search.snippet(text, "bangun", 8)


@pytest.mark.parametrize("text", ["", "  ", "—", "a\u00a0 b\n\nc "])
def test_stem_snippet_of_odd_texts(text):
    assert search.stem_snippet(text, stem_text(text), "a", 0) == search.snippet(text, "a", 0)


# the same answers from fewer and cheaper statements ------------------------------------------------
@pytest.mark.parametrize("share, common", [(0.25, {'"jembatan"'}), (0.3, {'"jembatan"'}), (0.31, set()),
                                           (0.0, {'"jembatan"'})])
def test_common_means_at_least_the_share_in_whole_hits(conn, monkeypatch, share, common):
    # jembatan: 3 of the 10 newest ids (3-12); a share of 2.5 or 3 hits needs 3, of 3.1 needs 4
    monkeypatch.setattr(search, "SHARE_WINDOW", 10)
    monkeypatch.setattr(search, "COMMON_SHARE", share)
    assert search.common_phrases(conn, ['"jembatan"']) == common


# bm25 by hand -------------------------------------------------------------------------------------
# FTS5's bm25 (sqlite.org/fts5.html, "The bm25() function"): the score of a row is
#   -Σ over the query's phrases q of IDF(q) · f·(k1 + 1) / (f + k1·(1 - b + b·|D| / avgdl)),
#   IDF(q) = ln((N - n(q) + 0.5) / (n(q) + 0.5)), clamped to 1e-6 when not positive; k1 = 1.2, b = 0.75;
# f is q's hits in the row, each counted as its column's weight; |D| the row's tokens in all columns,
# avgdl their mean over the N rows; n(q) the rows holding q. The expected scores below are those
# numbers worked out from the fixture's stems, not read from the code.
#
# The twelve articles: no description; 95 stems in all, avgdl = 95/12. jembatan: n = 3 (3: headline,
# 7: body once, 11: body three times), |D| = 8 in each, so k1·(1 - b + b·|D|/avgdl) = 1.2094736842105265
# and IDF = ln(9.5 / 3.5) = 0.9985288301111273:
JEMBATAN = {3: -1.9597382429638992,  # f = 10: -IDF · 10·2.2 / (10 + 1.2094736842105265)
            11: -1.5655853375335753,  # f = 3
            7: -0.9942473820544334}  # f = 1
# warga is in all twelve: IDF = ln(0.5 / 12.5) < 0, so 1e-6; f = 1 (once in each body) adds -1e-6 · 2.2 / 2.2094...
WARGA_JEMBATAN = {3: -1.9597392386761432, 11: -1.5655863332458193, 7: -0.9942483777666773}


def scores(hits: search.Hits) -> list[tuple[int, float]]:
    return [(article_id, score) for article_id, _, score in hits.rows]


def by_hand(expected: dict[int, float], order: list[int]) -> list[tuple[int, float]]:
    return [(article_id, pytest.approx(expected[article_id], rel=1e-12)) for article_id in order]


def test_scores_are_fts5_bm25_of_the_ranked_phrases(conn, window_of_ten):
    assert scores(search.find(conn, "jembatan")) == by_hand(JEMBATAN, [3, 11, 7])  # read with the candidates
    # warga is common here: left out, the others are scored apart, to the same numbers
    assert scores(search.find(conn, "warga jembatan")) == by_hand(JEMBATAN, [3, 11, 7])
    # nothing left out: both phrases scored with the candidates
    assert scores(search.find(conn, "warga jembatan", common=set())) == by_hand(WARGA_JEMBATAN, [3, 11, 7])


def test_dated_candidates_are_scored_too(conn):
    assert scores(search.find(conn, "jembatan", since="2021-05-04")) == by_hand(JEMBATAN, [11, 7])


# Headline 10, standfirst 4, body 1 (README "Searching"): three articles hold jembatan once each, in
# a different column, beside five that do not. Every column holds two words, so |D| = avgdl = 6 and
# the length factor is 1: N = 8, n = 3, IDF = ln(5.5 / 3.5) = 0.4519851237430572.
WEIGHED = {  # id: (title, description, body)
    1: ("Jembatan Kayu", "sungai laut", "warga desa"),
    2: ("Pasar Ikan", "jembatan sawah", "warga desa"),
    3: ("Kapal Perahu", "hujan padi", "jembatan rumah"),
    4: ("Harga Cabai", "pagi ramai", "warga antre"),
    5: ("Listrik Padam", "lampu minyak", "malam gelap"),
    6: ("Hujan Deras", "banjir besar", "warga ungsi"),
    7: ("Sekolah Libur", "anak murid", "guru rapat"),
    8: ("Panen Padi", "sawah luas", "kota kecil"),
}
WEIGHTED_SCORES = {1: -0.8878279216381482,  # headline, f = 10: -IDF · 10·2.2 / (10 + 1.2)
                   2: -0.7648979017190200,  # standfirst, f = 4: -IDF · 4·2.2 / (4 + 1.2)
                   3: -0.4519851237430572}  # body, f = 1: -IDF · 2.2 / (1 + 1.2)
# "jembatan sungai" matches article 1 only; sungai is in its standfirst (f = 4), n = 1, IDF = ln(7.5 / 1.5):
# -0.8878279216381482 - ln 5 · 4·2.2 / (4 + 1.2)
TWO_PHRASES = -3.6114920811420100


@pytest.fixture
def weighed(tmp_path):
    """A real archive (its schema, its stemmed index) holding the eight WEIGHED articles, ids 1-8."""
    archive = Archive(tmp_path / "bobot.db")
    for article_id, (title, description, body) in WEIGHED.items():
        assert archive.save_article(make_record({
            "site": "hajarnews", "slug": f"2021/05/{article_id:02d}/berita-{article_id}", "title": title,
            "description": description, "body_text": body, "published_at": f"2021-05-{article_id:02d}T10:00:00+07:00",
            "authors": [], "categories": [], "tags": []})) == "new"
    yield archive.db.conn
    archive.close()


def test_bm25_weighs_the_headline_10_the_standfirst_4_and_the_body_1(weighed):
    assert scores(search.find(weighed, "jembatan")) == by_hand(WEIGHTED_SCORES, [1, 2, 3])
    assert scores(search.find(weighed, "jembatan sungai")) == [(1, pytest.approx(TWO_PHRASES, rel=1e-12))]


def test_stem_snippet_steps_over_the_words_before_its_window():
    for before in (0, 3, 255, 256, 257, 600, 1990):
        text = " — ".join(f"kata{i}" for i in range(before)) + ", membangun rumah; " + " ".join(["akhir"] * 40)
        stems = stem_text(text)
        assert search.stem_snippet(text, stems, "pembangunan", 8) == search.snippet(text, "pembangunan", 8)
        assert search.stem_snippet(text, stems, "pembangunan", 8).count("<mark>") == (before < 2000)


def test_a_text_shorter_than_its_stems_falls_back():
    text = "kata " * 300 + "membangun"
    stems = stem_text(text)
    shorter = "kata " * 100
    assert search.stem_snippet(shorter, stems, "bangun", 8) == search.snippet(shorter, "bangun", 8)
    assert search._words_until(shorter, 300, 308) is None
    words = search._words_until("a, b_c d", 1, 3)  # numbered as _WORD.finditer numbers them
    assert words[0] is None and [m.group() for m in words[1:]] == ["b_c", "d"]
