"""The gazetteer: Indonesia's official administrative areas, vendored, with the spellings the press uses.

The data is the npm package idn-area-data, vendored as the tarball `npm pack` gives (`places_data/`, its
licences inside and beside it): 38 provinces, 514 regencies and cities, 7,285 districts and 83,762
villages, each with its Kemendagri code, whose dotted segments are the hierarchy (`15.06.05.2006`: a desa
of kecamatan 15.06.05 of kabupaten 15.06 of provinsi 15). `make places-data` (`update` below) replaces
it; nothing edits it by hand. Read through importlib.resources: Scrapyd runs the project from an egg.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parents[1] / "places_data"  # where `update` writes (a checkout, not an egg)
PACKAGE = "idn-area-data"
TYPES = ("provinsi", "kabupaten", "kota", "kecamatan", "desa", "kelurahan")
CODE = re.compile(r"^\d\d(?:\.\d\d(?:\.\d\d(?:\.\d{4})?)?)?$")


def _data(name: str):
    """A vendored file, from wherever the package is installed (a checkout, a wheel, a zipped egg)."""
    return resources.files("hajar_scraper").joinpath("places_data", name)


@dataclass(frozen=True, slots=True)
class Place:
    """One administrative area: Kemendagri code, official name, type and parent's code."""

    code: str
    name: str
    type: str
    parent: str | None
    level: int = 0  # 1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan (from the code)

    def __post_init__(self):
        object.__setattr__(self, "level", self.code.count(".") + 1)


def level_of(code: str) -> int:
    return code.count(".") + 1


@lru_cache(maxsize=200_000)
def ancestors(code: str) -> tuple[str, ...]:
    """The codes above `code`, nearest last: 15.06.05 → (15, 15.06)."""
    parts = code.split(".")
    return tuple(".".join(parts[:n]) for n in range(1, len(parts)))


def within(code: str, area: str) -> bool:
    return code == area or code.startswith(area + ".")


_PREFIXES = ("Kabupaten Administrasi ", "Kota Administrasi ", "Kabupaten ", "Kota ")


def base_name(name: str) -> str:
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _type(code: str, name: str) -> str:
    level = level_of(code)
    if level == 1:
        return "provinsi"
    if level == 2:
        return "kota" if name.startswith("Kota ") else "kabupaten"
    if level == 3:
        return "kecamatan"
    return "kelurahan" if code.rsplit(".", 1)[1].startswith("1") else "desa"  # Kemendagri: 1xxx kelurahan


@cache
def source() -> dict:
    """What is vendored: package, version, tarball and its digests, licence, attribution, counts."""
    return json.loads(_data("SOURCE.json").read_text(encoding="utf-8"))


def version() -> str:
    return f"{PACKAGE}@{source()['version']}"


def tarball() -> Path:
    return DATA / source()["tarball"]


FILES = {"provinces.csv": None, "regencies.csv": "province_code", "districts.csv": "regency_code",
         "villages.csv": "district_code"}


def read_tarball(path: Path | None = None) -> Iterator[Place]:
    """Every area of an idn-area-data tarball (the vendored one by default), parents before children."""
    with (open(path, "rb") if path else _data(source()["tarball"]).open("rb")) as raw, \
            tarfile.open(fileobj=raw, mode="r:gz") as tar:
        for name, parent_column in FILES.items():
            rows = csv.reader(io.TextIOWrapper(tar.extractfile(f"package/data/{name}"), encoding="utf-8"))
            header = next(rows)
            at_code, at_name = header.index("code"), header.index("name")
            at_parent = header.index(parent_column) if parent_column else None
            for row in rows:
                code, official = row[at_code].strip(), " ".join(row[at_name].split())
                yield Place(code, official, _type(code, official), row[at_parent] if at_parent is not None else None)


@cache
def gazetteer() -> dict[str, Place]:
    """The vendored gazetteer by code (~0.3 s to read, once a process)."""
    return {place.code: place for place in read_tarball()}


def coverage(places: Iterable[Place]) -> dict[str, int]:
    """How many areas of each type: to check against the official counts (docs/places.md)."""
    counts = dict.fromkeys(TYPES, 0)
    for place in places:
        counts[place.type] += 1
    counts["kabupaten/kota"] = counts["kabupaten"] + counts["kota"]
    counts["desa/kelurahan"] = counts["desa"] + counts["kelurahan"]
    return counts


# --- aliases --------------------------------------------------------------------------------------

@cache
def curated() -> dict:
    return yaml.safe_load(_data("aliases.yml").read_text(encoding="utf-8"))


_JOINED = {"muara", "muaro", "kuala", "sungai", "tanjung", "pulau", "bukit", "lubuk", "pangkal", "teluk",
           "padang", "air", "rantau", "simpang", "tebing", "kota", "batu", "tanah", "pematang", "sei", "bandar",
           "labuhan", "pangkalan"}
_NUMBERS = [("Satu", "I", "1"), ("Dua", "II", "2"), ("Tiga", "III", "3"), ("Empat", "IV", "4"),
            ("Lima", "V", "5"), ("Enam", "VI", "6"), ("Tujuh", "VII", "7"), ("Delapan", "VIII", "8"),
            ("Sembilan", "IX", "9"), ("Sepuluh", "X", "10")]
_NUMBER_FORMS = {form.lower(): forms for forms in _NUMBERS for form in forms}
_SPELLINGS = (("Muara ", "Muaro "), ("Muaro ", "Muara "), ("Sumatera ", "Sumatra "))


# Text and names are compared folded: ASCII letters lower-cased, every other ASCII character and the
# usual typographic punctuation made a space, one character for one, so a match's offsets are the text's.
_FOLD = {c: c.lower() for c in map(chr, range(65, 91))}
_FOLD.update({c: " " for c in map(chr, range(128)) if not c.isalnum()})
_FOLD.update({c: " " for c in "\u00a0\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019\u201a\u201c\u201d\u201e"
                               "\u2026\u2032\u00b7\u2022"})
_FOLD_TABLE = str.maketrans(_FOLD)
_TYPOGRAPHIC = "\u00a0\u2013\u2014\u201c\u201d\u2018\u2019\u2026"


def fold(text: str) -> str:
    """`text` for matching; the usual typographic marks are replaced first, so that most stories are
    ASCII, which str.translate folds ten times faster."""
    if not text.isascii():
        for mark in _TYPOGRAPHIC:
            if mark in text:
                text = text.replace(mark, " ")
    return text.translate(_FOLD_TABLE)


def normal(name: str) -> str:
    """A name as a key: folded, single spaces."""
    return " ".join(fold(name).split())


def variants(place: Place) -> list[str]:
    """Spellings made by rule, besides the official name: the regency's name without its type word;
    Kuala Tungkal → Kualatungkal (a town's prefix joined, as the press writes towns); Muaro ↔ Muara,
    Sumatera → Sumatra; numbers as words, Roman or digits (Tungkal IV Kota / Tungkal
    Empat Kota); names split at "/"."""
    return _variants(place.name, place.level, place.type == "kelurahan")


_VARIED = re.compile(r"/|^(?:Kabupaten|Kota|Muara|Muaro|Sumatera) |\b(?:%s|belas|puluh)\b" % "|".join(
    form for forms in _NUMBERS for form in forms), re.I)
_UNITS = {word.lower(): n for n, (word, _, _) in enumerate(_NUMBERS[:9], 1)}
_COUNTED = re.compile(r"\b((?:%s|se)[- ](?:belas|puluh)(?:[- ](?:%s))?)\b" % ("|".join(_UNITS), "|".join(_UNITS)),
                      re.I)


def _counted(match: re.Match) -> str:
    """"Enam-belas" → "16", "Dua-puluh-tiga" → "23": Palembang's kelurahan are written with digits."""
    words = re.split(r"[- ]", match[1].lower())
    first = 1 if words[0] == "se" else _UNITS[words[0]]
    value = 10 + first if words[1] == "belas" else 10 * first + (_UNITS[words[2]] if len(words) > 2 else 0)
    return str(value)


def _variants(official: str, level: int, kelurahan: bool) -> list[str]:
    joined = level <= 3 or kelurahan
    if not _VARIED.search(official) and not (joined and " " in official
                                             and official.split(" ", 1)[0].lower() in _JOINED):
        return []  # most villages: no variant, and no time spent looking
    names = [part.strip() for part in official.split("/") if part.strip()]
    if level == 2:  # the official "Kota Jambi" is a key already; its variants are of "Jambi"
        names = [base_name(n) for n in names]
    found: list[str] = []
    for name in names:
        forms = {name}
        for old, new in _SPELLINGS:
            forms |= {f.replace(old, new, 1) for f in forms if f.startswith(old)}
        forms |= {_COUNTED.sub(_counted, f) for f in forms}
        for form in list(forms):
            words = form.split(" ")
            for i, word in enumerate(words):
                for other in _NUMBER_FORMS.get(word.lower(), ()):
                    forms.add(" ".join(words[:i] + [other] + words[i + 1:]))
        if joined:
            for form in list(forms):
                words = form.split(" ")
                if len(words) >= 2 and words[0].lower() in _JOINED:
                    forms.add(words[0] + words[1].lower() + "".join(" " + w for w in words[2:]))
        found += sorted(forms)
    key = normal(official)
    return [f for f in dict.fromkeys(found) if normal(f) != key]


@cache
def all_variants() -> dict[str, list[str]]:
    """`variants` of every place of the gazetteer that has some (~0.3 s, once a process)."""
    found = {}
    for code, place in gazetteer().items():
        names = variants(place)
        if names:
            found[code] = names
    return found


def curated_aliases() -> dict[str, list[str]]:
    return {str(code): names for code, names in (curated().get("aliases") or {}).items() if names}


def update(version_wanted: str = "latest", npm: str = "npm") -> dict:
    """Fetch idn-area-data with `npm pack` (the one step that uses the registry), check it, and make it
    the vendored gazetteer: the tarball, its licences beside it and SOURCE.json. Returns the new source."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        result = subprocess.run([npm, "pack", f"{PACKAGE}@{version_wanted}", "--json"], cwd=scratch,
                                capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise RuntimeError(f"npm pack {PACKAGE}@{version_wanted} failed: {result.stderr.strip()[-500:]}")
        packed = json.loads(result.stdout)[0]
        fetched = Path(scratch) / packed["filename"]
        places = list(read_tarball(fetched))  # refuses a tarball without the four files
        with tarfile.open(fetched, "r:gz") as tar:
            licences = {"LICENSE-ODbL.md": tar.extractfile("package/data/LICENSE.md").read(),
                        "LICENSE-MIT.txt": tar.extractfile("package/LICENSE").read()}
        new = {
            "package": PACKAGE, "version": packed["version"], "tarball": packed["filename"],
            "integrity": packed["integrity"], "sha256": hashlib.sha256(fetched.read_bytes()).hexdigest(),
            "licence": "Data: Open Database License (ODbL) 1.0 (LICENSE-ODbL.md); package: MIT (LICENSE-MIT.txt)",
            "attribution": "Indonesian administrative areas from idn-area-data by Fityan (fityannugroho), "
                           "https://github.com/fityannugroho/idn-area-data, under the ODbL 1.0",
            "coverage": coverage(places),
        }
        old = source().get("tarball") if (DATA / "SOURCE.json").exists() else None
        (DATA / new["tarball"]).write_bytes(fetched.read_bytes())
    for name, content in licences.items():
        (DATA / name).write_bytes(content)
    (DATA / "SOURCE.json").write_text(json.dumps(new, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if old and old != new["tarball"]:
        (DATA / old).unlink(missing_ok=True)
    source.cache_clear()
    gazetteer.cache_clear()
    return new


def main(argv: list[str] | None = None) -> int:
    """`python -m hajar_scraper.places update [VERSION]`: vendor idn-area-data again (`make places-data`);
    `python -m hajar_scraper.places coverage`: the vendored gazetteer's counts."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m hajar_scraper.places", description=main.__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    update_command = commands.add_parser("update", help="fetch idn-area-data with npm pack and vendor it")
    update_command.add_argument("version", nargs="?", default="latest")
    commands.add_parser("coverage", help="print the vendored gazetteer's counts")
    args = parser.parse_args(argv)
    if args.command == "update":
        new = update(args.version)
        print(f"vendored {new['package']} {new['version']} ({new['tarball']}): {new['coverage']}")
        print("archives load it when next opened; `hajar reparse` tags their articles again")
    else:
        print(json.dumps({"source": version(), **coverage(gazetteer().values())}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
