"""Places: the kabupaten, kecamatan and desa a story is about, from its dateline and body. Pure: text in,
places out; the archive stores them (placestore.py).

`gazetteer` holds the official areas and their spellings, `matching` the tagger; this module the tagger
of this process, built on first use (~1.5 s, ~60-85 MB), so a process that only writes rows never pays
for it.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache

from hajar_scraper.places.gazetteer import (CODE, DATA, PACKAGE, TYPES, Place, all_variants, ancestors, base_name,
                                            coverage, curated, curated_aliases, gazetteer, level_of, read_tarball,
                                            source, tarball, variants, version, within)
from hajar_scraper.places.matching import TAG_CHARS, Mention, Tagger, fold, normal

RULES = "1"  # bump when the tagger's rules change: archives re-tag their articles on the next save
__all__ = ["CODE", "DATA", "PACKAGE", "RULES", "TAG_CHARS", "TYPES", "Mention", "Place", "Tagger", "all_variants",
           "ancestors", "base_name", "coverage", "curated", "curated_aliases", "fold", "gazetteer", "level_of",
           "normal", "read_tarball", "site_places", "source", "tag_record", "tagger", "tagging_version", "tarball",
           "variants", "version", "within"]


@cache
def _dictionary() -> frozenset[str]:
    """Sastrawi's root words: a place named only by such words ("Batu Bara", "Padang") is a common phrase."""
    from importlib import resources

    text = resources.files("Sastrawi.Stemmer").joinpath("data/kata-dasar.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.split())


def site_places(site: str | None) -> tuple[tuple[str, ...], dict[str, list[str]]]:
    """A site profile's home areas and local aliases (`places:` in its YAML)."""
    from hajar_scraper.sites import UnknownSite, get_profile

    try:
        profile = get_profile(site) if site else None
    except UnknownSite:
        profile = None
    if profile is None:
        return (), {}
    return profile.places_home, profile.places_aliases


@cache
def tagger() -> Tagger:
    """The tagger over the vendored gazetteer, the curated aliases and every profile's local aliases."""
    from hajar_scraper.sites import profiles

    data = curated()
    extra = {slug: profile.places_aliases for slug, profile in profiles().items() if profile.places_aliases}
    # Streamed from the tarball, not the cached gazetteer: a parsing process needs no place's name kept.
    return Tagger(read_tarball(), curated_aliases(), data.get("not_places") or (),
                  _dictionary() | set(data.get("common_words") or ()), extra)


def tag_record(record: dict) -> list[Mention]:
    """The places of one article record, with its site's home area and local aliases."""
    home, _ = site_places(record.get("site"))
    return tagger().tag(record.get("body_text") or "", record.get("dateline"), home, record.get("site"))


@cache
def tagging_version(site: str | None) -> str:
    """What a stored tagging was made with (the archive re-tags an article whose version differs): the
    rules, the gazetteer, the curated aliases and the site's own places settings."""
    home, extra = site_places(site)
    digest = hashlib.sha256(json.dumps([curated(), list(home), extra], sort_keys=True, default=str).encode())
    return f"{RULES}/{source()['version']}/{digest.hexdigest()[:10]}"


