"""An article's write, prepared from its record alone: the parts a parse worker computes so the writer only writes.

Nothing here touches the archive but the one read `stems.offline_stems` makes of its `stems` table, so a
parse worker (parse_pool.py) imports the parsers and this module, not sqlite-utils, warcio or the
migrations.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property

from hajar_scraper import fingerprint, places
from hajar_scraper.record import validate
from hajar_scraper.sanitise import sanitise
from hajar_scraper.stems import index_words, stem_columns_offline


def record_hash(record: dict) -> str:
    """What a re-parse or re-crawl compares: every field but when and by which parser it was made."""
    kept = {k: v for k, v in record.items() if k not in ("fetched_at", "parser_version")}
    return hashlib.sha256(json.dumps(kept, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass(eq=False)
class Prepared:
    """What writing one article computes from its record alone: the checked record, its hash, sanitised
    HTML, fingerprint, index words and places, and (set by `complete`) the stemmed columns.

    Computed when first needed, so an unchanged article costs only its hash; a parsing process calls
    `complete()` and sends the result along (computed values travel with it when pickled), so the
    crawl's writer only writes.
    """

    record: dict
    stemmed: list[str] | None = None  # the columns as `articles_fts_stem` holds them
    new_stems: dict[str, str] | None = None  # stems Sastrawi made for them, for the `stems` table

    def __post_init__(self):
        validate(self.record)

    @cached_property
    def digest(self) -> str:
        return record_hash(self.record)

    @cached_property
    def body_html(self) -> str:
        return sanitise(self.record.get("body_html"))  # whatever made the record, no script is stored

    @cached_property
    def simhash(self) -> int:
        return fingerprint.simhash(self.record["body_text"])

    @cached_property
    def words(self) -> list[list[str]]:
        return index_words(self.record)

    @cached_property
    def places(self) -> list[places.Mention]:
        return places.tag_record(self.record)  # looked up on the module: bench/places.py swaps it out

    @cached_property
    def places_version(self) -> str:
        return places.tagging_version(self.record.get("site"))

    def complete(self, stems_from: str | None = None) -> Prepared:
        """Everything a write may need, computed here and now (`stems_from`: the archive file whose
        known stems may be read, see `stems.offline_stems`)."""
        self.digest, self.body_html, self.simhash, self.places, self.places_version  # noqa: B018 - computed and kept
        self.stemmed, self.new_stems = stem_columns_offline(index_words(self.record), stems_from)
        return self
