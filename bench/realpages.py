"""Real-pages scoreboard: `parse_article` and trafilatura on the same saved pages, in the same run.

Scores each source of a real-pages corpus (default ../shared/realpages, or the subset vendored in
tests/realpages) with the corpus README's measures, prints a table per source and overall, the
rejections with their reasons, and the issue's targets as met / missed.

    python bench/realpages.py [CORPUS] [--pages] [--no-trafilatura] [--only SOURCE]
    python bench/realpages.py tests/realpages --write-floors tests/realpages/floors.json

`--write-floors PATH` scores the project only and writes the floors that tests/test_realpages.py
holds it to: per source and `all`, each measure rounded down to 3 decimals, and the most pages with
a truth body it may reject (today's count). Beside PATH (`floors.json` → `floors.pages.json`) it
writes each page's scores, so that the test can name the pages that got worse.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

from hajar_scraper.parsers import parse_article
from hajar_scraper.realpages import Page, Prediction, Tally, authors_right, body_overlap, date_right, load, title_right
from hajar_scraper.record import Rejected

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "realpages"
ALL = "all"


def project(html: str, page: Page) -> Prediction:
    try:
        record = parse_article(html, page.url, fetched_at=page.fetched_at)
    except Rejected as error:
        return Prediction(rejected=re.sub(r" \(https?:[^)]*\)$", "", f"{error.reason}: {error.detail}")[:140])
    return Prediction(record["title"], record["published_at"], record["authors"], record["body_text"])


def trafilatura(html: str, page: Page) -> Prediction:
    import trafilatura as lib

    document = lib.bare_extraction(html, url=page.url, with_metadata=True)
    if document is None:
        return Prediction(rejected="nothing extracted")
    found = document if isinstance(document, dict) else document.as_dict()
    authors = [a.strip() for a in (found.get("author") or "").split(";") if a.strip()]
    return Prediction(found.get("title"), found.get("date"), authors, found.get("text"))


def run(pages: list[Page], extractor) -> tuple[dict[str, Tally], dict[str, Prediction]]:
    """Tallies per source (and `all`), predictions per page id; seconds count only the extractor's calls."""
    texts = {page.id: page.html() for page in pages}
    extractor(texts[pages[0].id], pages[0])  # warm-up: imports and caches, untimed
    tallies: dict[str, Tally] = defaultdict(Tally)
    predictions = {}
    for page in pages:
        start = time.perf_counter()
        got = extractor(texts[page.id], page)
        elapsed = time.perf_counter() - start
        predictions[page.id] = got
        for key in (page.source, ALL):
            tallies[key].add(page, got)
            tallies[key].seconds += elapsed
    return dict(tallies), predictions


# Measures held to a floor (rates, higher is better) and the one held to a ceiling (a count).
FLOOR_MEASURES = {"body_f1": None, "title": "titles", "published_at": "dates", "authors": "authors"}
CEILING = "max_rejected_with_body"


def measures(tally: Tally) -> dict[str, float | int]:
    """The measured values of one source (or all): the rates with truth to score, and the rejections."""
    values = {}
    for name, attribute in FLOOR_MEASURES.items():
        value = tally.body_f1 if attribute is None else tally.rate(attribute)
        if value is not None:
            values[name] = value
    if tally.recalls:
        values[CEILING] = tally.rejected_with_body
    return values


def floors(tallies: dict[str, Tally]) -> dict[str, dict[str, float | int]]:
    """Each source's (and `all`'s) measures as floors: rates rounded down to 3 decimals, the rejection count as is."""
    def down(value: float) -> float:
        return math.floor(value * 1000 + 1e-9) / 1000

    return {source: {name: value if name == CEILING else down(value) for name, value in measures(tally).items()}
            for source, tally in sorted(tallies.items(), key=lambda kv: (kv[0] == ALL, kv[0]))}


def page_scores(pages: list[Page], predictions: dict[str, Prediction]) -> dict[str, dict]:
    """Each page's scores (only the fields with truth), to tell later which pages got worse."""
    scores = {}
    for page in pages:
        got, truth = predictions[page.id], page.truth
        row: dict = {"source": page.source}
        if truth.get("body") is not None:
            precision, recall = body_overlap(got.body, truth["body"])
            row["body_precision"] = None if precision is None else round(precision, 4)
            row["body_recall"] = round(recall, 4)
        if truth.get("title") is not None:
            row["title"] = title_right(got.title, truth["title"])
        if truth.get("published_at") is not None:
            row["published_at"] = date_right(got.published_at, truth["published_at"])
        if truth.get("authors") is not None:
            row["authors"] = authors_right(got.authors, truth["authors"])
        row["rejected"] = got.rejected
        scores[page.id] = row
    return scores


def pages_file(floors_path: Path) -> Path:
    """Where the per-page scores of a floors file live: `floors.json` → `floors.pages.json`."""
    return floors_path.with_name(floors_path.stem + ".pages.json")


def write_floors(path: Path, pages: list[Page], tallies: dict[str, Tally], predictions: dict[str, Prediction]) -> dict:
    written = floors(tallies)
    path.write_text(json.dumps(written, indent=2) + "\n", encoding="utf-8")
    scores = page_scores(pages, predictions)
    pages_file(path).write_text(
        "{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in scores.items())
        + "\n}\n", encoding="utf-8")
    return written


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def table(results: dict[str, dict[str, Tally]]) -> str:
    names = list(results)
    sources = sorted({s for tallies in results.values() for s in tallies if s != ALL}) + [ALL]
    head = ["source", "pages"] + [f"{n} {m}" for n in names
                                  for m in ("body F1", "title", "date", "authors", "rejected", "pages/s")]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for source in sources:
        first = results[names[0]][source]
        row = [source, str(first.pages)]
        for name in names:
            t = results[name][source]
            row += [_pct(t.body_f1), _pct(t.rate("titles")), _pct(t.rate("dates")), _pct(t.rate("authors")),
                    str(sum(t.rejected.values())), f"{t.pages / t.seconds:.0f}" if t.seconds else "–"]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def targets(ours: dict[str, Tally], theirs: dict[str, Tally] | None) -> list[str]:
    """The issue's targets, each met or missed."""
    total = ours[ALL]
    lines = [_verdict("body F1 ≥ 0.95 overall", total.body_f1 or 0, 0.95),
             _verdict("headline exact ≥ 0.95", total.rate("titles") or 0, 0.95),
             _verdict("published_at right ≥ 0.95", total.rate("dates") or 0, 0.95),
             f"- no page with a truth body rejected: {total.rejected_with_body} rejected — "
             f"{'met' if not total.rejected_with_body else 'missed'}"]
    if theirs:
        behind = [s for s, t in ours.items() if t.body_f1 is not None and t.body_f1 + 1e-9 < (theirs[s].body_f1 or 0)]
        lines.append(f"- body F1 ≥ trafilatura on every source: {'met' if not behind else 'missed on ' + ', '.join(behind)}")
        speed = (total.pages / total.seconds) / (theirs[ALL].pages / theirs[ALL].seconds)
        lines.append(_verdict("parse ≥ 2× trafilatura's pages/s", speed, 2.0, unit="×"))
    return lines


def _verdict(name: str, value: float, target: float, unit: str = "") -> str:
    return f"- {name}: {value:.3f}{unit} — {'met' if value >= target else 'missed'}"


def page_lines(pages: list[Page], predictions: dict[str, Prediction]) -> list[str]:
    """One line per page: body recall/precision, title, date, what was predicted when wrong."""
    from hajar_scraper.realpages import authors_right, body_overlap, title_right

    lines = []
    for page in pages:
        got, truth = predictions[page.id], page.truth
        marks = []
        if truth.get("body") is not None:
            precision, recall = body_overlap(got.body, truth["body"])
            marks.append(f"P={precision if precision is None else round(precision, 2)} R={recall:.2f}")
        if truth.get("title") is not None and not title_right(got.title, truth["title"]):
            marks.append(f"title {got.title!r} ≠ {truth['title']!r}")
        if truth.get("published_at") is not None and not date_right(got.published_at, truth["published_at"]):
            marks.append(f"date {got.published_at} ≠ {truth['published_at']}")
        if truth.get("authors") is not None and not authors_right(got.authors, truth["authors"]):
            marks.append(f"authors {got.authors} ≠ {truth['authors']}")
        if got.rejected:
            marks.append(f"REJECTED {got.rejected}")
        lines.append(f"{page.source}/{page.id}: " + "; ".join(marks))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", nargs="?", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--pages", action="store_true", help="one line per page of the project's results")
    parser.add_argument("--no-trafilatura", action="store_true")
    parser.add_argument("--only", help="score one source")
    parser.add_argument("--write-floors", type=Path, metavar="PATH",
                        help="score the project only and write its floors (JSON) to PATH, its page scores beside")
    args = parser.parse_args(argv)
    if args.write_floors:
        if args.only:
            parser.error("--write-floors writes the floors of the whole corpus: drop --only")
        args.no_trafilatura = True
    pages = [p for p in load(args.corpus) if not args.only or p.source == args.only]
    if not pages:
        print(f"no pages under {args.corpus}", file=sys.stderr)
        return 2
    results, predictions = {}, {}
    results["project"], predictions["project"] = run(pages, project)
    if not args.no_trafilatura:
        warnings.simplefilter("ignore")
        results["trafilatura"], predictions["trafilatura"] = run(pages, trafilatura)
    if args.pages:
        print("\n".join(page_lines(pages, predictions["project"])), end="\n\n")
    print(f"Real pages: {args.corpus} ({len(pages)} pages)\n")
    print(table(results))
    rejections = results["project"][ALL].rejected
    if rejections:
        print("\nRejected by the project:")
        for reason, count in rejections.most_common():
            print(f"- {count} × {reason}")
    unlabelled = [p for p in pages if not any(p.truth.get(k) is not None for k in ("title", "published_at", "body"))]
    if unlabelled:
        got = [predictions["project"][p.id] for p in unlabelled]
        print(f"\nPages without truth ({len(unlabelled)}): {sum(bool(g.rejected) for g in got)} rejected, "
              f"{sum(bool(g.title and g.published_at) for g in got)} with a title and a date found.")
    print("\nTargets:")
    print("\n".join(targets(results["project"], results.get("trafilatura"))))
    if args.write_floors:
        written = write_floors(args.write_floors, pages, results["project"], predictions["project"])
        print(f"\nFloors written to {args.write_floors} (page scores: {pages_file(args.write_floors)}):")
        print(json.dumps(written, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
