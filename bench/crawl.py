"""Crawl benchmark: a synthetic site on 127.0.0.1 crawled fetch-only and through the full pipeline.

Both crawls run as subprocesses with politeness delays off (robots.txt still obeyed), so the rate is
the crawler's own. The ratio full / bare is what parsing and archiving cost; peak RSS is that of the
crawl process and its parsing processes together. The full crawl runs into a new archive, where
Sastrawi must stem every word for the first time, and into an archive that already knows the
language's words, as a mature archive does; that one runs again with pages parsed in the crawl
process itself (HAJAR_PARSE_PROCESSES=0), which shows what the parsing process adds.

    python bench/crawl.py            # 2,000 articles, 3 runs of each
    python bench/crawl.py --scale    # 20,000 articles
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from common import BIN, ROOT, TextGen, median, noise, run_measured, start_server, stop, table, verdict
from hajar_scraper.archive import Archive
from hajar_scraper.stems import archive_stems

FAST = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "LOG_LEVEL=WARNING"]


def bare_crawl(base: str, concurrency: int) -> dict:
    settings = FAST + [f"CONCURRENT_REQUESTS={concurrency}", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}"]
    run = run_measured([sys.executable, str(ROOT / "bench" / "bare_spider.py"), base, *settings])
    if run["returncode"]:
        raise RuntimeError(run["stderr"][-3000:])
    result = json.loads(run["stdout"].strip().splitlines()[-1])
    return {**run, "articles": result["pages"], "seconds": result["seconds"]}


def archive_knowing_words(path: Path) -> Path:
    """An empty archive whose `stems` table holds every word of the synthetic language (TextGen's
    50,000): a mature archive, which has met nearly every word its stories use."""
    archive = Archive(path)
    with archive.db.atomic():
        archive_stems(archive.db, {w.lower() for w in TextGen(7).words})
    archive.close()
    return path


def full_crawl(base: str, concurrency: int, db: Path, knowing: Path | None = None, parse_processes: int = 1) -> dict:
    if knowing:
        shutil.copy(knowing, db)
    settings = FAST + [f"CONCURRENT_REQUESTS={concurrency}", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
                       f"HAJAR_PARSE_PROCESSES={parse_processes}"]
    args = [str(BIN / "hajar"), "crawl", "hajarnews", "--base-url", base, "--db", str(db)]
    run = run_measured([*args, *[a for s in settings for a in ("-s", s)]])
    if run["returncode"]:
        raise RuntimeError(run["stderr"][-3000:])
    seconds = float(re.search(r" in ([\d.]+) s", run["stdout"])[1])  # the CLI's own timing of the crawl
    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    return {**run, "articles": articles, "seconds": seconds}


def rss_growth(samples: list[tuple[float, int]]) -> str:
    """RSS a quarter of the way through → at the end: a flat process barely moves."""
    if len(samples) < 4:
        return "-"
    return f"{samples[len(samples) // 4][1]} → {samples[-1][1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="20,000 articles instead of 2,000")
    parser.add_argument("--articles", type=int, help="site size (overrides --scale)")
    parser.add_argument("--runs", type=int, help="runs of each crawl (default 3, 1 with --scale)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--new-only", action="store_true",
                        help="skip the crawls into an archive knowing the words (the default with --scale)")
    parser.add_argument("--parse-processes", type=int, default=1,
                        help="HAJAR_PARSE_PROCESSES of the full crawls (default 1, the crawl's default)")
    args = parser.parse_args()
    count = args.articles or (20_000 if args.scale else 2000)
    runs = args.runs or (1 if args.scale else 3)

    server, base = start_server([sys.executable, str(ROOT / "bench" / "site_server.py"), "--articles", str(count)])
    kinds = ("bare", "full") if args.new_only or args.scale else ("bare", "full", "known", "inline")
    results: dict[str, list[dict]] = {kind: [] for kind in kinds}
    try:
        with tempfile.TemporaryDirectory(prefix="hajar-bench-") as tmp:
            knowing = archive_knowing_words(Path(tmp) / "knowing.db") if "known" in kinds else None
            workers = args.parse_processes
            crawls = {"bare": lambda n: bare_crawl(base, args.concurrency),
                      "full": lambda n: full_crawl(base, args.concurrency, Path(tmp) / f"run{n}.db", None, workers),
                      "known": lambda n: full_crawl(base, args.concurrency, Path(tmp) / f"known{n}.db", knowing,
                                                    workers),
                      "inline": lambda n: full_crawl(base, args.concurrency, Path(tmp) / f"inline{n}.db", knowing,
                                                     0)}
            for n in range(runs):  # interleaved, so a burst of outside load hits every kind
                for kind in kinds:
                    results[kind].append(crawls[kind](n))
                    print(f"run {n + 1}/{runs}: {kind} {results[kind][-1]['seconds']:.1f} s, "
                          f"peak RSS {results[kind][-1]['peak_rss_mb']:.0f} MB", file=sys.stderr, flush=True)
    finally:
        stop(server)

    rates = {kind: [r["articles"] / r["seconds"] for r in rs] for kind, rs in results.items()}
    rows = []
    labels = {"bare": "bare spider (fetch only)", "full": "full pipeline, a new archive",
              "known": "full pipeline, an archive knowing the words",
              "inline": "full pipeline, an archive knowing the words, parsed in the crawl process"}
    for kind in kinds:
        rs, label = results[kind], labels[kind]
        rows.append([label, rs[-1]["articles"], median([r["seconds"] for r in rs]), median(rates[kind]),
                     noise(rates[kind]), f"{median(rates[kind]) / median(rates['bare']):.2f}×",
                     f"{max(r['peak_rss_mb'] for r in rs):.0f}", rss_growth(rs[-1]["samples"])])
    print(table(["crawl", "articles", "seconds", "articles/s", "noise", "vs bare", "peak RSS MB",
                 "RSS MB ¼ → end"], rows,
                title=f"Crawl of a {count:,}-article site on 127.0.0.1, concurrency {args.concurrency}, "
                      f"{args.parse_processes} parsing process(es), median of {runs} run(s); "
                      "RSS of the crawl and its parsing processes together"))
    bare, verdicts = median(rates["bare"]), []
    for kind in kinds[1:3]:  # the crawl as it runs by default; `inline` shows what its parsing processes add
        full, label = median(rates[kind]), labels[kind].split(", ")[1]
        verdicts += [[f"full ≥ 0.7× bare ({label})", f"{full / bare:.2f}×", verdict(full / bare >= 0.7)],
                     [f"full ≥ 150 articles/s ({label})", f"{full:.0f}/s", verdict(full >= 150)]]
    peak = max(r["peak_rss_mb"] for kind in kinds[1:] for r in results[kind])
    verdicts.append([f"peak RSS < 300 MB ({count:,} pages)", f"{peak:.0f} MB", verdict(peak < 300)])
    print(table(["target", "measured", "result"], verdicts))


if __name__ == "__main__":
    main()
