"""The fault catalogue: which article URL of the fault site misbehaves, and how; pure data, seeded."""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass, replace
from pathlib import Path

SAMPLE_SITE = Path(__file__).resolve().parents[1] / "sample_site"
if str(SAMPLE_SITE) not in sys.path:  # the sample site's modules render our pages
    sys.path.insert(0, str(SAMPLE_SITE))

from catalog import Article, Catalog, load_articles  # noqa: E402

SEED = 8  # the flaky answers are drawn from this seed, so every run serves the same faults
FLAKY = 8  # how many articles answer 429/5xx before they answer well

# Every kind the server knows (server.py), in catalogue order; "flaky" expands to FLAKY articles.
KINDS = (
    "ok", "flaky", "slow-once", "timeout", "reset-once", "reset", "truncated-body", "truncated-head",
    "gzip-bomb", "huge-chunked", "huge-declared", "latin1-says-utf8", "utf8-says-latin1", "moved",
    "redirect-loop", "soft-404", "gone", "empty", "binary-png", "binary-pdf", "offsite-redirect",
    "offsite-redirect-localhost", "feed-only", "control-char",
)


@dataclass(frozen=True)
class Fault:
    """One article URL and its misbehaviour; `failures` bad answers of `status` come first when transient."""

    slug: str
    kind: str
    article: Article
    failures: int = 0
    status: int = 200
    retry_after: str | None = None

    @property
    def path(self) -> str:
        return self.article.path


def flaky_plan(seed: int = SEED, count: int = FLAKY) -> list[tuple[int, int, str | None]]:
    """(status, failures, Retry-After) for each flaky article: 1 or 2 failures, then success."""
    rng = random.Random(seed)
    plan = []
    for _ in range(count):
        status = rng.choice((429, 500, 502, 503))
        retry_after = rng.choice((None, "0", "1")) if status in (429, 503) else None
        plan.append((status, rng.choice((1, 2)), retry_after))
    return plan


def catalogue(seed: int = SEED, only: tuple[str, ...] = ()) -> list[Fault]:
    """The fault site's articles: sample articles re-slugged as `<kind>` (`flaky-N` for the flaky ones)."""
    stock = sorted(load_articles(SAMPLE_SITE / "articles"), key=lambda a: a.id)
    faults: list[Fault] = []
    for kind in KINDS:
        if kind == "flaky":
            for number, (status, failures, retry_after) in enumerate(flaky_plan(seed), start=1):
                faults.append(Fault(f"flaky-{number}", kind, stock[len(faults)], failures, status, retry_after))
        elif kind == "ok":
            faults += [Fault(f"ok-{n}", kind, stock[len(faults) + n - 1]) for n in (1, 2)]
        else:
            faults.append(Fault(kind, kind, stock[len(faults)]))
    faults = [replace(f, article=replace(f.article, slug=f.slug, baca_juga=())) for f in faults]
    if only:
        faults = [f for f in faults if f.kind in only]
    return faults


def site_catalog(faults: list[Fault]) -> Catalog:
    """The sample site's indexes over the re-slugged articles, for rendering."""
    return Catalog(f.article for f in faults)
