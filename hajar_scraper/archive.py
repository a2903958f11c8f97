"""The SQLite archive (DESIGN §3): schema, upserts, versions and full-text search, via sqlite-utils."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from hajar_scraper import search
from hajar_scraper.crawlstate import CrawlState
from hajar_scraper.dates import utc_now
from hajar_scraper.record import validate

SCHEMA_VERSION = 2  # 2: the stemmed search index articles_fts_stem (hajar_scraper/search.py)
TERMS = ("authors", "categories", "tags")
FILL_ALARM_POINTS = 20.0  # a field filled this much less often than in earlier runs flags the run
ALARM_MIN_ARTICLES = 5  # runs with fewer articles are too small to compare
SCALARS = ("url", "site", "title", "published_at", "modified_at", "description", "body_text", "body_html",
           "editor", "dateline", "signature", "language", "word_count", "content_hash", "fetched_at",
           "parser_version")


class Archive:
    """One SQLite file holding every article, fetch and crawl run of one or more sites."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite_utils.Database(self.path)
        self.db.execute("PRAGMA busy_timeout = 10000")
        self.db.enable_wal()
        if self.db.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            with self.db.atomic():
                _create_schema(self.db)
                self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def ensure_site(self, slug: str, name: str, base_url: str, region: str, timezone_name: str) -> None:
        self.db["sites"].upsert({"slug": slug, "name": name, "base_url": base_url, "region": region,
                                 "timezone": timezone_name}, pk="slug")

    # crawl runs -----------------------------------------------------------------------------
    def start_run(self, site: str, arguments: dict) -> int:
        table = self.db["crawl_runs"].insert({"site": site, "started_at": utc_now(), "status": "running",
                                              "arguments": json.dumps(arguments, sort_keys=True)})
        return table.last_pk

    def finish_run(self, run_id: int, status: str, stats: dict, counts: dict, fill_rates: dict) -> str | None:
        """Close a run with its figures; returns the fill-rate alarm, if the site's layout seems changed."""
        site = self.db["crawl_runs"].get(run_id)["site"]
        articles = sum(counts.get(k, 0) for k in ("new", "updated", "unchanged"))
        alarm = self._fill_alarm(site, run_id, fill_rates) if articles >= ALARM_MIN_ARTICLES else None
        self.db["crawl_runs"].update(run_id, {
            "finished_at": utc_now(), "status": status, "alarm": alarm,
            **{k: counts.get(k, 0) for k in ("new", "updated", "unchanged", "skipped", "rejected", "failed")},
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
        held = {}
        for row in self.db.execute("SELECT url, published_at, modified_at FROM articles WHERE site = ?", [site]):
            times = [datetime.fromisoformat(t) for t in row[1:] if t]
            held[row[0]] = max(times).astimezone(timezone.utc)
        plan = self.db["discovery_plans"].get(site)["plan"] if self._has_plan(site) else None
        last = next(self.db.query(
            "SELECT started_at FROM crawl_runs WHERE site = ? AND status = 'finished'"
            " AND json_extract(arguments, '$.since') IS NULL AND json_extract(arguments, '$.until') IS NULL"
            " ORDER BY id DESC LIMIT 1", [site]), None)
        return CrawlState(held=held, plan=json.loads(plan) if plan else None,
                          last_complete_start=datetime.fromisoformat(last["started_at"]) if last else None)

    def _has_plan(self, site: str) -> bool:
        return bool(self.db.execute("SELECT 1 FROM discovery_plans WHERE site = ?", [site]).fetchone())

    def save_plan(self, site: str, plan: dict) -> None:
        """The discovery plan a probing run found: which endpoints answered, which one to use next time."""
        self.db["discovery_plans"].upsert({"site": site, "probed_at": utc_now(), "strategy": plan.get("strategy"),
                                           "plan": json.dumps(plan, sort_keys=True)}, pk="site")

    def plans(self) -> dict[str, dict]:
        return {r["site"]: json.loads(r["plan"]) for r in self.db["discovery_plans"].rows}

    # pages, failures, rejects ----------------------------------------------------------------
    def record_page(self, run_id: int, url: str, status: int, headers: dict, fetched_at: str,
                    body: bytes) -> None:
        self.db["pages"].insert({"run_id": run_id, "url": url, "status": status,
                                 "headers": json.dumps(headers, sort_keys=True), "fetched_at": fetched_at,
                                 "length": len(body), "body_gzip": gzip.compress(body, 6)})

    def record_fetch_error(self, run_id: int, site: str, url: str, reason: str, detail: str) -> None:
        self.db["fetch_errors"].insert({"run_id": run_id, "site": site, "url": url, "reason": reason,
                                        "detail": detail, "at": utc_now()})

    def record_reject(self, run_id: int, site: str, url: str, reason: str, detail: str) -> None:
        self.db["rejects"].insert({"run_id": run_id, "site": site, "url": url, "reason": reason,
                                   "detail": detail, "at": utc_now()})

    # articles --------------------------------------------------------------------------------
    def save_article(self, record: dict, run_id: int | None = None) -> str:
        """Insert, version or just touch one article; returns `new`, `updated` or `unchanged`."""
        validate(record)
        seen_at = record.get("fetched_at") or utc_now()
        articles = self.db["articles"]
        with self.db.atomic():
            row = next(articles.rows_where("url = ?", [record["url"]], select="id, content_hash, version"), None)
            if row and row["content_hash"] == record["content_hash"]:
                articles.update(row["id"], {"last_seen_at": seen_at, "status": "live"})
                return "unchanged"
            version = row["version"] + 1 if row else 1
            values = {k: record.get(k) for k in SCALARS}
            values.update({t: json.dumps(record.get(t) or [], ensure_ascii=False) for t in TERMS})
            values.update(provenance=json.dumps(record.get("provenance") or {}, sort_keys=True),
                          published_month=record["published_at"][:7], version=version, status="live",
                          last_seen_at=seen_at, last_changed_at=seen_at,
                          lead_image=(record.get("images") or [{}])[0].get("url"))
            if row:
                article_id = row["id"]
                articles.update(article_id, values)
            else:
                values["first_seen_at"] = seen_at
                article_id = articles.insert(values).last_pk
            self._replace_children(article_id, record)
            search.index_article(self.db, article_id, record)
            self.db["article_versions"].insert({
                "article_id": article_id, "version": version, "content_hash": record["content_hash"],
                "title": record["title"], "body_text": record["body_text"], "seen_at": seen_at, "run_id": run_id})
        return "updated" if row else "new"

    def _replace_children(self, article_id: int, record: dict) -> None:
        for term in TERMS:
            self.db.execute(f"DELETE FROM articles_{term} WHERE articles_id = ?", [article_id])
            for name in dict.fromkeys(record.get(term) or []):
                self.db["articles"].update(article_id).m2m(term, lookup={"name": name})
        self.db.execute("DELETE FROM images WHERE article_id = ?", [article_id])
        self.db["images"].insert_all(
            {"article_id": article_id, "position": i, "url": img["url"], "caption": img.get("caption"),
             "credit": img.get("credit")} for i, img in enumerate(record.get("images") or []))

    def counts(self) -> dict[str, int]:
        """Rows per table, for reports and tests."""
        return {name: self.db[name].count for name in self.db.table_names() if not name.startswith("articles_fts")}


def _create_schema(db: sqlite_utils.Database) -> None:
    db["sites"].create({"slug": str, "name": str, "base_url": str, "region": str, "timezone": str},
                       pk="slug", if_not_exists=True)
    db["articles"].create({
        "id": int, "url": str, "site": str, "title": str, "published_at": str, "published_month": str,
        "modified_at": str, "description": str, "authors": str, "editor": str, "categories": str, "tags": str,
        "dateline": str, "signature": str, "lead_image": str, "body_text": str, "body_html": str,
        "language": str, "word_count": int, "content_hash": str, "provenance": str, "fetched_at": str,
        "parser_version": str, "first_seen_at": str, "last_seen_at": str, "last_changed_at": str,
        "version": int, "status": str,
    }, pk="id", foreign_keys=[("site", "sites", "slug")], if_not_exists=True,
        not_null={"url", "site", "title", "published_at", "body_text", "content_hash"})
    db["articles"].create_index(["url"], unique=True, if_not_exists=True)
    db["articles"].create_index(["site", "published_at"], if_not_exists=True)
    for term in TERMS:
        db[term].create({"id": int, "name": str}, pk="id", if_not_exists=True)
        db[term].create_index(["name"], unique=True, if_not_exists=True)
        db[f"articles_{term}"].create({"articles_id": int, f"{term}_id": int},
                                      pk=("articles_id", f"{term}_id"), if_not_exists=True,
                                      foreign_keys=[("articles_id", "articles", "id"), (f"{term}_id", term, "id")])
    db["images"].create({"article_id": int, "position": int, "url": str, "caption": str, "credit": str},
                        pk=("article_id", "position"), foreign_keys=[("article_id", "articles", "id")],
                        if_not_exists=True)
    db["article_versions"].create({"article_id": int, "version": int, "content_hash": str, "title": str,
                                   "body_text": str, "seen_at": str, "run_id": int},
                                  pk=("article_id", "version"), foreign_keys=[("article_id", "articles", "id")],
                                  if_not_exists=True)
    db["crawl_runs"].create({"id": int, "site": str, "started_at": str, "finished_at": str, "status": str,
                             "arguments": str, "stats": str, "new": int, "updated": int, "unchanged": int,
                             "skipped": int, "rejected": int, "failed": int, "fill_rates": str, "alarm": str},
                            pk="id", if_not_exists=True)
    db["discovery_plans"].create({"site": str, "probed_at": str, "strategy": str, "plan": str}, pk="site",
                                 foreign_keys=[("site", "sites", "slug")], if_not_exists=True)
    db["pages"].create({"id": int, "run_id": int, "url": str, "status": int, "headers": str, "fetched_at": str,
                        "length": int, "body_gzip": bytes}, pk="id", if_not_exists=True,
                       foreign_keys=[("run_id", "crawl_runs", "id")])
    db["pages"].create_index(["url"], if_not_exists=True)
    for name in ("fetch_errors", "rejects"):
        db[name].create({"id": int, "run_id": int, "site": str, "url": str, "reason": str, "detail": str,
                         "at": str}, pk="id", if_not_exists=True, foreign_keys=[("run_id", "crawl_runs", "id")])
    if not db["articles_fts"].exists():
        db["articles"].enable_fts(["title", "description", "body_text"], create_triggers=True,
                                  tokenize="unicode61 remove_diacritics 2")
    search.create_index(db)
