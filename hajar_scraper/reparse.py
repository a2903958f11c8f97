"""Parse stored pages again with today's parsers, offline: the archive improves its own records."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from hajar_scraper.archive import Archive
from hajar_scraper.encoding import decode_page
from hajar_scraper.parsers import parse_article
from hajar_scraper.record import Rejected

OUTCOMES = ("changed", "unchanged", "newly rejected", "newly accepted", "still rejected")


def reparse(archive: Archive, pages: list[dict]) -> Iterator[str]:
    """One outcome per stored page, as it is done (for a progress bar)."""
    for page in pages:
        headers, body = archive.page_body(page)
        content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
        html = decode_page(body, content_type)
        held = archive.article_for_page(page)
        try:
            record = parse_article(html, page["url"], site=page["site"], fetched_at=page["fetched_at"])
        except Rejected as error:
            if held:
                archive.record_reject(None, page["site"], page["url"], error.reason, f"on reparse: {error.detail}")
            yield "newly rejected" if held else "still rejected"
            continue
        outcome = archive.save_article(record, run_id=None, page_id=page["id"])
        yield "newly accepted" if not held else "unchanged" if outcome == "unchanged" else "changed"


def reparse_all(archive: Archive, site: str | None = None, since: str | None = None) -> Counter:
    """Reparse every latest stored page; the counts of each outcome."""
    return Counter(reparse(archive, archive.pages_to_reparse(site, since)))
