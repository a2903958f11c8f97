"""A synthetic archive of N articles in the schema `Archive` creates, built in bulk, and the records to save.

`Archive.save_article` writes ~30 rows a call; a million of those would take hours. So the schema
comes from `Archive` itself and the rows go in with executemany, the full-text indexes are rebuilt
once at the end (their triggers dropped meanwhile and restored after), as a long-lived archive
would hold them.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

from common import AUTHORS, CATEGORIES, TextGen
from hajar_scraper import fingerprint, search
from hajar_scraper.archive import Archive
from hajar_scraper.record import FIELDS
from hajar_scraper.stems import stem_word

BASE = "https://hajarnews.com"
START = datetime(2025, 6, 1, 8, 0)


class Articles:
    """Deterministic synthetic articles: the record (docs/record.md) and the stems the search index holds.

    Bodies are a paragraph of the story's own words plus 4-5 from a pool of 20,000 Zipf paragraphs, so a million articles are
    cheap to make while every word keeps its expected number of hits; only co-occurrence of two
    words is stronger than in real text (a paragraph recurs in ~1 article of 4,000).
    """

    def __init__(self, seed: int = 7, pool: int = 20_000):
        self.gen = gen = TextGen(seed)
        stems = [stem_word(w) for w in gen.words]  # once per vocabulary word
        self.paragraphs, self.paragraph_stems, self.sizes = [], [], []
        for _ in range(pool):
            ranks = gen.ranks(gen.rng.randint(40, 50))
            self.paragraphs.append(" ".join(gen.words[r] for r in ranks).capitalize() + ".")
            self.paragraph_stems.append(" ".join(stems[r] for r in ranks))
            self.sizes.append(len(ranks))
        self.stems = stems
        self.tags = [w.capitalize() for w in gen.words[200:5200]]

    def record(self, i: int) -> tuple[dict, dict]:
        """(record as the parser gives it, stemmed title/description/body for articles_fts_stem)."""
        gen, rng = self.gen, self.gen.rng
        chosen = rng.sample(range(len(self.paragraphs)), rng.randint(4, 5))
        title_ranks = gen.ranks(rng.randint(6, 11))
        topic = rng.sample(range(300, 20_000), 8)  # the story's own words, see TextGen.topic
        topic_ranks = [rng.choice(topic) for _ in range(40)]
        paragraphs = [" ".join(gen.words[r] for r in topic_ranks).capitalize() + "."]
        paragraphs += [self.paragraphs[j] for j in chosen]
        paragraphs[0] = "Kualatungkal, Hajarnews.com – " + paragraphs[0]
        title = " ".join(gen.words[r].capitalize() for r in title_ranks)
        body = "\n\n".join(paragraphs)
        published = START - timedelta(minutes=5 * i)
        stamp = f"{published:%Y-%m-%dT%H:%M:%S}+07:00"
        record = {
            "url": f"{BASE}/{published:%Y/%m/%d}/artikel-{i}/", "site": "hajarnews", "title": title,
            "published_at": stamp, "modified_at": stamp, "description": paragraphs[0][:160],
            "body_text": body, "body_html": "".join(f"<p>{p}</p>\n" for p in paragraphs),
            "authors": [AUTHORS[i % len(AUTHORS)]], "editor": None, "dateline": "Kualatungkal",
            "signature": "OD/*", "categories": [CATEGORIES[i % 11], CATEGORIES[(i * 7 + 3) % 11]],
            "tags": list(dict.fromkeys(self.tags[r % len(self.tags)] for r in gen.ranks(3))),
            "images": [{"url": f"{BASE}/wp-content/uploads/2025/05/IMG-{i}.jpg", "caption": "Foto kegiatan.",
                        "credit": "Hajarnews"}],
            "language": "id", "word_count": sum(self.sizes[j] for j in chosen) + 42,
            "content_hash": hashlib.sha256(f"{title}\n{body}".encode()).hexdigest(),
            "provenance": {"title": "jsonld", "body_text": "selector"}, "fetched_at": "2025-06-02T00:00:00+00:00",
            "parser_version": "1", "corrections": [],
        }
        stems = {"title": " ".join(self.stems[r] for r in title_ranks),
                 "description": "kualatungkal hajarnews com " + " ".join(self.paragraph_stems[chosen[0]].split()[:20]),
                 "body_text": " ".join(["kualatungkal hajarnews com", *(self.stems[r] for r in topic_ranks),
                                       *(self.paragraph_stems[j] for j in chosen)])}
        return {k: v for k, v in record.items() if k in FIELDS}, stems


def article_row(record: dict, columns: list[str]) -> dict:
    """The `articles` row `save_article` would write for a new record (columns it lacks stay NULL)."""
    seen = record["fetched_at"]
    row = {k: v for k, v in record.items() if not isinstance(v, (list, dict))}
    row.update({t: json.dumps(record[t], ensure_ascii=False) for t in ("authors", "categories", "tags")},
               provenance=json.dumps(record["provenance"], sort_keys=True), published_month=record["published_at"][:7],
               version=1, status="live", first_seen_at=seen, last_seen_at=seen, last_changed_at=seen,
               lead_image=record["images"][0]["url"], simhash=record["content_hash"][:16])
    return {c: row.get(c) for c in columns}


def build(path: Path, count: int, source: Articles, batch: int = 5000, log=print) -> None:
    """Fill a new archive at `path` with `count` articles, oldest first (ids rise with time)."""
    Archive(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("INSERT OR IGNORE INTO sites VALUES ('hajarnews', 'Hajarnews.com', ?, 'Jambi', 'Asia/Jakarta')",
                 [BASE])
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                            "AND tbl_name = 'articles'").fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER [{name}]")
    columns = [r[1] for r in conn.execute("PRAGMA table_info(articles)") if r[1] != "id"]
    has_bands = bool(conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'fingerprint_bands'").fetchone())
    term_ids: dict[tuple[str, str], int] = {}
    started = time.monotonic()
    for first in range(0, count, batch):
        rows, stems, versions, links, images, bands = [], [], [], [], [], []
        for n in range(first, min(count, first + batch)):
            article_id = n + 1
            record, stemmed = source.record(count - n)
            rows.append([article_id, *article_row(record, columns).values()])
            stems.append((article_id, stemmed["title"], stemmed["description"], stemmed["body_text"]))
            versions.append((article_id, 1, record["content_hash"], record["title"], record["body_text"],
                             record["fetched_at"], 1))
            images.append((article_id, 0, record["images"][0]["url"], "Foto kegiatan.", "Hajarnews"))
            bands += [(n, key, article_id) for n, key in fingerprint.keys(int(record["content_hash"][:16], 16))]
            for term in ("authors", "categories", "tags"):
                for name in record[term]:
                    links.append((term, article_id, term_ids.setdefault((term, name), len(term_ids) + 1)))
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO articles (id, {', '.join(columns)}) VALUES "
                         f"({', '.join('?' * (len(columns) + 1))})", rows)
        conn.executemany(f"INSERT INTO {search.STEM_TABLE} (rowid, title, description, body_text) "
                         "VALUES (?, ?, ?, ?)", stems)
        conn.executemany("INSERT INTO article_versions (article_id, version, content_hash, title, body_text, "
                         "seen_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?)", versions)
        conn.executemany("INSERT INTO images VALUES (?, ?, ?, ?, ?)", images)
        if has_bands:  # near-duplicate bands (the content hash stands in for a simhash: cheap, well spread)
            conn.executemany("INSERT OR IGNORE INTO fingerprint_bands (band, value, article_id) VALUES (?, ?, ?)", bands)
        for term in ("authors", "categories", "tags"):
            conn.executemany(f"INSERT OR IGNORE INTO articles_{term} VALUES (?, ?)",
                             [(a, t) for kind, a, t in links if kind == term])
        conn.execute("COMMIT")
        if first // batch % 20 == 19:
            log(f"  {first + batch:,} articles in {time.monotonic() - started:.0f} s")
    with conn:
        for (term, name), term_id in term_ids.items():
            conn.execute(f"INSERT INTO {term} (id, name) VALUES (?, ?)", [term_id, name])
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('rebuild')")
        for _, sql in triggers:
            conn.execute(sql)
    conn.close()
    log(f"  built {count:,} articles in {time.monotonic() - started:.0f} s")


def records(count: int, source: Articles) -> list[dict]:
    """`count` records to save, as the parser hands them to the pipeline."""
    return [source.record(n)[0] for n in range(count)]
