"""Pure page parsers: `parse_article(html, url, site)` gives the article record of docs/record.md."""

from __future__ import annotations

from hajar_scraper.parsers.article import PARSER_VERSION, parse_page
from hajar_scraper.record import Rejected
from hajar_scraper.sites import get_profile, profile_for_url

__all__ = ["PARSER_VERSION", "Rejected", "parse_article"]


def parse_article(html: str, url: str, site: str | None = None, fetched_at: str | None = None,
                  listed_at: str | None = None) -> dict:
    """The record for one page; `site=None` picks the profile by the URL's host, else generic.

    `fetched_at` (ISO) is when the page was fetched: relative dates count from it, and no date may
    fall after it. `listed_at` (ISO moment or day) is the publication time the discovery listing
    gave for the URL, used only when the page itself prints none (provenance `listing`).
    """
    profile = get_profile(site) if site else profile_for_url(url)
    return parse_page(html, url, profile, fetched_at=fetched_at, listed_at=listed_at)
