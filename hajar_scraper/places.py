"""Places: Indonesia's official administrative areas (the gazetteer) and the tagger that finds the ones
a story names, from its dateline and body. Pure: text in, places out; no SQL (the archive stores both).

The gazetteer is the npm package idn-area-data, vendored as the tarball `npm pack` gives
(`places_data/`, its licences inside and beside it): 38 provinces, 514 regencies and cities, 7,285
districts and 83,762 villages, each with its Kemendagri code, whose dotted segments are the hierarchy
(`15.06.05.2006`: a desa of kecamatan 15.06.05 of kabupaten 15.06 of provinsi 15). `hajar places
update` replaces it; nothing here edits it. docs/places.md says how matching decides.

The matcher is one Aho-Corasick automaton (pyahocorasick) over every name and alias, built on first
use (~1 s, ~60 MB), so a process that only writes rows never pays for it.
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
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "places_data"
PACKAGE = "idn-area-data"
RULES = "1"  # bump when the tagger's rules change: archives re-tag their articles on the next save
TAG_CHARS = 30_000  # a story is tagged from its first 30,000 characters: the cost stays bounded
LEVELS = ("provinsi", "kabupaten", "kecamatan", "desa")  # the four levels, by the code's segment count
TYPES = ("provinsi", "kabupaten", "kota", "kecamatan", "desa", "kelurahan")
CODE = re.compile(r"^\d\d(?:\.\d\d(?:\.\d\d(?:\.\d{4})?)?)?$")


# --- the gazetteer --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Place:
    """One administrative area: Kemendagri code, official name, type and parent's code."""

    code: str
    name: str
    type: str
    parent: str | None

    @property
    def level(self) -> int:
        """1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan."""
        return self.code.count(".") + 1

    @property
    def short_name(self) -> str:
        """The name without its type word: "Tanjung Jabung Barat" of "Kabupaten Tanjung Jabung Barat"."""
        return base_name(self.name)


def level_of(code: str) -> int:
    return code.count(".") + 1


def ancestors(code: str) -> list[str]:
    """The codes above `code`, nearest last: 15.06.05 → [15, 15.06]."""
    parts = code.split(".")
    return [".".join(parts[:n]) for n in range(1, len(parts))]


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
    return json.loads((DATA / "SOURCE.json").read_text(encoding="utf-8"))


def version() -> str:
    return f"{PACKAGE}@{source()['version']}"


def tarball() -> Path:
    return DATA / source()["tarball"]


FILES = {"provinces.csv": None, "regencies.csv": "province_code", "districts.csv": "regency_code",
         "villages.csv": "district_code"}


def read_tarball(path: Path) -> Iterator[Place]:
    """Every area of an idn-area-data tarball, parents before children."""
    with tarfile.open(path, "r:gz") as tar:
        for name, parent_column in FILES.items():
            member = tar.extractfile(f"package/data/{name}")
            for row in csv.DictReader(io.TextIOWrapper(member, encoding="utf-8")):
                code, official = row["code"].strip(), " ".join(row["name"].split())
                yield Place(code, official, _type(code, official), row[parent_column] if parent_column else None)


@cache
def gazetteer() -> dict[str, Place]:
    """The vendored gazetteer by code (~0.3 s to read, once a process)."""
    return {place.code: place for place in read_tarball(tarball())}


def coverage(places: Iterable[Place]) -> dict[str, int]:
    """How many areas of each type and level: to check against the official counts (docs/places.md)."""
    counts: dict[str, int] = {}
    for place in places:
        counts[place.type] = counts.get(place.type, 0) + 1
        counts[LEVELS[place.level - 1]] = counts.get(LEVELS[place.level - 1], 0) + 1 if place.level != 2 else 0
    counts["kabupaten/kota"] = counts.get("kabupaten", 0) + counts.get("kota", 0)
    counts["desa/kelurahan"] = counts.get("desa", 0) + counts.get("kelurahan", 0)
    counts.pop("kabupaten", None) if False else None
    return counts


# --- aliases --------------------------------------------------------------------------------------

@cache
def curated() -> dict:
    return yaml.safe_load((DATA / "aliases.yml").read_text(encoding="utf-8"))


_JOINED = {"muara", "muaro", "kuala", "sungai", "tanjung", "pulau", "bukit", "lubuk", "pangkal", "teluk",
           "padang", "air", "rantau", "simpang", "tebing", "kota", "batu", "tanah", "pematang", "sei"}
_NUMBERS = [("Satu", "I", "1"), ("Dua", "II", "2"), ("Tiga", "III", "3"), ("Empat", "IV", "4"),
            ("Lima", "V", "5"), ("Enam", "VI", "6"), ("Tujuh", "VII", "7"), ("Delapan", "VIII", "8"),
            ("Sembilan", "IX", "9"), ("Sepuluh", "X", "10")]
_NUMBER_FORMS = {form.lower(): forms for forms in _NUMBERS for form in forms}
_SPELLINGS = (("Muara ", "Muaro "), ("Muaro ", "Muara "), ("Sumatera ", "Sumatra "), ("Sungai ", "Sei "))


def variants(place: Place) -> list[str]:
    """Spellings made by rule, besides the official name: the regency's name without its type word;
    Kuala Tungkal → Kualatungkal (a towns' prefix joined, as the press writes towns); Muaro ↔ Muara,
    Sumatera → Sumatra, Sungai → Sei; numbers as words, Roman or digits (Tungkal IV Kota / Tungkal
    Empat Kota); names split at "/"."""
    names = [part.strip() for part in place.name.split("/") if part.strip()]
    if place.level == 2:
        names = [base_name(n) for n in names] + names
    found: list[str] = []
    for name in names:
        forms = {name}
        for old, new in _SPELLINGS:
            forms |= {f.replace(old, new, 1) for f in forms if f.startswith(old)}
        words_of = [f.split(" ") for f in forms]
        for words in words_of:
            for i, word in enumerate(words):
                for other in _NUMBER_FORMS.get(word.lower(), ()):
                    forms.add(" ".join(words[:i] + [other] + words[i + 1:]))
        if place.level <= 3 or place.type == "kelurahan":
            for form in list(forms):
                words = form.split(" ")
                if len(words) >= 2 and words[0].lower() in _JOINED:
                    forms.add(words[0] + words[1].lower() + "".join(" " + w for w in words[2:]))
        found += sorted(forms)
    official = normal(place.name)
    return [f for f in dict.fromkeys(found) if normal(f) != official]


def curated_aliases() -> dict[str, list[str]]:
    return {str(code): names for code, names in (curated().get("aliases") or {}).items() if names}


# --- matching -------------------------------------------------------------------------------------

# Text and names are compared folded: ASCII letters lower-cased, every other ASCII character and the
# usual typographic punctuation made a space, one character for one, so a match's offsets are the text's.
_FOLD = {c: c.lower() for c in map(chr, range(65, 91))}
_FOLD.update({c: " " for c in map(chr, range(128)) if not c.isalnum()})
_FOLD.update({c: " " for c in "\u00a0\u2010\u2011\u2012\u2013\u2014\u2015\u2018\u2019\u201a\u201c\u201d\u201e"
                               "\u2026\u2032\u00b7\u2022"})
_FOLD_TABLE = str.maketrans(_FOLD)


def fold(text: str) -> str:
    return text.translate(_FOLD_TABLE)


def normal(name: str) -> str:
    """A name as a key: folded, single spaces."""
    return " ".join(fold(name).split())


# The word before a name that says what it names: (types it prefers, strong). A weak marker ("kota" is
# also any town) prefers, but a name of another type stays a candidate.
_MARKERS: dict[str, tuple[frozenset, bool]] = {}
for _words, _types, _strong in (
        ("provinsi propinsi prov gubernur gub wagub pemprov polda kapolda kejati kajati", {"provinsi"}, True),
        ("kabupaten kab bupati wabup wabub pemkab", {"kabupaten"}, True),
        ("polres kapolres mapolres kejari kajari kodim dandim dprd kpu bawaslu", {"kabupaten", "kota"}, False),
        ("walikota wawako pemkot polresta kapolresta", {"kota"}, True),
        ("kota", {"kota"}, False),
        ("kecamatan kec camat polsek kapolsek mapolsek koramil danramil", {"kecamatan"}, True),
        ("desa ds kades pemdes bumdes", {"desa"}, True),
        ("kelurahan kel lurah", {"kelurahan"}, True)):
    for _word in _words.split():
        _MARKERS[_word] = (frozenset(_types), _strong)
_MARKERS["wali kota"] = (frozenset({"kota"}), True)
_MARKERS["wakil bupati"] = (frozenset({"kabupaten"}), True)
_MARKERS["wakil gubernur"] = (frozenset({"provinsi"}), True)
_MARKERS["kepala desa"] = (frozenset({"desa"}), True)
# Words before a name that make it no administrative area: a street, a hamlet, a river, a firm, a person.
_NOT_BEFORE = frozenset("jalan jl jln gang gg lorong dusun rt rw perumahan perum komplek kompleks hotel pt cv "
                        "sungai kapal universitas bank stadion bandara pelabuhan bin binti pak bapak bu ibu h hj "
                        "haji drs dr ir kh ustaz ustadz sdr saudara saudari tuan nyonya bung mbak mas".split())
# Words before a name that say it is a place (for names that are also common words).
_LOCATIVE = frozenset("di ke dari asal warga wilayah kawasan daerah se kabupaten kota kecamatan desa kelurahan "
                      "provinsi menuju sekitar antara".split())
_JOINERS = frozenset({"dan", "serta", "atau"})


@dataclass(frozen=True, slots=True)
class Mention:
    """A place a story names: how often, where first (offset in the body text), and whether in the dateline."""

    code: str
    mentions: int
    first_position: int
    dateline: bool


@dataclass(slots=True)
class _Match:
    start: int  # offset in the text
    end: int
    codes: tuple[str, ...]  # the candidates
    marker: tuple[frozenset, bool] | None
    locative: bool
    dateline: bool
    common: bool
    chosen: str | None = None
    support: int = 0


class Tagger:
    """The automaton over every name and alias, and the rules that choose among a name's places.

    `extra`: aliases by site (`{site: {code: [names]}}`), which count only in that site's stories.
    """

    def __init__(self, places: dict[str, Place], aliases: dict[str, list[str]], not_places: Iterable[str] = (),
                 common_words: Iterable[str] = (), extra: dict[str, dict[str, list[str]]] | None = None):
        import ahocorasick

        self.places = places
        self.common_words = frozenset(common_words)
        keys: dict[str, dict[str, str | None]] = {}  # folded key -> {code: site or None}

        def add(name: str, code: str, site: str | None = None) -> None:
            key = normal(name)
            if len(key) >= 3:
                entry = keys.setdefault(key, {})
                if entry.get(code, "") is not None:  # a name for every site outweighs one site's
                    entry[code] = site

        for place in places.values():
            add(place.name, place.code)
            for variant in variants(place):
                add(variant, place.code)
        for code, names in aliases.items():
            if code in places:
                for name in names:
                    add(name, code)
        for site, site_aliases in (extra or {}).items():
            for code, names in site_aliases.items():
                if code in places:
                    for name in names:
                        add(name, code, site)
        automaton = ahocorasick.Automaton()
        for key, entry in keys.items():
            automaton.add_word(" " + key, (len(key) + 1, tuple(entry.items())))
        for name in not_places:
            key = normal(name)
            automaton.add_word(" " + key, (len(key) + 1, ()))  # no candidates: hides what it holds
        automaton.make_automaton()
        self.automaton = automaton
        self.keys = len(keys)

    # what a name is ------------------------------------------------------------------------------
    def is_common(self, key: str) -> bool:
        return all(word in self.common_words or word.isdigit() for word in key.split())

    def matches(self, text: str, site: str | None = None) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, end, candidate codes) of the names in `text`: whole words, written capitalised,
        leftmost-longest (Tanjung Jabung Barat, not Tanjung), not inside a name that is no place."""
        folded = " " + fold(text) + " "
        found = []
        for end, (length, entries) in self.automaton.iter(folded):
            if folded[end + 1] != " ":  # the name must end a word
                continue
            start = end - length + 1  # the leading space; the name starts at start + 1, i.e. text[start]
            if not _capitalised(text, start, end):
                continue
            codes = tuple(code for code, only in entries if only is None or only == site)
            if entries and not codes:
                continue
            found.append((start, end, codes))
        found.sort(key=lambda m: (m[0], -m[1]))
        kept, last_end = [], -1
        for start, end, codes in found:
            if start >= last_end:
                kept.append((start, end, codes))
                last_end = end
        return [m for m in kept if m[2]]

    def tag(self, body: str, dateline: str | None = None, home: Iterable[str] = (), site: str | None = None
            ) -> list[Mention]:
        """The places a story names, in the order first named. `home`: the outlet's home areas (codes);
        `dateline`: the place opening the story, as the parser read it."""
        body = (body or "")[:TAG_CHARS]
        head = body.lstrip()
        lead = len(body) - len(head)
        dateline_end = -1
        prefix = ""
        if dateline:
            if head.startswith(dateline):
                dateline_end = lead + len(dateline)
            else:  # a dateline the body does not open with is tagged as if it did, at position 0
                prefix = dateline + ".\n"
                dateline_end = len(dateline)
        text = prefix + body
        home = tuple(home)
        found = [self._match(text, start, end, codes, start < dateline_end)
                 for start, end, codes in self.matches(text, site)]
        self._carry_markers(text, found)
        anchors: dict[str, int] = {}
        for _ in range(2):  # a second pass lets the places found support each other
            for match in found:
                match.chosen, match.support = self._choose(match, home, anchors)
            anchors = {}
            for match in found:
                if match.chosen:
                    anchors[match.chosen] = anchors.get(match.chosen, 0) + 1
        mentions: dict[str, list] = {}
        for match in found:
            if not match.chosen or not self._accept(match, text):
                continue
            position = max(0, match.start - len(prefix))
            entry = mentions.setdefault(match.chosen, [0, position, False])
            entry[0] += 1
            entry[2] = entry[2] or match.dateline
        return [Mention(code, n, first, dateline) for code, (n, first, dateline) in
                sorted(mentions.items(), key=lambda kv: kv[1][1])]

    # the rules -----------------------------------------------------------------------------------
    def _match(self, text: str, start: int, end: int, codes: tuple[str, ...], in_dateline: bool) -> _Match:
        before = fold(text[max(0, start - 40):start]).split()
        marker = _MARKERS.get(" ".join(before[-2:])) or (_MARKERS.get(before[-1]) if before else None)
        return _Match(start, end, codes, marker, bool(before) and before[-1] in _LOCATIVE, in_dateline,
                      self.is_common(normal(text[start:end])))

    def _carry_markers(self, text: str, found: list[_Match]) -> None:
        """A marker covers the list it opens: "Desa Lubuk Terap, Pulau Pauh dan Merlung"."""
        for previous, match in zip(found, found[1:]):
            if match.marker is None and previous.marker is not None:
                between = fold(text[previous.end:match.start]).split()
                if len(between) <= 1 and all(w in _JOINERS for w in between):
                    match.marker = previous.marker

    def _choose(self, match: _Match, home: tuple[str, ...], anchors: dict[str, int]) -> tuple[str | None, int]:
        """The candidate the context supports best, and its support; None when nothing tells them apart."""
        codes = match.codes
        if match.marker:
            preferred = [c for c in codes if self.places[c].type in match.marker[0]]
            if preferred or match.marker[1]:
                codes = tuple(preferred)
        if not codes:
            return None, 0
        if not match.marker:  # a bare name is the larger of two nested areas: Merlung the kecamatan
            held = set(codes)
            codes = tuple(c for c in codes if not any(a in held for a in ancestors(c)))
        if match.dateline and len(codes) > 1:  # a dateline names a town: Kota Jambi, not Provinsi Jambi
            towns = [c for c in codes if self.places[c].type == "kota"]
            codes = tuple(c for c in codes if c not in {self.places[t].parent for t in towns})
        scored = []
        for code in codes:
            support = 0
            for area in home:
                if within(code, area):
                    support = max(support, 2)
                elif code.split(".")[0] == area.split(".")[0]:
                    support = max(support, 1)
            for other, count in anchors.items():
                if other == code or other == match.chosen and count <= 1:
                    continue
                if within(code, other):
                    support = max(support, 3 if level_of(other) > 1 else support + 1 if support < 2 else support)
                elif within(other, code):
                    support = max(support, 2)
            scored.append((support, -level_of(code), code))
        scored.sort(reverse=True)
        best = scored[0]
        if len(scored) > 1 and scored[1][:2] == best[:2]:
            return None, 0  # as good as another: no telling which
        return best[2], best[0]

    def _accept(self, match: _Match, text: str) -> bool:
        """Whether the chosen place may stand: a village needs its district, its regency or the home area
        behind it; a name that is also a common word needs a marker, a locative word, the dateline or
        the home area, and no capitalised neighbour making it part of another name."""
        place = self.places[match.chosen]
        before = fold(text[max(0, match.start - 40):match.start]).split()
        after = text[match.end:match.end + 12]
        if before and before[-1] in _NOT_BEFORE or re.match(r"\s*\(\d{1,3}\)", after):
            return False  # Jalan Sudirman, Dusun Baru, Sungai Pengabuan; Rusdi (52)
        marked = bool(match.marker and place.type in match.marker[0])
        if match.common:
            if _name_neighbour(text, match.start, match.end) and not marked:
                return False
            if not (marked or match.locative or match.dateline or match.support >= 2):
                return False
        if place.level == 4:
            return match.support >= 2 or (marked and self._unique(match, place))
        if place.level == 3:
            return match.support >= 1 or marked and self._unique(match, place)
        return True

    def _unique(self, match: _Match, place: Place) -> bool:
        return sum(1 for c in match.codes if self.places[c].type == place.type) == 1


def _capitalised(text: str, start: int, end: int) -> bool:
    """Every word of text[start:end] starts with a capital or a digit (names are written so; "baru", no)."""
    at_word = True
    for ch in text[start:end]:
        if ch.isalnum():
            if at_word and ch.islower():
                return False
            at_word = False
        else:
            at_word = True
    return True


_NAME_WORD = re.compile(r"[A-Z][a-z]+")


def _name_neighbour(text: str, start: int, end: int) -> bool:
    """A capitalised word right before or after the match, in the same sentence: Masjid Agung, Yulia Sari."""
    before = re.search(r"(\w+)\s$", text[max(0, start - 30):start])
    after = re.match(r"\s(\w+)", text[end:end + 30])
    return any(m and _NAME_WORD.fullmatch(m[1]) and m[1].lower() not in _MARKERS and m[1].lower() not in _LOCATIVE
               for m in (before, after))


# --- the tagger of this process -------------------------------------------------------------------

@cache
def _dictionary() -> frozenset[str]:
    """Sastrawi's root words: a place named only by such words ("Batu Bara", "Padang") is a common phrase."""
    from importlib import resources

    text = resources.files("Sastrawi.Stemmer").joinpath("data/kata-dasar.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.split())


def site_places(site: str | None) -> tuple[tuple[str, ...], dict[str, list[str]]]:
    """A site profile's home areas and local aliases (`places:` in its YAML)."""
    from hajar_scraper.sites import UnknownSite, get_profile

    try:
        profile = get_profile(site) if site else None
    except UnknownSite:
        profile = None
    if profile is None:
        return (), {}
    return profile.places_home, profile.places_aliases


@cache
def tagger() -> Tagger:
    """The tagger over the vendored gazetteer, the curated aliases and every profile's local aliases."""
    from hajar_scraper.sites import profiles

    data = curated()
    extra = {slug: profile.places_aliases for slug, profile in profiles().items() if profile.places_aliases}
    return Tagger(gazetteer(), curated_aliases(), data.get("not_places") or (),
                  _dictionary() | set(data.get("common_words") or ()), extra)


def tag_record(record: dict) -> list[Mention]:
    """The places of one article record, with its site's home area and local aliases."""
    home, _ = site_places(record.get("site"))
    return tagger().tag(record.get("body_text") or "", record.get("dateline"), home, record.get("site"))


@cache
def tagging_version(site: str | None) -> str:
    """What a stored tagging was made with (the archive re-tags an article whose version differs): the
    rules, the gazetteer, the curated aliases and the site's own places settings."""
    home, extra = site_places(site)
    digest = hashlib.sha256(json.dumps([curated(), list(home), extra], sort_keys=True, default=str).encode())
    return f"{RULES}/{source()['version']}/{digest.hexdigest()[:10]}"


# --- keeping the vendored copy --------------------------------------------------------------------

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
