"""The parsers' scoreboard: every fixture page parsed, each record field compared exactly, rates per site."""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path


from hajar_scraper.encoding import decode_page
from hajar_scraper.parsers import parse_article
from hajar_scraper.parsers.article import parse_page
from hajar_scraper.record import FIELDS, Rejected
from hajar_scraper.sites import GENERIC, profiles

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
FETCHED_AT = "2026-11-28T00:00:00+00:00"  # the fetch time every fixture's relative dates count from
# Fields the report scores; fetched_at and parser_version are copied through, not extracted.
SCORED = tuple(f for f in FIELDS if f not in ("fetched_at", "parser_version"))
GENERIC_FOLDER = "generic"  # pages of hosts without a profile, parsed as `site=None`
NO_PROFILE = "(no profile)"  # every profiled site's article pages parsed again with the generic parser


@dataclass(frozen=True)
class Case:
    """One saved page and what a careful reader expects from it."""

    folder: str
    path: Path
    fetched_url: str
    expected: dict  # {"record": {...}} or {"rejected": {type, reason, detail}}

    @property
    def name(self) -> str:
        return f"{self.folder}/{self.path.stem}"

    @property
    def site(self) -> str | None:
        return None if self.folder == GENERIC_FOLDER else self.folder

    def html(self) -> str:
        """The page decoded by its declared charset, as `hajar parse` reads a saved file."""
        return decode_page(self.path.read_bytes())

    def parse(self, profile=None) -> dict:
        """The record (or `Rejected`) of this page; `profile` forces one, e.g. the generic profile."""
        if profile is not None:
            return parse_page(self.html(), self.fetched_url, profile, fetched_at=FETCHED_AT)
        return parse_article(self.html(), self.fetched_url, site=self.site, fetched_at=FETCHED_AT)


def cases(root: Path = FIXTURES) -> list[Case]:
    """Every `<folder>/<case>.html` beside its `.json`, for profiled sites and the generic folder."""
    known = set(profiles()) | {GENERIC_FOLDER}
    found = []
    for path in sorted(root.glob("*/*.html")):
        if path.parent.name in known and path.with_suffix(".json").exists():
            data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
            found.append(Case(path.parent.name, path, data["fetched_url"], data))
    return found


def score(all_cases: list[Case]) -> dict[str, dict[str, list[int]]]:
    """`{column: {row: [hits, total]}}`: each site with its profile, then every article page with none."""
    table: dict = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for case in all_cases:
        _score_case(table[case.folder], case, None)
        if "record" in case.expected and case.folder != GENERIC_FOLDER:
            _score_case(table[NO_PROFILE], case, GENERIC, skip=("site", "provenance"))
    return table


def _score_case(column: dict, case: Case, profile, skip=()) -> None:
    column["pages"][1] += 1
    try:
        record, rejection = case.parse(profile), None
    except Rejected as error:
        record, rejection = None, {"type": type(error).__name__, "reason": error.reason, "detail": str(error)}
    if "rejected" in case.expected:
        column["rejects right"][1] += 1
        column["rejects right"][0] += rejection == case.expected["rejected"]
        return
    for field in SCORED:
        if field not in skip:
            column[field][1] += 1
            column[field][0] += record is not None and record.get(field) == case.expected["record"][field]


def render(table: dict) -> str:
    """A Markdown table: one row per field, one column per site, the no-profile column last."""
    columns = sorted(c for c in table if c != NO_PROFILE) + [c for c in table if c == NO_PROFILE]
    lines = ["| field | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|",
             "| pages | " + " | ".join(str(table[c]["pages"][1]) for c in columns) + " |"]
    for row in (*SCORED, "rejects right"):
        cells = []
        for column in columns:
            hits, total = table[column][row] if row in table[column] else (0, 0)
            cells.append(f"{100 * hits / total:.0f}%" if total else "–")
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the table for the fixtures under `--fixtures` (default: the repository's tests/fixtures)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    args = parser.parse_args(argv)
    print(report(args.fixtures))
    return 0


def report(root: Path = FIXTURES) -> str:
    found = cases(root)
    if not found:
        raise FileNotFoundError(f"no fixture pages under {root}")
    return render(score(found))
