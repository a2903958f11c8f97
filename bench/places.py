"""Places benchmark: what tagging costs a crawl, and how well it tags (the labelled set).

A crawl parses each page in its worker process and prepares its write there (`parse_pool.parse_bytes`,
`Prepared.complete`): tagging is one more step of that preparation, so the worker's time a page, with
and without it, bounds what it costs the crawl (the writer only inserts a few `article_places` rows).
Pages: the fixture pages, the sample site's articles, and the same grown to a real page's size with
theme chrome (as bench/parse.py). Also: the tagger's start-up (once a worker) and memory, the gazetteer's
load into a new archive (once an archive), and precision and recall per level.

Then, with --crawl N, the crawl itself: a synthetic N-article site crawled through the full pipeline
with tagging and without (the parsing processes' `places.tag_record` replaced by a no-op through a
sitecustomize module on PYTHONPATH, so the product has no switch for it), interleaved runs.

    python bench/places.py [--repeat 5] [--crawl 2000 --runs 3]
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from common import BIN, ROOT, median, noise, run_measured, start_server, stop, table
from parse import fixture_pages, sample_pages, with_theme_chrome

from hajar_scraper import places, places_quality
from hajar_scraper.archive import Archive
from hajar_scraper.parse_pool import parse_bytes
from hajar_scraper.prepared import Prepared

FETCHED_AT = "2026-11-28T10:00:00+00:00"


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_seconds(page: tuple[bytes, str, str], tagging: bool) -> tuple[float, bool]:
    """Seconds to parse and prepare one page as a worker does; tagging off: the places step skipped."""
    original = places.tag_record
    if not tagging:
        places.tag_record = lambda record: []
    try:
        body, url, site = page
        started = time.perf_counter()
        outcome = parse_bytes(body, "text/html; charset=utf-8", url, site, FETCHED_AT, complete=True)
        return time.perf_counter() - started, outcome[0] == "record"
    finally:
        places.tag_record = original


def page_times(pages: list[tuple[bytes, str, str]], repeat: int) -> tuple[list[float], list[float], int]:
    """Each page's best time of `repeat` runs without and with tagging, the two alternating page by page,
    so that the machine's other work, which only ever adds time, weighs on neither."""
    plain, tagged = [float("inf")] * len(pages), [float("inf")] * len(pages)
    records = 0
    for run in range(repeat):
        for i, page in enumerate(pages):
            for tagging in ((False, True) if (run + i) % 2 else (True, False)):
                seconds, record = worker_seconds(page, tagging)
                if tagging:
                    tagged[i] = min(tagged[i], seconds)
                    records += record and run == 0
                else:
                    plain[i] = min(plain[i], seconds)
    return plain, tagged, records


NO_TAGGING = """\
import os
if os.environ.get("HAJAR_BENCH_NO_PLACES"):
    from hajar_scraper import places
    places.tag_record = lambda record: []
"""


def crawl(base: str, db: Path, tagging: bool, hooks: Path) -> dict:
    """One full crawl of the synthetic site into a new archive; its articles and seconds (the CLI's own)."""
    env = dict(os.environ)
    if not tagging:
        env.update(PYTHONPATH=os.pathsep.join(filter(None, [str(hooks), env.get("PYTHONPATH")])),
                   HAJAR_BENCH_NO_PLACES="1")
    settings = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "LOG_LEVEL=WARNING", "CONCURRENT_REQUESTS=16",
                "CONCURRENT_REQUESTS_PER_DOMAIN=16", "HAJAR_PARSE_PROCESSES=1"]
    run = run_measured([str(BIN / "hajar"), "crawl", "hajarnews", "--base-url", base, "--db", str(db),
                        *[a for setting in settings for a in ("-s", setting)]], env=env)
    if run["returncode"]:
        raise RuntimeError(run["stderr"][-3000:])
    with sqlite3.connect(db) as conn:
        articles, tagged = conn.execute("SELECT count(*), (SELECT count(DISTINCT article_id) FROM article_places)"
                                        " FROM articles").fetchone()
    return {"articles": articles, "tagged": tagged, "peak": run["peak_rss_mb"],
            "seconds": float(re.search(r" in ([\d.]+) s", run["stdout"])[1])}


def crawl_comparison(count: int, runs: int) -> None:
    server, base = start_server([sys.executable, str(ROOT / "bench" / "site_server.py"), "--articles", str(count)])
    results: dict[bool, list[dict]] = {True: [], False: []}
    try:
        with tempfile.TemporaryDirectory(prefix="hajar-places-") as tmp:
            (Path(tmp) / "sitecustomize.py").write_text(NO_TAGGING)
            for n in range(runs):  # interleaved, so a burst of outside load hits both
                for tagging in (False, True):
                    results[tagging].append(crawl(base, Path(tmp) / f"{n}-{tagging}.db", tagging, Path(tmp)))
                    print(f"run {n + 1}/{runs}: {'with' if tagging else 'without'} places "
                          f"{results[tagging][-1]['seconds']:.1f} s", file=sys.stderr, flush=True)
    finally:
        stop(server)
    rates = {k: [r["articles"] / r["seconds"] for r in rs] for k, rs in results.items()}
    rows = [[f"{'with' if k else 'without'} places", rs[-1]["articles"], rs[-1]["tagged"], f"{median(rates[k]):.0f}",
             noise(rates[k]), f"{max(r['peak'] for r in rs):.0f}"] for k, rs in results.items()]
    print(table(["crawl", "articles", "tagged", "articles/s", "noise", "peak RSS MB"], rows,
                title=f"Crawl of a {count:,}-article synthetic site, 1 parsing process, median of {runs} run(s)"))
    print(f"\ncrawl rate with places / without: {median(rates[True]) / median(rates[False]):.3f} (target ≥ 0.90)\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--crawl", type=int, metavar="N", help="also crawl an N-article synthetic site, with and "
                                                                "without tagging")
    parser.add_argument("--runs", type=int, default=3, help="crawl runs of each kind")
    args = parser.parse_args()

    before = rss_mb()
    started = time.perf_counter()
    places.gazetteer()
    gazetteer_s = time.perf_counter() - started
    started = time.perf_counter()
    tagger = places.tagger()
    build_s = time.perf_counter() - started

    tagger_mb = rss_mb() - before
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        Archive(Path(scratch) / "new.db").close()
        archive_s = time.perf_counter() - started
    print(f"gazetteer {places.version()}: {len(places.gazetteer()):,} places read in {gazetteer_s:.2f} s; "
          f"tagger ({tagger.keys:,} names) built in {build_s:.2f} s, +{tagger_mb:.0f} MB resident "
          f"(once a worker); a new archive with its places table in {archive_s:.2f} s (once an archive)\n")

    sets = {"fixtures": [(h, u, s) for h, u, s in fixture_pages()], "sample site": sample_pages()}
    sets["sample site at 171 KB"] = [(with_theme_chrome(h), u, s) for h, u, s in sets["sample site"]]
    rows = []
    for name, pages in sets.items():
        encoded = [(h.encode("utf-8"), u, s or "generic") for h, u, s in pages]
        page_times(encoded, 1)  # warm: stems, caches
        plain, tagged, records = page_times(encoded, args.repeat)
        bodies = [Prepared(o[1].record) for o in (parse_bytes(b, "text/html", u, s, FETCHED_AT) for b, u, s in encoded)
                  if o[0] == "record"]
        tag_only = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            for prepared in bodies:
                places.tag_record(prepared.record)
            tag_only.append(time.perf_counter() - started)
        per_page = 1000 / len(encoded)
        rows.append([name, len(encoded), records, f"{sum(plain) * per_page:.2f}", f"{sum(tagged) * per_page:.2f}",
                     f"{min(tag_only) * 1000 / max(1, len(bodies)):.3f}", f"{sum(tagged) / sum(plain):.3f}"])
    print(table(["pages", "n", "articles", "worker ms/page", "with places", "tagging ms/article",
                 "ratio (crawl cost)"], rows))
    print("\nratio: the worker's time a page with tagging over without; the crawl is slowed by at most that "
          "(target < 1.10).\n")

    texts = places_quality.load()
    print(places_quality.report(texts, places_quality.score(texts), details=False))
    if args.crawl:
        print()
        crawl_comparison(args.crawl, args.runs)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main()
