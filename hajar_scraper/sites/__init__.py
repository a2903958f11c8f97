"""Site profiles: one YAML file per outlet, read into `SiteProfile` values."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from hajar_scraper.urls import host_of

PROFILE_DIR = Path(__file__).parent

# Classic WordPress theme markup; a profile overrides any key under `selectors`.
DEFAULT_SELECTORS = {
    "title": "h1.entry-title, h1.post-title, h1.jeg_post_title, .td-post-title h1",
    "body": "div.entry-content, div.post-content, .td-post-content, .jeg_inner_content .content-inner",
    "published": "time.entry-date.published, time.published, time.entry-date",
    "modified": "time.updated",
    "authors": ".byline .author a, .author.vcard a, a[rel=author], .td-post-author-name a, .jeg_meta_author a",
    "categories": "a[rel~=category]",
    "tags": "a[rel=tag], .tags-links a, .jeg_post_tags a",
    "drop": (
        "script, style, noscript, ins, iframe, form, .sharedaddy, .sd-sharing, .share-buttons,"
        " .jp-relatedposts, .related-posts, .code-block, .adsbygoogle, .jnews_inline_related_post,"
        " .jeg_post_tags, .post-tags, .tags-links, .wp-block-buttons"
    ),
}


class UnknownSite(LookupError):
    """No profile has that slug."""


@dataclass(frozen=True)
class SiteProfile:
    """What the crawler and parser need to know about one outlet."""

    slug: str
    name: str
    base_url: str
    hosts: tuple[str, ...]
    timezone: str = "Asia/Jakarta"
    region: str = ""
    language: str = "id"
    outlet_names: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ("/wp-sitemap.xml",)
    feeds: tuple[str, ...] = ("/feed/",)
    selectors: dict = field(default_factory=lambda: dict(DEFAULT_SELECTORS))

    @classmethod
    def from_file(cls, path: Path) -> SiteProfile:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        discovery = data.get("discovery") or {}
        return cls(
            slug=data["slug"],
            name=data["name"],
            base_url=data["base_url"].rstrip("/"),
            hosts=tuple(data.get("hosts") or [host_of(data["base_url"])]),
            timezone=data.get("timezone", "Asia/Jakarta"),
            region=data.get("region", ""),
            language=data.get("language", "id"),
            outlet_names=tuple(data.get("outlet_names") or [data["name"]]),
            sitemaps=tuple(discovery.get("sitemaps") or ("/wp-sitemap.xml",)),
            feeds=tuple(discovery.get("feeds") or ("/feed/",)),
            selectors={**DEFAULT_SELECTORS, **(data.get("selectors") or {})},
        )


GENERIC = SiteProfile(slug="generic", name="", base_url="", hosts=())


@cache
def profiles() -> dict[str, SiteProfile]:
    """Every profile shipped in this folder, by slug."""
    found = (SiteProfile.from_file(p) for p in sorted(PROFILE_DIR.glob("*.yml")))
    return {p.slug: p for p in found}


def get_profile(slug: str) -> SiteProfile:
    try:
        return profiles()[slug]
    except KeyError:
        known = ", ".join(sorted(profiles()))
        raise UnknownSite(f"unknown site {slug!r}; known sites: {known}") from None


def profile_for_url(url: str) -> SiteProfile:
    """The profile whose hosts include the URL's host, else the generic profile."""
    host = host_of(url)
    for profile in profiles().values():
        if host in profile.hosts:
            return profile
    return GENERIC
