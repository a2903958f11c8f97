"""Site profiles: one YAML file per outlet, read into `SiteProfile` values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from hajar_scraper.sites.validate import ANY_KEY, STR, STRINGS, ProfileError, check, check_values
from hajar_scraper.urls import host_of

PROFILE_DIR = Path(__file__).parent

# Markup of the themes named in WORDPRESS.md plus microdata; a profile overrides any key under `selectors`.
DEFAULT_SELECTORS = {
    "title": "h1.entry-title, h1.post-title, h1.jeg_post_title, .td-post-title h1, h1[itemprop=headline]",
    "body": ("div.entry-content, div.post-content, .td-post-content, .jeg_inner_content .content-inner,"
             " [itemprop=articleBody]"),
    "published": ("time.entry-date.published, time.published, time.entry-date, .jeg_meta_date,"
                  " [itemprop=datePublished], abbr.published, article time[datetime], main time[datetime]"),
    "modified": "time.updated, [itemprop=dateModified]",
    "authors": (".byline .author a, .author.vcard a, a[rel=author], .td-post-author-name a, .jeg_meta_author a,"
                " [itemprop=author] [itemprop=name]"),
    "editor": "",
    "featured": (".jeg_featured, .td-post-featured-image, figure.amp-wp-article-featured-image, .single-featured,"
                 " .featured-image, .post-thumbnail"),
    "categories": "a[rel~=category]",
    "tags": "a[rel=tag], .tags-links a, .jeg_post_tags a",
    "drop": (
        "script, style, noscript, ins, iframe, form, .sharedaddy, .sd-sharing, .share-buttons,"
        " .jp-relatedposts, .related-posts, .code-block, .adsbygoogle, .jnews_inline_related_post,"
        " .jeg_post_tags, .post-tags, .tags-links, .wp-block-buttons, .newsletter, .mc4wp-form,"
        " .jeg_share_button, .td-post-sharing, .td-a-rec, .td_block_related_posts, .post-share, .a-wrap,"
        " .instagram-media, .tiktok-embed, amp-ad, amp-social-share, .amp-wp-meta"
    ),
}


# Every key a profile file may have (docs/adding-an-outlet.md), with its type; anything else is an error.
SCHEMA = {
    "slug": STR, "name": STR, "base_url": STR, "hosts": STRINGS, "timezone": STR, "region": STR, "language": STR,
    "family": STR, "outlet_names": STRINGS,
    "discovery": {"sitemaps": STRINGS, "feeds": STRINGS},
    "selectors": {**dict.fromkeys(DEFAULT_SELECTORS, STR), "drop_more": STR},
    "signature_patterns": STRINGS,
    "places": {"home": STRINGS, "aliases": {ANY_KEY: STRINGS}},
}
REQUIRED = ("slug", "name", "base_url")


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
    family: str = "wordpress"
    outlet_names: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ("/wp-sitemap.xml",)
    feeds: tuple[str, ...] = ("/feed/",)
    selectors: dict = field(default_factory=lambda: dict(DEFAULT_SELECTORS))
    signature_patterns: tuple[re.Pattern, ...] = ()
    places_home: tuple[str, ...] = ()  # Kemendagri codes of the outlet's home area (the places tagger prefers them)
    places_aliases: dict = field(default_factory=dict)  # {code: [local names of that place]}

    @classmethod
    def from_file(cls, path: Path) -> SiteProfile:
        """The profile in one YAML file; `ProfileError` names the file and the key when it breaks the schema."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as error:
            raise ProfileError(f"{path}: not valid YAML ({' '.join(str(error).split())})") from None
        check(data, SCHEMA, str(path))
        missing = [key for key in REQUIRED if key not in data]
        if missing:
            raise ProfileError(f"{path}: missing key {missing[0]!r} (every profile has {', '.join(REQUIRED)})")
        check_values(data, str(path))
        discovery = data.get("discovery") or {}
        selectors = data.get("selectors") or {}
        drop = selectors.pop("drop_more", None)  # added to the default noise list, not replacing it
        merged = {**DEFAULT_SELECTORS, **selectors}
        if drop:
            merged["drop"] = f"{merged['drop']}, {drop}"
        return cls(
            slug=data["slug"],
            name=data["name"],
            base_url=data["base_url"].rstrip("/"),
            hosts=tuple(data.get("hosts") or [host_of(data["base_url"])]),
            timezone=data.get("timezone", "Asia/Jakarta"),
            region=data.get("region", ""),
            language=data.get("language", "id"),
            family=data.get("family", "wordpress"),
            outlet_names=tuple(data.get("outlet_names") or [data["name"]]),
            sitemaps=tuple(discovery.get("sitemaps") or ("/wp-sitemap.xml",)),
            feeds=tuple(discovery.get("feeds") or ("/feed/",)),
            selectors=merged,
            signature_patterns=tuple(re.compile(p, re.I) for p in data.get("signature_patterns") or ()),
            places_home=tuple(str(c) for c in (data.get("places") or {}).get("home") or ()),
            places_aliases={str(c): list(n) for c, n in ((data.get("places") or {}).get("aliases") or {}).items()},
        )


# No zone of its own: a page no profile knows is read in the zone its own times give (timestamps.page_zone).
GENERIC = SiteProfile(slug="generic", name="", base_url="", hosts=(), family="generic", timezone="")


@cache
def profiles() -> dict[str, SiteProfile]:
    """Every profile shipped in this folder, by slug."""
    # importlib.resources, not the file system: Scrapyd runs the project from a zipped egg.
    files = sorted((f for f in resources.files(__package__).iterdir() if f.name.endswith(".yml")), key=lambda f: f.name)
    found = (SiteProfile.from_file(f) for f in files)
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
