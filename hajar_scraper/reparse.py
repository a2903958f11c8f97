"""Parse stored pages again with today's parsers, offline: the archive improves its own records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from hajar_scraper.archive import Archive
from hajar_scraper.parse_pool import parse_in_order

OUTCOMES = ("changed", "unchanged", "newly rejected", "newly accepted", "still rejected")


def reparse(archive: Archive, pages: list[dict], processes: int = 1) -> Iterator[str]:
    """One outcome per stored page, as it is done (for a progress bar). Pages are parsed, and their
    writes prepared, in `processes` worker processes (0: here) while this one reads and writes."""
    outcomes = parse_in_order((_job(archive, page) for page in pages), processes, str(archive.path))
    for page, outcome in zip(pages, outcomes):
        held = archive.article_for_page(page)
        match outcome:
            case ("record", prepared):
                saved = archive.save_article(prepared, run_id=None, page_id=page["id"])
                yield "newly accepted" if not held else "unchanged" if saved == "unchanged" else "changed"
                continue
            case ("rejected", reason, detail):
                pass
            case ("parser_error", detail, _):
                reason = "parser_error"
        if held:
            archive.record_reject(None, page["site"], page["url"], reason, f"on reparse: {detail}")
        yield "newly rejected" if held else "still rejected"


def _job(archive: Archive, page: dict) -> tuple:
    headers, body = archive.page_body(page)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
    return body, content_type, page["url"], page["site"], page["fetched_at"], page.get("listed_at")


def reparse_all(archive: Archive, site: str | None = None, since: str | None = None, processes: int = 1) -> Counter:
    """Reparse every latest stored page; the counts of each outcome."""
    return Counter(reparse(archive, archive.pages_to_reparse(site, since), processes))
