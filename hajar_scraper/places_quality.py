"""The places tagger against its labelled set (tests/places/labelled.yml): precision and recall per level.

    python -m hajar_scraper.places_quality [LABELLED.yml]

Each text is tagged as the archive tags a record: its body, its dateline (the fixture's record, else
the parser's dateline reader), its site's home area. A place counts at its own level; the places
above it are not added, on either side, as the labels name only what the text names.
"""

from __future__ import annotations

import gzip
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from hajar_scraper import places

ROOT = Path(__file__).resolve().parents[1]
LABELLED = ROOT / "tests" / "places" / "labelled.yml"
LEVEL_NAMES = ("provinsi", "kabupaten/kota", "kecamatan", "desa/kelurahan")


@dataclass
class Text:
    source: str
    site: str | None
    body: str
    dateline: str | None
    expected: set[str]


def _dateline(body: str, site: str | None) -> str | None:
    from hajar_scraper.parsers.bylines import dateline
    from hajar_scraper.sites import get_profile

    names = get_profile(site).outlet_names if site else ()
    return dateline(body, names)


def load(path: Path = LABELLED) -> list[Text]:
    """The labelled texts, read from the repository (sample site, fixtures, vendored real pages)."""
    gazetteer = places.gazetteer()
    texts = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
        kind, _, rest = entry["text"].partition("/")
        if kind == "sample_site":
            story = yaml.safe_load((ROOT / "tests" / "sample_site" / "articles" / rest).read_text(encoding="utf-8"))
            site, body = "hajarnews", "\n\n".join(story["paragraphs"])
            dateline = _dateline(body, site)
        elif kind == "fixtures":
            record = json.loads((ROOT / "tests" / "fixtures" / rest).read_text(encoding="utf-8"))["record"]
            site, body, dateline = record["site"], record["body_text"], record.get("dateline")
            site = None if site == "generic" else site
        elif kind == "web":
            spec = next(s for s in json.loads((ROOT / "tests" / "fixtures" / "web" / "articles.json").read_text(
                encoding="utf-8")) if s["key"] == rest)
            site, body = spec["site"], spec["body_text"]
            dateline = _dateline(body, site)
        elif kind == "realpages":
            source, page = rest.split("/")
            with (ROOT / "tests" / "realpages" / source / "truth.jsonl").open(encoding="utf-8") as rows:
                body = next(json.loads(line) for line in rows if json.loads(line)["id"] == page)["body"]
            site, dateline = None, _dateline(body, None)
        else:
            raise ValueError(f"unknown text {entry['text']!r}")
        expected = set()
        for label in entry["expected"] or ():
            code, _, name = str(label).partition(" ")
            place = gazetteer.get(code)
            if place is None or place.name != name:
                raise ValueError(f"{entry['text']}: {label!r} is not in the gazetteer"
                                 + (f" (it has {place.name!r})" if place else ""))
            expected.add(code)
        texts.append(Text(entry["text"], site, body, dateline, expected))
    return texts


def tagged(text: Text) -> set[str]:
    home, _ = places.site_places(text.site)
    return {m.code for m in places.tagger().tag(text.body, text.dateline, home, text.site)}


def score(texts: list[Text]) -> dict[str, dict]:
    """Per level: true and false positives, misses, precision and recall (micro, over every text), and
    the wrong and missed places by text."""
    result = {name: {"tp": 0, "fp": 0, "fn": 0, "wrong": [], "missed": []} for name in LEVEL_NAMES}
    for text in texts:
        found = tagged(text)
        for level, name in enumerate(LEVEL_NAMES, 1):
            got = {c for c in found if places.level_of(c) == level}
            want = {c for c in text.expected if places.level_of(c) == level}
            row = result[name]
            row["tp"] += len(got & want)
            row["fp"] += len(got - want)
            row["fn"] += len(want - got)
            row["wrong"] += [(text.source, c) for c in sorted(got - want)]
            row["missed"] += [(text.source, c) for c in sorted(want - got)]
    for row in result.values():
        row["precision"] = row["tp"] / (row["tp"] + row["fp"]) if row["tp"] + row["fp"] else 1.0
        row["recall"] = row["tp"] / (row["tp"] + row["fn"]) if row["tp"] + row["fn"] else 1.0
    return result


def report(texts: list[Text], result: dict[str, dict], details: bool = True) -> str:
    gazetteer = places.gazetteer()
    lines = [f"{len(texts)} labelled texts, {sum(len(t.expected) for t in texts)} places named "
             f"(gazetteer {places.version()})", "",
             f"{'level':<16}{'named':>7}{'found':>7}{'right':>7}{'precision':>11}{'recall':>8}"]
    for name, row in result.items():
        lines.append(f"{name:<16}{row['tp'] + row['fn']:>7}{row['tp'] + row['fp']:>7}{row['tp']:>7}"
                     f"{row['precision']:>11.3f}{row['recall']:>8.3f}")
    if details:
        for name, row in result.items():
            for kind in ("wrong", "missed"):
                for source, code in row[kind]:
                    lines.append(f"  {name}: {kind} {code} {gazetteer[code].name} ({source})")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    texts = load(Path(argv[0]) if argv else LABELLED)
    print(report(texts, score(texts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
