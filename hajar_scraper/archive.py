"""The SQLite archive (docs/record.md §5): schema, upserts, versions and full-text search, via sqlite-utils."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlite_utils

from hajar_scraper import dates, fingerprint, placestore, schema, search
from hajar_scraper.crawlstate import CrawlState
from hajar_scraper.dates import utc_now
from hajar_scraper.prepared import Prepared
from hajar_scraper.schema import TERMS
from hajar_scraper.stems import keep_stems
from hajar_scraper.warc import Capture, read_response

DEFAULT_ZONE = "Asia/Jakarta"  # a site with no row in `sites` (archives built by hand)
FILL_ALARM_POINTS = 20.0  # a field filled this much less often than in earlier runs flags the run
ALARM_MIN_ARTICLES = 5  # runs with fewer articles are too small to compare
# A run's counts in `crawl_runs`; `not_fetched`: URLs a run cut short never got to (not failures).
RUN_COUNTS = ("new", "updated", "unchanged", "skipped", "rejected", "failed", "not_fetched")
# Articles sharing any of a simhash's keys (parameters: band, value of each key), read from the covering index.
CANDIDATES = ("SELECT id, simhash, cluster_id FROM articles INDEXED BY articles_fingerprint WHERE id IN ("
              + " UNION ALL ".join(["SELECT article_id FROM fingerprint_bands WHERE band = ? AND value = ?"]
                                   * fingerprint.PAIRS) + ")")
SCALARS = ("url", "site", "title", "published_at", "modified_at", "description", "body_text", "body_html",
           "editor", "dateline", "signature", "language", "word_count", "content_hash", "fetched_at",
           "parser_version")


def held_time(value: str, zone: str, seen: datetime) -> datetime:
    """How new a held copy is, as the page dates it (UTC). A day the page printed without a time counts to its
    end, or to when the copy was last seen within it: its first moment would make every listed `lastmod` of
    that day look newer, and the page be fetched again on every crawl."""
    if not dates.is_day(value):
        return datetime.fromisoformat(value).astimezone(timezone.utc)
    end = dates.as_datetime(value, zone) + timedelta(days=1, seconds=-1)
    return min(end, seen).astimezone(timezone.utc)


class Archive:
    """One SQLite file holding every article, fetch and crawl run of one or more sites."""

    # Test-only: called inside an article's savepoint once its row is written, where the kill test
    # (tests/test_crash_safety.py, through the pipeline's HAJAR_TEST_STOP_AT_ARTICLE) stops the crawl.
    after_row: Callable[[str], None] | None = None

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA busy_timeout = 10000")
        self.db.enable_wal()
        # WAL with synchronous=NORMAL survives any crash of the process (a SIGKILL loses nothing committed);
        # only a power cut may drop the last transactions. FULL cost 3.4 ms a commit here, NORMAL 0.04 ms.
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.upgraded = schema.upgrade(self.db)
        placestore.ensure(self.db)  # the vendored gazetteer, loaded again when it changed

    def close(self) -> None:
        self.db.close()

    def ensure_site(self, slug: str, name: str, base_url: str, region: str, timezone_name: str,
                    places_home: tuple[str, ...] = ()) -> None:
        self.db["sites"].upsert({"slug": slug, "name": name, "base_url": base_url, "region": region,
                                 "timezone": timezone_name}, pk="slug")
        if places_home:
            placestore.set_home(self.db, slug, places_home)

    # crawl runs -----------------------------------------------------------------------------
    def start_run(self, site: str, arguments: dict) -> int:
        table = self.db["crawl_runs"].insert({"site": site, "started_at": utc_now(), "status": "running",
                                              "arguments": json.dumps(arguments, sort_keys=True)})
        return table.last_pk

    def finish_run(self, run_id: int, status: str, stats: dict, counts: dict, fill_rates: dict,
                   warning: str | None = None) -> str | None:
        """Close a run with its figures; returns its alarm: `warning` (e.g. robots.txt refused everything)
        and the fill-rate drop, if the site's layout seems changed."""
        site = self.db["crawl_runs"].get(run_id)["site"]
        articles = sum(counts.get(k, 0) for k in ("new", "updated", "unchanged"))
        fill = self._fill_alarm(site, run_id, fill_rates) if articles >= ALARM_MIN_ARTICLES else None
        alarm = "; ".join(filter(None, (warning, fill))) or None
        self.db["crawl_runs"].update(run_id, {
            "finished_at": utc_now(), "status": status, "alarm": alarm,
            **{k: counts.get(k, 0) for k in RUN_COUNTS},
            "stats": json.dumps(stats, sort_keys=True, default=str),
            "fill_rates": json.dumps(fill_rates, sort_keys=True),
        })
        return alarm

    def _fill_alarm(self, site: str, run_id: int, fill_rates: dict) -> str | None:
        earlier = [json.loads(r["fill_rates"]) for r in self.db.query(
            "SELECT fill_rates FROM crawl_runs WHERE site = ? AND id < ? AND fill_rates IS NOT NULL"
            " AND new + updated + unchanged >= ?", [site, run_id, ALARM_MIN_ARTICLES])]
        drops = []
        for field, rate in sorted(fill_rates.items()):
            past = [r[field] for r in earlier if field in r]
            if past and sum(past) / len(past) - rate > FILL_ALARM_POINTS:
                drops.append(f"{field} {sum(past) / len(past):.1f}% -> {rate:.1f}%")
        return "fill rate dropped: " + ", ".join(drops) if drops else None

    def close_interrupted_runs(self, site: str) -> int:
        """Runs still marked running when we hold the lock died mid-way (killed, crashed)."""
        with self.db.atomic():
            cursor = self.db.execute("UPDATE crawl_runs SET status = 'interrupted' WHERE site = ? AND status = 'running'",
                                     [site])
        return cursor.rowcount

    # what the crawler needs to know ---------------------------------------------------------
    def crawl_state(self, site: str) -> CrawlState:
        """Held copies, the discovery plan and the start of the last complete, unbounded run."""
        held, last_seen, zone = {}, {}, self.site_zone(site)
        for row in self.db.execute("SELECT url, published_at, modified_at, last_seen_at FROM articles"
                                   " WHERE site = ?", [site]):
            last_seen[row[0]] = datetime.fromisoformat(row[3])
            held[row[0]] = max(held_time(t, zone, last_seen[row[0]]) for t in row[1:3] if t)
        plan = self.db["discovery_plans"].get(site)["plan"] if self._has_plan(site) else None
        last = next(self.db.query(
            "SELECT started_at FROM crawl_runs WHERE site = ? AND status = 'finished'"
            " AND json_extract(arguments, '$.since') IS NULL AND json_extract(arguments, '$.until') IS NULL"
            " ORDER BY id DESC LIMIT 1", [site]), None)
        return CrawlState(held=held, last_seen=last_seen, plan=json.loads(plan) if plan else None,
                          last_complete_start=datetime.fromisoformat(last["started_at"]) if last else None,
                          path=str(self.path))

    def site_zone(self, site: str) -> str:
        """The site's IANA zone: the one its printed days are in."""
        row = self.db.execute("SELECT timezone FROM sites WHERE slug = ?", [site]).fetchone()
        return row[0] if row and row[0] else DEFAULT_ZONE

    def _has_plan(self, site: str) -> bool:
        return bool(self.db.execute("SELECT 1 FROM discovery_plans WHERE site = ?", [site]).fetchone())

    def save_plan(self, site: str, plan: dict) -> None:
        """The discovery plan a probing run found: which endpoints answered, which one to use next time."""
        self.db["discovery_plans"].upsert({"site": site, "probed_at": utc_now(), "strategy": plan.get("strategy"),
                                           "plan": json.dumps(plan, sort_keys=True)}, pk="site")

    def plans(self) -> dict[str, dict]:
        return {r["site"]: json.loads(r["plan"]) for r in self.db["discovery_plans"].rows}

    # pages, failures, rejects ----------------------------------------------------------------
    def record_page(self, run_id: int, url: str, status: int, headers: dict, fetched_at: str, length: int,
                    capture: Capture | None, listed_at: str | None = None) -> int:
        """Index one fetch; its bytes live in the run's WARC file at `capture`, and `listed_at` (the listing's
        publication time) is kept for the parser to be given again on a reparse."""
        return self.db.execute(
            "INSERT INTO pages (run_id, url, status, headers, fetched_at, length, warc_file, warc_offset, warc_length,"
            " digest, listed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, url, status, json.dumps(headers, sort_keys=True), fetched_at, length,
             capture and capture.warc_file, capture and capture.offset, capture and capture.length,
             capture and capture.digest, listed_at]).lastrowid

    def page_body(self, page: dict) -> tuple[dict, bytes]:
        """Headers and raw body of a stored fetch: from its WARC record, or the gzip blob of v1 archives."""
        if page.get("warc_file"):
            _, headers, body = read_response(self.path.parent, page["warc_file"], page["warc_offset"])
            return headers, body
        return json.loads(page["headers"] or "{}"), gzip.decompress(page["body_gzip"] or b"")

    def record_fetch_error(self, run_id: int, site: str, url: str, reason: str, detail: str) -> None:
        self.db["fetch_errors"].insert({"run_id": run_id, "site": site, "url": url, "reason": reason,
                                        "detail": detail, "at": utc_now()})

    def record_reject(self, run_id: int | None, site: str, url: str, reason: str, detail: str) -> None:
        self.db["rejects"].insert({"run_id": run_id, "site": site, "url": url, "reason": reason,
                                   "detail": detail, "at": utc_now()})

    # articles --------------------------------------------------------------------------------
    def save_article(self, record: dict | Prepared, run_id: int | None = None, page_id: int | None = None) -> str:
        """Insert or update one article: `new`, `updated` (new content: a new version), `refreshed`
        (same story, other fields changed: updated in place) or `unchanged` (only `last_seen_at` moves).

        Plain statements on one connection: sqlite-utils' Table methods re-read the schema on every call,
        which cost more than the writes themselves. A `Prepared` record brings its computed parts along.
        """
        prepared = record if isinstance(record, Prepared) else Prepared(record)
        record = prepared.record
        seen_at = record.get("fetched_at") or utc_now()
        digest = prepared.digest
        row = self.db.execute("SELECT id, content_hash, record_hash, version, last_seen_at, places_version"
                              " FROM articles WHERE url = ?", [record["url"]]).fetchone()
        if row:  # a re-parse of an older fetch never moves last_seen_at back
            seen_at = max(seen_at, row[4] or "")
        if row and row[2] == digest:  # one statement needs no savepoint (alone, sqlite-utils commits it)
            self.db.execute("UPDATE articles SET last_seen_at = ?, status = 'live', gone_at = NULL,"
                            " gone_reason = NULL, parser_version = ? WHERE id = ?",
                            [seen_at, record.get("parser_version"), row[0]])
            if row[5] != prepared.places_version:  # tagged by older rules or gazetteer, or never
                with self._savepoint():
                    placestore.write(self.db, row[0], prepared.places, prepared.places_version, held=True)
            return "unchanged"
        with self._savepoint():
            new_content = not row or row[1] != record["content_hash"]
            values = {k: record.get(k) for k in SCALARS}
            values["body_html"] = prepared.body_html
            values.update({t: json.dumps(record.get(t) or [], ensure_ascii=False) for t in TERMS})
            values.update(provenance=json.dumps(record.get("provenance") or {}, sort_keys=True),
                          corrections=json.dumps(record.get("corrections") or [], ensure_ascii=False),
                          published_month=record["published_at"][:7], status="live", gone_at=None,
                          gone_reason=None, last_seen_at=seen_at, record_hash=digest, page_id=page_id,
                          lead_image=(record.get("images") or [{}])[0].get("url"),
                          version=(row[3] + new_content) if row else 1)
            article_id = row[0] if row else self.db.execute(  # the id SQLite would give, known before the
                "SELECT coalesce(max(id), 0) + 1 FROM articles").fetchone()[0]  # INSERT: a lone story's cluster
            if new_content:  # fingerprint and cluster go in with the row: an UPDATE after would rewrite it whole
                values.update(last_changed_at=seen_at, simhash=f"{prepared.simhash:016x}",
                              cluster_id=self._cluster(article_id, prepared.simhash, held=bool(row)))
            if row:
                self.db.execute(f"UPDATE articles SET {', '.join(f'{k} = :{k}' for k in values)} WHERE id = :id",
                                {**values, "id": article_id})
            else:
                values.update(id=article_id, first_seen_at=seen_at)
                self.db.execute(f"INSERT INTO articles ({', '.join(values)})"
                                f" VALUES ({', '.join(f':{k}' for k in values)})", values)
            if self.after_row is not None:
                self.after_row(record["url"])
            self._replace_children(article_id, record, held=bool(row))
            placestore.write(self.db, article_id, prepared.places, prepared.places_version, held=bool(row))
            if prepared.stemmed is None:
                stemmed = search.stem_columns(self.db, prepared.words)
            else:
                keep_stems(self.db, prepared.new_stems)
                stemmed = prepared.stemmed
            search.index_article(self.db, article_id, stemmed)
            if new_content:
                self.db.execute("INSERT INTO article_versions (article_id, version, content_hash, title, body_text,"
                                " seen_at, run_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                [article_id, values["version"], record["content_hash"], record["title"],
                                 record["body_text"], seen_at, run_id])
        return "new" if not row else "updated" if new_content else "refreshed"

    @contextmanager
    def _savepoint(self) -> Iterator[None]:
        """One article's writes, all or none, inside a batch's transaction or as one of their own.

        One fixed name: sqlite-utils' `atomic()` names each savepoint anew, two statements SQLite must
        compile for every article."""
        self.db.conn.execute("SAVEPOINT article")
        try:
            yield
        except BaseException:
            if self.db.conn.in_transaction:  # an error may have ended the transaction already
                self.db.conn.execute("ROLLBACK TO article")
                self.db.conn.execute("RELEASE article")
            raise
        self.db.conn.execute("RELEASE article")

    def _replace_children(self, article_id: int, record: dict, held: bool) -> None:
        """Names and images of one article (`held`: it had some already)."""
        for term in TERMS:
            if held:
                self.db.execute(f"DELETE FROM articles_{term} WHERE articles_id = ?", [article_id])
            names = [(name,) for name in dict.fromkeys(record.get(term) or [])]
            self.db.conn.executemany(f"INSERT OR IGNORE INTO {term} (name) VALUES (?)", names)
            self.db.conn.executemany(f"INSERT OR IGNORE INTO articles_{term} (articles_id, {term}_id)"
                                     f" SELECT {article_id:d}, id FROM {term} WHERE name = ?", names)
        if held:
            self.db.execute("DELETE FROM images WHERE article_id = ?", [article_id])
        self.db.conn.executemany(
            "INSERT INTO images (article_id, position, url, caption, credit) VALUES (?, ?, ?, ?, ?)",
            [(article_id, i, img["url"], img.get("caption"), img.get("credit"))
             for i, img in enumerate(record.get("images") or [])])

    def _cluster(self, article_id: int, value: int, held: bool) -> int:
        """The cluster of the nearest earlier near-duplicate (any site in this archive), else the article's
        own id; its keys replace those it had (`held`).

        Candidates share a key (`fingerprint.keys`); their simhash and cluster come from the covering
        index `articles_fingerprint`, not from their rows (a story's row is many pages long)."""
        if held:
            self.db.execute("DELETE FROM fingerprint_bands WHERE article_id = ?", [article_id])
        keys = [x for pair in fingerprint.keys(value) for x in pair]
        cluster = article_id
        for other, simhash, other_cluster in self.db.execute(CANDIDATES, keys).fetchall():
            if simhash and fingerprint.distance(value, int(simhash, 16)) <= fingerprint.MAX_DISTANCE:
                cluster = min(cluster, other_cluster or other)
        schema.keep_keys(self.db, [(article_id, value)])
        return cluster

    def optimize(self) -> None:
        """Merge each full-text index into one segment, after a backfill or a reparse.

        Every commit adds an FTS5 segment and FTS5 merges them only level by level, so an archive built
        by many crawls makes each query look in many; merged, the search page's server time at a
        million articles fell from 7.9-9.2 to 6.0 ms. Rewrites the indexes: ~25 s at a million.
        """
        with self.db.atomic():
            for table in ("articles_fts", search.STEM_TABLE):
                self.db.execute(f"INSERT INTO [{table}] ([{table}]) VALUES ('optimize')")

    def mark_gone(self, url: str, reason: str) -> bool:
        """Tombstone a held article (404/410, sent home, a not-found page); keeps its last good copy."""
        with self.db.atomic():
            cursor = self.db.execute(
                "UPDATE articles SET status = 'gone', gone_at = coalesce(gone_at, ?), gone_reason = ?"
                " WHERE url = ?", [utc_now(), reason, url])
        return cursor.rowcount > 0

    # reading back ----------------------------------------------------------------------------
    def pages_to_reparse(self, site: str | None = None, since: str | None = None) -> list[dict]:
        """The latest successful fetch of every URL (of one site, fetched since a date), oldest first."""
        return list(self.db.query(
            "SELECT p.*, r.site FROM pages p JOIN crawl_runs r ON r.id = p.run_id"
            " WHERE p.id IN (SELECT max(id) FROM pages WHERE status = 200 GROUP BY url)"
            " AND (:site IS NULL OR r.site = :site) AND (:since IS NULL OR p.fetched_at >= :since)"
            " ORDER BY p.id", {"site": site, "since": since}))

    def article_for_page(self, page: dict) -> dict | None:
        """The article a stored fetch produced (v1 archives did not link them: matched by URL)."""
        return next(self.db.query(
            "SELECT id, url, content_hash, version FROM articles WHERE page_id IN"
            " (SELECT id FROM pages WHERE url = :url) OR (page_id IS NULL AND url = :url) LIMIT 1",
            {"url": page["url"]}), None)

    def export_rows(self, site: str | None = None, search: str | None = None, since: str | None = None,
                    until: str | None = None) -> Iterator[dict]:
        """Articles with their lists decoded and the location of the fetch they came from, newest first.
        A day (published without a time) is in bounds on its day, whatever time of it `since` names."""
        match = "AND a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :search)" if search else ""
        for row in self.db.query(
                "SELECT a.*, p.url AS page_url, p.status AS page_status, p.headers AS page_headers,"
                " p.fetched_at AS page_fetched_at, p.warc_file, p.warc_offset, p.body_gzip"
                " FROM articles a LEFT JOIN pages p ON p.id = a.page_id"
                f" WHERE (:site IS NULL OR a.site = :site) {match}"
                " AND (:since IS NULL OR a.published_at >= :since OR a.published_at = substr(:since, 1, 10))"
                " AND (:until IS NULL OR substr(a.published_at, 1, length(:until)) <= :until)"
                " ORDER BY a.published_at DESC", {"site": site, "search": search, "since": since, "until": until}):
            for key in (*TERMS, "provenance", "corrections"):
                row[key] = json.loads(row[key] or "null")
            row["images"] = [{k: i[k] for k in ("url", "caption", "credit")} for i in self.db.query(
                "SELECT url, caption, credit FROM images WHERE article_id = ? ORDER BY position", [row["id"]])]
            yield row

    def counts(self) -> dict[str, int]:
        """Rows per table, for reports and tests."""
        return {name: self.db[name].count for name in self.db.table_names() if not name.startswith("articles_fts")}
