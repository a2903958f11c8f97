"""Crawl benchmark: a synthetic site on 127.0.0.1 crawled fetch-only and through the full pipeline.

Both crawls run as subprocesses with politeness delays off (robots.txt still obeyed), so the rate is
the crawler's own. The ratio full / bare is what parsing and archiving cost; peak RSS is the
kernel's high-water mark of each crawl process (wait4's ru_maxrss).

    python bench/crawl.py            # 2,000 articles, 3 runs of each
    python bench/crawl.py --scale    # 20,000 articles
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
from pathlib import Path

from common import BIN, ROOT, median, noise, run_measured, start_server, stop, table, verdict

FAST = ["DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False", "LOG_LEVEL=WARNING"]


def bare_crawl(base: str, concurrency: int) -> dict:
    settings = FAST + [f"CONCURRENT_REQUESTS={concurrency}", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}"]
    run = run_measured([sys.executable, str(ROOT / "bench" / "bare_spider.py"), base, *settings])
    if run["returncode"]:
        raise RuntimeError(run["stderr"][-3000:])
    result = json.loads(run["stdout"].strip().splitlines()[-1])
    return {**run, "articles": result["pages"], "seconds": result["seconds"]}


def full_crawl(base: str, concurrency: int, db: Path) -> dict:
    settings = FAST + [f"CONCURRENT_REQUESTS={concurrency}", f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}"]
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
    args = parser.parse_args()
    count = args.articles or (20_000 if args.scale else 2000)
    runs = args.runs or (1 if args.scale else 3)

    server, base = start_server([sys.executable, str(ROOT / "bench" / "site_server.py"), "--articles", str(count)])
    results: dict[str, list[dict]] = {"bare": [], "full": []}
    try:
        with tempfile.TemporaryDirectory(prefix="hajar-bench-") as tmp:
            for n in range(runs):  # interleaved, so a burst of outside load hits both kinds
                results["bare"].append(bare_crawl(base, args.concurrency))
                print(f"run {n + 1}/{runs}: bare {results['bare'][-1]['seconds']:.1f} s, "
                      f"peak RSS {results['bare'][-1]['peak_rss_mb']:.0f} MB", file=sys.stderr, flush=True)
                results["full"].append(full_crawl(base, args.concurrency, Path(tmp) / f"run{n}.db"))
                print(f"run {n + 1}/{runs}: full {results['full'][-1]['seconds']:.1f} s, "
                      f"peak RSS {results['full'][-1]['peak_rss_mb']:.0f} MB", file=sys.stderr, flush=True)
    finally:
        stop(server)

    rates = {kind: [r["articles"] / r["seconds"] for r in rs] for kind, rs in results.items()}
    rows = []
    for kind, label in (("bare", "bare spider (fetch only)"), ("full", "full pipeline (hajar crawl)")):
        rs = results[kind]
        rows.append([label, rs[-1]["articles"], median([r["seconds"] for r in rs]), median(rates[kind]),
                     noise(rates[kind]), f"{median(rates[kind]) / median(rates['bare']):.2f}×",
                     f"{max(r['peak_rss_mb'] for r in rs):.0f}", rss_growth(rs[-1]["samples"])])
    print(table(["crawl", "articles", "seconds", "articles/s", "noise", "vs bare", "peak RSS MB",
                 "RSS MB ¼ → end"], rows,
                title=f"Crawl of a {count:,}-article site on 127.0.0.1, concurrency {args.concurrency}, "
                      f"median of {runs} run(s)"))
    full, bare = median(rates["full"]), median(rates["bare"])
    peak = max(r["peak_rss_mb"] for r in results["full"])
    print(table(["target", "measured", "result"], [
        ["full ≥ 0.7× bare", f"{full / bare:.2f}×", verdict(full / bare >= 0.7)],
        ["full ≥ 150 articles/s", f"{full:.0f}/s", verdict(full >= 150)],
        [f"peak RSS < 300 MB ({count:,} pages)", f"{peak:.0f} MB", verdict(peak < 300)],
    ]))


if __name__ == "__main__":
    main()
