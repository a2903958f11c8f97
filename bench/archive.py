"""Archive benchmark: the writer's upserts/s, full-text query latency, writes at scale and Datasette under 20 clients.

1. `Archive.save_article` (new, updated, unchanged articles; records as a parser gives them, and
   "prepared" as the crawl's parsing process hands them over) against raw sqlite3 executemany of
   exactly the rows it wrote, into the same schema (FTS triggers included).
2. A synthetic archive (50,000 articles; 1,000,000 with --scale) built in bulk (archive_build.py):
   FTS p50/p95 for common, mid and rare words, bm25 over all hits against the app's query shapes;
   then new stories saved into it (rolled back) against the same saved into an empty archive.
3. A real `hajar serve` on a copy of archive/ with that archive, 20 concurrent loopback clients (wrk).
   `--cpu` instead: one Datasette process and one sequential client, the server's CPU time a page
   (its /proc utime + stime), steadier than latency when other work shares the cores.

    python bench/archive.py [--scale] [--db PATH (kept and reused)]
                            [--skip-datasette | --only-datasette | --only-writes | --cpu]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import yaml

from archive_build import BASE, Articles, build, records
from common import ROOT, median, noise, percentile, start_server, stop, table, verdict
from hajar_scraper import search
from hajar_scraper.archive import Archive
from hajar_scraper.prepared import Prepared
from hajar_scraper.record import content_hash
from hajar_scraper.stems import forget_stems
from load import load


WRITE_BATCH = 32  # articles per transaction, as the crawl's pipeline writes them (HAJAR_WRITE_BATCH = 64 items)
# (kind, archive): each archive starts empty; 2 and 3 already know the words' stems. "prepared": the record
# as the crawl's writer gets it from the parsing process (`Prepared.complete`: hash, sanitised HTML,
# simhash, stems computed there), so the write itself is what is timed.
KINDS = (("new, words unknown", 1), ("new, words known", 2), ("updated", 2), ("unchanged", 2),
         ("new, prepared", 3), ("updated, prepared", 3), ("unchanged, prepared", 3))


class Recorder:
    """Stands in for the archive's sqlite3 connection and keeps every write with its parameters."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn, self.writes = conn, []

    def __getattr__(self, name):
        return getattr(self.conn, name)

    def execute(self, sql, params=()):
        if sql.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.writes.append((sql, params))
        return self.conn.execute(sql, params)

    def executemany(self, sql, rows):
        rows = list(rows)
        self.writes += [(sql, row) for row in rows]
        return self.conn.executemany(sql, rows)


def replay(conn: sqlite3.Connection, writes: list) -> None:
    """The same rows with raw sqlite3: one transaction, one executemany per statement."""
    groups: dict[str, list] = {}
    for sql, params in writes:
        groups.setdefault(sql, []).append(params)
    conn.execute("BEGIN")
    for sql, rows in groups.items():
        conn.executemany(sql, rows)
    conn.execute("COMMIT")


def fresh_archive(path: Path, stems_from: Path | None = None) -> Archive:
    archive = Archive(path)
    archive.ensure_site("hajarnews", "Hajarnews.com", BASE, "Jambi", "Asia/Jakarta")
    if stems_from:  # an archive that has seen these words before, as every crawl after the first
        archive.db.execute("ATTACH DATABASE ? AS known", [str(stems_from)])
        archive.db.execute("INSERT INTO stems SELECT * FROM known.stems")
        archive.db.conn.commit()
        archive.db.execute("DETACH DATABASE known")
    forget_stems()  # a fresh crawl process starts with no stems in memory
    return archive


def save_batched(archive: Archive, batch: list[dict]) -> None:
    for start in range(0, len(batch), WRITE_BATCH):
        with archive.db.atomic():
            for record in batch[start:start + WRITE_BATCH]:
                archive.save_article(record)


def upserts(count: int, runs: int, source: Articles) -> None:
    """`save_article` as the crawl drives it, against raw executemany of exactly the rows it writes."""
    batch = records(count, source)
    changed = []
    for r in batch:  # new content: a sentence added, as a corrected story
        body = r["body_text"] + "\n\nBerita ini telah diperbarui oleh redaksi."
        changed.append({**r, "body_text": body, "content_hash": content_hash(r["title"], body)})
    passes = {"new": batch, "updated": changed, "unchanged": changed}
    times: dict[str, list[float]] = {}

    def timed(name: str, fn) -> None:
        started = time.perf_counter()
        fn()
        times.setdefault(name, []).append(time.perf_counter() - started)

    for run in range(runs):
        with tempfile.TemporaryDirectory(prefix="hajar-bench-") as tmp:
            tmp = Path(tmp)
            writes: dict[str, list] = {}
            for prefix, record_writes in (("rec", True), ("ours", False)):
                archives: dict[int, Archive] = {}
                for kind, n in KINDS:
                    if n not in archives:
                        for other in archives.values():
                            other.close()
                        archives[n] = fresh_archive(tmp / f"{prefix}{n}.db",
                                                    stems_from=tmp / "rec1.db" if n > 1 else None)
                    archive, todo = archives[n], passes[kind.split(",")[0]]
                    if kind.endswith("prepared"):  # done by the parsing process, not timed
                        todo = [Prepared(r).complete(str(tmp / "rec1.db")) for r in todo]
                    if record_writes:
                        archive.db.conn = recorder = Recorder(archive.db.conn)
                        save_batched(archive, todo)
                        writes[kind], archive.db.conn = recorder.writes, recorder.conn
                    else:
                        timed(kind, lambda: save_batched(archive, todo))
                for archive in archives.values():
                    archive.close()
            for n in (1, 2, 3):
                fresh_archive(tmp / f"raw{n}.db", stems_from=tmp / "rec1.db" if n > 1 else None).close()
                conn = sqlite3.connect(tmp / f"raw{n}.db", isolation_level=None)
                for kind in (kind for kind, group in KINDS if group == n):
                    timed(f"raw {kind}", lambda: replay(conn, writes[kind]))
                conn.close()
            same = [sqlite3.connect(tmp / f"{name}.db").execute(
                "SELECT count(*), sum(length(body_text)), (SELECT count(*) FROM articles_fts_stem),"
                " (SELECT count(*) FROM article_versions), (SELECT count(*) FROM fingerprint_bands)"
                " FROM articles").fetchone() for name in ("ours2", "raw2", "ours3", "raw3")]
            assert same[0] == same[1] == same[2] == same[3], f"the replay wrote other rows: {same}"
    result, verdicts = [], []
    for kind, _ in KINDS:
        ours, raw_rate = [count / t for t in times[kind]], [count / t for t in times[f"raw {kind}"]]
        ratio = median(ours) / median(raw_rate)
        statements = sum(1 for _ in writes[kind]) / count
        result.append([kind, median(ours), noise(ours), median(raw_rate), noise(raw_rate), f"{statements:.0f}",
                       f"{ratio:.2f}×"])
        verdicts.append([f"save_article ({kind}) ≥ 0.5× raw executemany", f"{ratio:.2f}×", verdict(ratio >= 0.5)])
    print(table(["articles", "save_article /s", "noise", "raw executemany /s", "noise", "rows written each",
                 "ratio"], result,
                title=f"Upserts: {count:,} records in transactions of {WRITE_BATCH}, median of {runs} run(s); "
                      "raw = the same rows into the same schema, one executemany per statement"))
    print(table(["target", "measured", "result"], verdicts))


def writes_at_scale(db: Path, source: Articles, count: int, new: int = 200, rounds: int = 3) -> None:
    """New stories saved into the synthetic archive against the same saved into an empty one, both
    rolled back: what an archive's size adds to a crawl's writes (the near-duplicate lookup above all,
    and deeper indexes). Opening the archive first runs any pending migration, timed apart."""
    batch = [source.record(count + 1 + k)[0] for k in range(new)]  # URLs the archive does not hold
    started = time.perf_counter()
    big = Archive(db)
    opened = time.perf_counter() - started
    times: dict[str, list[float]] = {"empty": [], "big": []}
    with tempfile.TemporaryDirectory(prefix="hajar-bench-") as tmp:
        empty = fresh_archive(Path(tmp) / "empty.db")
        for _ in range(rounds + 1):  # the first warms Sastrawi's memory and the caches, as a long crawl has
            for name, archive in (("empty", empty), ("big", big)):
                archive.db.conn.execute("BEGIN")
                started = time.perf_counter()
                for record in batch:
                    archive.save_article(record)
                times[name].append((time.perf_counter() - started) * 1000 / new)
                archive.db.conn.execute("ROLLBACK")
        empty.close()
    big.close()
    times = {name: values[1:] for name, values in times.items()}
    ratio = median(times["big"]) / median(times["empty"])
    print(table(["archive", "ms a new article", "noise"],
                [["empty (the baseline)", median(times["empty"]), noise(times["empty"])],
                 [f"{count:,} articles", median(times["big"]), noise(times["big"])]],
                title=f"`save_article` of {new} new stories, median of {rounds} rounds (rolled back); the archive "
                      f"opened in {opened:.1f} s (migrations included); {ratio:.2f}× the empty archive's time"))


QUERIES = {  # the app's query shapes, on the index each one uses
    "bm25 over all hits (ORDER BY rank)":
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q ORDER BY rank LIMIT 20",
    "newest first (ORDER BY rowid DESC)":
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q ORDER BY rowid DESC LIMIT 20",
    "bm25 of the 500 newest hits":
        "SELECT id FROM (SELECT rowid AS id, rank FROM articles_fts WHERE articles_fts MATCH :q "
        "ORDER BY rowid DESC LIMIT 500) ORDER BY rank LIMIT 20",
}


def query_words(source: Articles, rng: random.Random, per_class: int = 10) -> dict[str, list[str]]:
    """Single words by Zipf rank: common (in most articles), mid, rare; and two-word AND queries."""
    words = source.gen.words
    pick = lambda lo, hi: [words[i] for i in rng.sample(range(lo, hi), min(per_class, hi - lo))]  # noqa: E731
    classes = {"common": pick(0, 30), "mid": pick(300, 1500), "rare": pick(10_000, 40_000)}
    classes["two words"] = [f"{a} {b}" for a, b in zip(pick(0, 300), pick(300, 3000))]
    return classes


def search_page_queries(conn: sqlite3.Connection, query: str) -> int:
    """What /-/cari runs for one site: `search.find` and the first page's rows with their snippets."""
    hits = search.find(conn, query)
    return len(search.result_rows(conn, [article_id for article_id, _, _ in hits.rows[:search.PAGE_SIZE]], query))


def fts(db: Path, source: Articles, rounds: int = 3, page_words: int = 60) -> None:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.create_function("stem_query", 1, search.stem_query, deterministic=True)
    conn.create_function("search_snippet", -1, lambda t, q, s=32, stems=None: search.stem_snippet(
        t, stems, q, int(s)) if stems is not None else search.snippet(t, q, int(s)), deterministic=True)
    canned = yaml.safe_load((ROOT / "hajar_scraper" / "web" / "archive.yml").read_text())
    def sql_run(sql: str):
        return lambda word: len(conn.execute(sql, {"q": word, "since": "", "until": "", "sort": ""}).fetchall())

    shapes = {shape: (sql_run(sql), 10) for shape, sql in QUERIES.items()}
    if "search" in (canned.get("queries") or {}):
        shapes["the `search` canned query (JSON API: 500 newest by bm25, 50 snippets)"] = (
            sql_run(canned["queries"]["search"]["sql"]), 10)
    shapes[f"the search page's queries (search.find, {search.PAGE_SIZE} snippets from stems)"] = (
        lambda word: search_page_queries(conn, word), page_words)
    rows, verdicts = [], []
    for shape, (run, count) in shapes.items():
        for cls, words in query_words(source, random.Random(3), count).items():
            times = []
            for _ in range(rounds):
                for word in words:
                    started = time.perf_counter()
                    run(word)
                    times.append((time.perf_counter() - started) * 1000)
            rows.append([shape, cls, f"{len(words)} × {rounds}", f"{percentile(times, 50):.1f}",
                         f"{percentile(times, 95):.1f}"])
            if not shape.startswith("bm25 over all"):
                verdicts.append([f"{shape}, {cls}", f"{percentile(times, 95):.1f} ms",
                                 verdict(percentile(times, 95) < 20)])
    total = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    print(table(["query", "words", "queries", "p50 ms", "p95 ms"], rows,
                title=f"FTS5 over {total:,} articles (distinct words a class × rounds; load average "
                      f"{os.getloadavg()[0]:.1f} at the end)"))
    print(table(["target: FTS p95 < 20 ms", "p95", "result"], verdicts))
    conn.close()


def datasette(db: Path, source: Articles, seconds: float, clients: int = 20) -> None:
    with tempfile.TemporaryDirectory(prefix="hajar-bench-ds-") as tmp:
        config = config_copy(tmp, db)
        port = random.randint(20_000, 40_000)
        server, base = start_server([sys.executable, "-m", "hajar_scraper.cli", "serve", "--dir", str(config),
                                     "--host", "127.0.0.1", "--port", str(port)],  # as deployed: its workers too
                                    wait_url=f"http://127.0.0.1:{port}/-/versions.json")
        try:
            total = sqlite3.connect(db).execute("SELECT max(id) FROM articles").fetchone()[0]
            rng = random.Random(5)
            classes = list(query_words(source, rng, 100).values())  # 330 queries: no cache holds them
            word = lambda: rng.choice(rng.choice(classes)).replace(" ", "+")  # noqa: E731  each class a quarter
            pages = {
                "article row page /hajarnews/articles/ID": lambda: f"/hajarnews/articles/{rng.randint(1, total)}",
                "article reading page /hajarnews/artikel/ID": lambda: f"/hajarnews/artikel/{rng.randint(1, total)}",
                "search page /-/cari?q=": lambda: f"/-/cari?q={word()}",
                "table search /hajarnews/articles?_search= (302 to /-/cari)": lambda: (
                    f"/hajarnews/articles?_search={word()}"),
            }
            rows, verdicts = [], []
            for name, make in pages.items():
                urls = [base + make() for _ in range(20_000)]  # each sent once unless a run outpaces them
                load(urls[-200:], clients, 2)  # warm caches and connections
                alone = load(urls[-400:-200], 1, 2)  # service time
                result = load(urls, clients, seconds)
                ok = max(result.statuses, key=result.statuses.get)
                other = ", ".join(f"{n}× {s or 'failed'}" for s, n in sorted(result.statuses.items()) if s != ok)
                rows.append([name, f"{alone.p50_ms:.0f}", result.requests, f"{result.statuses[ok]}× {ok}" + (
                    f" ({other})" if other else ""), f"{result.p50_ms:.0f}", f"{result.p95_ms:.0f}",
                    f"{result.max_ms:.0f}", result.requests / result.seconds, f"{os.getloadavg()[0]:.1f}"])
                verdicts.append([name, f"{result.p95_ms:.0f} ms", verdict(result.p95_ms < 150 and not other)])
        finally:
            stop(server)
    print(table(["page", "1 client ms", "requests", "HTTP status", "p50 ms", "p95 ms", "max ms", "req/s",
                 "load avg"], rows,
                title=f"Datasette (`hajar serve`, {serve_workers()} processes) over {total:,} articles, "
                      f"{clients} concurrent clients on loopback (wrk), {seconds:.0f} s a page"))
    print(table(["target: p95 < 150 ms (one status each)", "p95", "result"], verdicts))


def config_copy(tmp: str, db: Path) -> Path:
    """archive/ as a Datasette config directory whose archive is `db`."""
    config = Path(tmp) / "archive"
    shutil.copytree(ROOT / "archive", config, ignore=shutil.ignore_patterns("*.db", "*.db-*", "__pycache__"))
    (config / "hajarnews.db").symlink_to(db.resolve())
    return config


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(db: Path, source: Articles, rounds: int) -> None:
    """CPU ms a page in one `hajar serve` worker, one client on one keep-alive connection: every one of
    the 330 search queries (or 330 random articles) once a round, after a round that warms the caches."""
    with tempfile.TemporaryDirectory(prefix="hajar-bench-cpu-") as tmp:
        port = random.randint(20_000, 40_000)
        server, _ = start_server([sys.executable, "-m", "hajar_scraper.serving", "127.0.0.1", str(port),
                                  str(config_copy(tmp, db))], wait_url=f"http://127.0.0.1:{port}/-/versions.json")
        try:
            total = sqlite3.connect(db).execute("SELECT max(id) FROM articles").fetchone()[0]
            rng = random.Random(9)
            queries = [q.replace(" ", "+") for words in query_words(source, random.Random(5), 100).values() for q in words]
            pages = {"article reading page /hajarnews/artikel/ID": [
                         f"/hajarnews/artikel/{rng.randint(1, total)}" for _ in queries],
                     "search page /-/cari?q=": [f"/-/cari?q={q}" for q in queries]}
            connection, rows = http.client.HTTPConnection("127.0.0.1", port, timeout=60), []
            for name, paths in pages.items():
                cpu, wall = [], []
                for _ in range(rounds + 1):
                    started_cpu, started = cpu_seconds(server.pid), time.perf_counter()
                    for path in paths:
                        connection.request("GET", path)
                        response = connection.getresponse()
                        response.read()
                        assert response.status == 200, (path, response.status)
                    cpu.append((cpu_seconds(server.pid) - started_cpu) * 1000 / len(paths))
                    wall.append((time.perf_counter() - started) * 1000 / len(paths))
                rows.append([name, f"{len(paths)} × {rounds}", f"{median(cpu[1:]):.2f}",
                             f"{min(cpu[1:]):.2f}–{max(cpu[1:]):.2f}", f"{median(wall[1:]):.2f}",
                             f"{os.getloadavg()[0]:.1f}"])
        finally:
            stop(server)
    print(table(["page", "requests", "server CPU ms a page", "range of rounds", "wall ms a page", "load avg"], rows,
                title=f"One `hajar serve` worker over {total:,} articles, one sequential client"))


def serve_workers() -> int:
    """How many Datasette processes `hajar serve` starts by default."""
    from hajar_scraper.cli import serve
    return next(p.default for p in serve.params if p.name == "workers")


def only_part(args, count: int) -> None:
    """One part alone, on an archive an earlier run built (a build takes 30+ minutes at a million)."""
    if args.skip_datasette + args.only_datasette + args.only_writes + args.cpu > 1:
        sys.exit("--only-datasette, --only-writes, --cpu and --skip-datasette exclude each other")
    if not (args.db and args.db.exists()):
        sys.exit("--only-datasette, --only-writes and --cpu need --db with an archive built by an earlier run")
    held = sqlite3.connect(f"file:{args.db}?mode=ro", uri=True).execute("SELECT count(*) FROM articles").fetchone()[0]
    if held != count:
        sys.exit(f"{args.db} holds {held:,} articles, not {count:,}")
    if args.cpu:
        server_cpu(args.db, Articles(), args.runs)
    elif args.only_writes:
        writes_at_scale(args.db, Articles(), count)
    else:
        datasette(args.db, Articles(), args.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="1,000,000 articles instead of 50,000")
    parser.add_argument("--articles", type=int, help="synthetic archive size (overrides --scale)")
    parser.add_argument("--db", type=Path, help="keep the synthetic archive here; reused if it has the size")
    parser.add_argument("--upserts", type=int, default=200, help="records for the upsert benchmark")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10, help="seconds of load per Datasette page")
    parser.add_argument("--skip-datasette", action="store_true")
    parser.add_argument("--only-datasette", action="store_true",
                        help="part 3 only, on an archive of the size that --db already holds")
    parser.add_argument("--only-writes", action="store_true",
                        help="new stories saved into the --db archive (rolled back) against an empty one")
    parser.add_argument("--cpu", action="store_true",
                        help="only the server's CPU time a page (one worker, one client), on the --db archive")
    args = parser.parse_args()
    count = args.articles or (1_000_000 if args.scale else 50_000)
    if args.only_datasette or args.only_writes or args.cpu:
        only_part(args, count)
        return

    source = Articles()
    upserts(args.upserts, args.runs, source)
    with tempfile.TemporaryDirectory(prefix="hajar-bench-") as tmp:
        db = args.db or Path(tmp) / "hajarnews.db"
        if not (db.exists() and sqlite3.connect(db).execute("SELECT count(*) FROM articles").fetchone()[0] == count):
            db.unlink(missing_ok=True)
            print(f"\nbuilding a synthetic archive of {count:,} articles in {db}", file=sys.stderr)
            build(db, count, source, log=lambda m: print(m, file=sys.stderr))
        fts(db, source)
        writes_at_scale(db, source, count)
        if not args.skip_datasette:
            datasette(db, source, args.seconds)


if __name__ == "__main__":
    main()
