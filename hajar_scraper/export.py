"""Exports of the archive for a site or a search: JSON Lines, CSV, or the raw captures as WARC."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TextIO

from hajar_scraper.archive import Archive
from hajar_scraper.record import FIELDS
from hajar_scraper.warc import WarcLog

ARCHIVE_FIELDS = ("id", "version", "status", "gone_at", "first_seen_at", "last_seen_at", "last_changed_at",
                  "cluster_id")
COLUMNS = (*FIELDS, *ARCHIVE_FIELDS)


def _record(row: dict) -> dict:
    return {k: row.get(k) for k in COLUMNS}


def write_jsonl(rows, out: TextIO) -> int:
    count = 0
    for count, row in enumerate(rows, 1):
        out.write(json.dumps(_record(row), ensure_ascii=False) + "\n")
    return count


def write_csv(rows, out: TextIO) -> int:
    """One row per article; lists joined with `; `, images as their URLs."""
    writer = csv.DictWriter(out, fieldnames=[c for c in COLUMNS if c not in ("body_html", "provenance")],
                            extrasaction="ignore")
    writer.writeheader()
    count = 0
    for count, row in enumerate(rows, 1):
        record = _record(row)
        for key in ("authors", "categories", "tags"):
            record[key] = "; ".join(record[key] or [])
        record["images"] = "; ".join(i["url"] for i in record["images"] or [])
        writer.writerow(record)
    return count


def write_warc(archive: Archive, rows, path: Path) -> int:
    """The capture each article was parsed from, as request/response records in one new WARC file."""
    log = WarcLog(path.parent, path.name, "hajar-scraper export", {"exported": "articles"})
    count = 0
    try:
        for row in rows:
            if not row.get("page_url"):
                continue
            page = {"warc_file": row["warc_file"], "warc_offset": row["warc_offset"],
                    "headers": row["page_headers"], "body_gzip": row["body_gzip"]}
            headers, body = archive.page_body(page)
            log.write(row["page_url"], row["page_status"], headers, body, row["page_fetched_at"])
            count += 1
    finally:
        log.close()
    return count
