"""Fuzz run: `parse_article` on 100,000+ mutated, generated and random pages; only `Rejected` may come out.

Runs the strategies of tests/test_fuzz.py with hypothesis (generation only: a defect is counted and kept,
not shrunk), one process per core, each from its own seed. Prints the cases run, the outcomes, and each
distinct defect (exception type at the innermost project frame) with how often it came and one example,
saved whole under --save. Exits 1 when a defect not listed in test_fuzz.KNOWN turned up.

    python bench/fuzz.py [--cases 100000] [--workers 2] [--seed 0] [--save /tmp/hajar-fuzz]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

# Share of the cases per kind of input.
MIX = {"mutated": 0.45, "generated": 0.35, "random": 0.20}


def run_worker(kind: str, cases: int, seed: int) -> tuple[Counter, dict[str, tuple[str, str, str | None]]]:
    """(outcome counts, first example per defect signature) for `cases` inputs of one kind."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as with_seed
    from hypothesis import strategies as st

    import test_fuzz as fuzz

    pages = {"mutated": fuzz.mutated_pages(), "generated": fuzz.generated_pages(),
             "random": st.one_of(st.text(max_size=2000), fuzz.decoded_bytes)}[kind]
    counts: Counter = Counter()
    examples: dict[str, tuple[str, str, str | None]] = {}

    @with_seed(seed)
    @settings(max_examples=cases, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(pages, st.sampled_from(fuzz.URLS), st.sampled_from(fuzz.SITES))
    def one(html, url, site):
        try:
            fuzz.parse_article(html, url, site=site, fetched_at=fuzz.FETCHED_AT)
            outcome = "record"
        except fuzz.Rejected:
            outcome = "rejected"
        except Exception as error:  # noqa: BLE001  counted and kept, never raised
            outcome = fuzz.signature(error)
            examples.setdefault(outcome, (html, url, site))
        counts[outcome] += 1
        if counts.total() % 5000 == 0:
            print(f"  {kind} (seed {seed}): {counts.total():,} of {cases:,}", file=sys.stderr, flush=True)

    one()
    return counts, examples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", type=Path, default=Path("/tmp/hajar-fuzz"), help="where defect examples go")
    args = parser.parse_args(argv)
    jobs = []
    for kind, share in MIX.items():
        per_job = -(-int(args.cases * share) // args.workers)
        jobs += [(kind, per_job, args.seed * 1000 + n) for n in range(args.workers)]
    started = time.monotonic()
    by_kind: dict[str, Counter] = {kind: Counter() for kind in MIX}
    examples: dict[str, tuple[str, str, str | None]] = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for (kind, _, _), (counts, found) in zip(jobs, pool.map(run_worker, *zip(*jobs))):
            by_kind[kind].update(counts)
            for name, example in found.items():
                examples.setdefault(name, example)
    seconds = time.monotonic() - started
    total = sum(sum(c.values()) for c in by_kind.values())
    print(f"{total:,} cases in {seconds:.0f} s ({total / seconds:.0f}/s) with {args.workers} workers, seed {args.seed}")
    for kind, counts in by_kind.items():
        print(f"  {kind:9} {sum(counts.values()):>8,}  record {counts['record']:,}, rejected {counts['rejected']:,},"
              f" defects {sum(v for k, v in counts.items() if k not in ('record', 'rejected')):,}")
    import test_fuzz as fuzz

    defects = Counter()
    for counts in by_kind.values():
        defects.update({k: v for k, v in counts.items() if k not in ("record", "rejected")})
    args.save.mkdir(parents=True, exist_ok=True)
    unknown = 0
    for number, (name, count) in enumerate(defects.most_common(), start=1):
        html, url, site = examples[name]
        known = next((k for k, sig in fuzz.KNOWN.items() if sig == name), None)
        unknown += known is None
        path = args.save / f"defect-{number}.html"
        path.write_text(html, encoding="utf-8", errors="surrogatepass")
        print(f"DEFECT {name}: {count:,} cases ({'known: ' + known if known else 'NEW'});"
              f" e.g. url={url} site={site} page={path}")
    print(f"{len(defects)} distinct defects, {unknown} new")
    return 1 if unknown else 0


if __name__ == "__main__":
    sys.exit(main())
