"""Who wrote it and where: byline lines, reporter names, datelines and closing signature codes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hajar_scraper.parsers import nearby
from hajar_scraper.record import normalise_text

AUTHOR_LABELS = ("penulis", "reporter", "oleh", "laporan", "pewarta", "wartawan", "kontributor")
EDITOR_LABELS = ("editor", "penyunting", "redaktur")
_LABEL = re.compile(rf"(?<![\w])({'|'.join(AUTHOR_LABELS + EDITOR_LABELS)})\s*:\s*", re.I)
_LINE_START = re.compile(rf"^\W*(?:{'|'.join(AUTHOR_LABELS + EDITOR_LABELS)})\s*:", re.I)
# "Laporan Wartawan Tribunjambi.com, Andi Saputra": the Tribun-style credit line without a colon.
_CREDIT_LINE = re.compile(r"^laporan\s+(?:wartawan|reporter|kontributor)\s+[\w.]+\s*,\s*(?P<names>.+)$", re.I)
# Conjunctions in lower or upper case only: `Dan Brown` is one name.
_CONJUNCTION = r"\b(?:dan|and|und|og|och|et|y|DAN|AND|UND)\b"
_SPLIT = re.compile(rf"\s*(?:,|;|&|\+|{_CONJUNCTION})\s*")
_LISTED = re.compile(rf"\s(?:{_CONJUNCTION}|&)\s")
# A credit without a colon under the headline: `By Sarah Lazare`, `von David Straub, MDR THÜRINGEN`.
_BY_LINE = re.compile(r"^(?:by|von|oleh|par|por|door|af|av)\s+(?P<names>\S.*)$", re.I)
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "dos", "del", "la", "le", "al", "el", "bin", "binti"}
_SEPARATORS = " \t|/\\-–—,;:()[]."
_LEADING_WORD = re.compile(r"^(?:oleh|by|penulis|reporter|editor|ditulis oleh)\b\s*:?\s*", re.I)
_EMAIL = re.compile(r"\S+@\S+")
PLACEHOLDERS = {"admin", "administrator", "redaksi", "tim redaksi", "redaktur", "editor", "webmaster",
                "author", "penulis", "humas", "tim", "team", "wartawan", "kontributor", "rilis"}
MAX_BYLINE_CHARS = 160
# Parts of a theme's meta line: `Selasa, 25 Mei 2021 - 16:42 WIB | Penulis: Oddy Pratama`.
META_SEPARATOR = re.compile(r"\s*[|•·\n]\s*")
BYLINE_WINDOW = 30  # elements after the headline a theme prints its byline in


@dataclass
class Byline:
    """Names taken out of the body's byline lines; `editor` is never one of `authors`."""

    authors: list[str] = field(default_factory=list)
    editor: str | None = None


def is_byline_line(text: str) -> bool:
    """A short line made of `Label: names` pairs (or a Tribun credit line), not a sentence of the story."""
    return len(text) <= MAX_BYLINE_CHARS and bool(_LINE_START.match(text) or _CREDIT_LINE.match(text))


_AUTHOR_NOTE = re.compile(r"^\W*(?:\*\s*)?(?:penulis|the writer|the author)\s+(?:adalah|merupakan|is)\s", re.I)


def printed_byline(tree, anchors) -> Byline:
    """The byline a theme prints under the headline, outside the story's block (`div.penulis`, `By …`)."""
    found = Byline()
    for _, text in nearby.lines(tree, anchors, MAX_BYLINE_CHARS, BYLINE_WINDOW):
        for part in META_SEPARATOR.split(text):
            if is_byline_line(part.strip()):
                read_byline(part.strip(), found)
            elif not found.authors:
                found.authors.extend(by_line(part.strip()))
        if found.authors:
            break
    return found


def by_line(text: str) -> list[str]:
    """The people of `By A and B` / `von A, DESK`: only when every part reads as a name; a desk or agency
    in capitals (`MDR THÜRINGEN`, `APA`) is no person (the outlet is credited instead, as when none is named)."""
    match = _BY_LINE.match(text)
    if not match or len(text) > 100:
        return []
    parts = [part for part in (p.strip(_SEPARATORS) for p in _SPLIT.split(match["names"])) if part]
    if not parts or not all(_reads_as_name(part) for part in parts):
        return []
    return [n for n in (clean_name(part) for part in parts if not part.isupper()) if n]


def _reads_as_name(text: str) -> bool:
    """One to six words, each capitalised but for name particles (`van`, `bin`): `Dr. Max Kolter` yes,
    `the latest news` no."""
    words = text.split()
    return 0 < len(words) <= 6 and all(
        w[0].isupper() or w.lower() in _PARTICLES for w in words) and not any(c.isdigit() for c in text)


def listed_names(name: str) -> list[str]:
    """`A and B, C` given as one name (a JSON-LD author, a meta tag) → its names; any other name as it is
    (`Kullab, Samya` stays one)."""
    return split_names(name) if _LISTED.search(name) else [name]


def is_author_note(text: str) -> bool:
    """`Penulis adalah dosen Universitas Jambi.` closing an opinion piece: about the writer, not the story."""
    return len(text) <= MAX_BYLINE_CHARS and bool(_AUTHOR_NOTE.match(text))


def read_byline(text: str, into: Byline) -> None:
    """Add the names of one byline line to `into`: `Reporter: A dan B | Editor: C`."""
    credit = _CREDIT_LINE.match(text)
    if credit:
        into.authors.extend(n for n in split_names(credit["names"]) if n not in into.authors)
        return
    labels = list(_LABEL.finditer(text))
    for i, label in enumerate(labels):
        end = labels[i + 1].start() if i + 1 < len(labels) else len(text)
        value = text[label.end():end]
        if label[1].lower() in EDITOR_LABELS:
            names = split_names(value)
            into.editor = into.editor or (names[0] if names else None)
        else:
            into.authors.extend(n for n in split_names(value) if n not in into.authors)


_DEGREE = re.compile(r"^[A-Z][a-z]{0,3}\.(?:\s?[A-Z][a-z]{0,4}\.?)*$")


def split_names(value: str) -> list[str]:
    """`Budi dan Ani, Rina & Dodi` → four cleaned names, in order; `Ahmad, M.Pd` stays one name."""
    parts: list[str] = []
    for part in _SPLIT.split(value):
        if parts and _DEGREE.match(part.strip()):
            parts[-1] = f"{parts[-1]}, {part.strip()}"
        else:
            parts.append(part)
    return [n for n in (clean_name(part) for part in parts) if n]


_TRAILING_CODE = re.compile(r"\s+\((?:[^()\s]{1,6})\)?\s*$")  # NZZ's `Elena Oberholzer (obe)`


def clean_name(name: str) -> str | None:
    """A person's name without labels, e-mail, outlet suffix (`Budi/Jambi Ekspres`) or shouting."""
    name = _EMAIL.sub("", normalise_text(name))
    name = _LEADING_WORD.sub("", name).split("/")[0].split("|")[0]
    name = _TRAILING_CODE.sub("", name)
    name = name.strip(_SEPARATORS)
    if not name or not any(c.isalpha() for c in name):
        return None
    return name.title() if name.isupper() and len(name) > 3 else name


# A web address (`mdr.de`, `ntv.com.tr`) or one word in capitals (`LTO`, `AFP`): an outlet or agency.
_OUTLET_LIKE = re.compile(r"^(?:[\w-]+(?:\.[\w-]+)*\.[a-z]{2,3}|[^\W\d_a-z]{2,6})$")


def is_placeholder(name: str, outlet_names=()) -> bool:
    """`Admin`, `Redaksi`, or the outlet itself: a name that says nothing about who reported."""
    key = _key(name)
    outlets = {_key(n) for n in outlet_names if n}
    return is_account(name) or key in outlets or any(
        len(o) >= 5 and o in key or len(key) >= 5 and key in o for o in outlets)


def is_agency(name: str) -> bool:
    """`mdr.de`, `AFP`: credited beside a reporter, but not a reporter, so no reason to stop looking for one."""
    return bool(_OUTLET_LIKE.match(name.strip()))


def is_account(name: str) -> bool:
    """A CMS account (`Admin`, `Redaksi Sumeks`, `Tim Redaksi`): who pressed publish, never an author."""
    return name.strip().lower() in PLACEHOLDERS or _key(name).startswith(("redaksi", "admin", "timredaksi"))


_DOMAIN_SUFFIX = re.compile(r"\.(?:com|co\.id|co|id|net)$")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def _key(text: str) -> str:
    return _NOT_ALNUM.sub("", _DOMAIN_SUFFIX.sub("", text.strip().lower()))


def choose_authors(candidates, editor: str | None, outlet_names=()) -> tuple[list[str], str | None]:
    """The first source naming real people (editor left out); else the outlet credited (`ndr.de`, `Antara`);
    never a CMS account, which a reader does not see as a reporter.

    `candidates` yields `(source, names)` in trust order and is read only as far as needed.
    Returns the names and their source.
    """
    fallback: tuple[list[str], str | None] = ([], None)
    editor_key = _key(editor) if editor else None
    for source, names in candidates:
        names = [n for n in (clean_name(x) for name in names or () for x in listed_names(name))
                 if n and not is_account(n)]
        credited = [n for n in names if not is_placeholder(n, outlet_names) and _key(n) != editor_key]
        if any(not is_agency(n) for n in credited):  # `Paula Steiger, SDA`: the agency stays credited
            return list(dict.fromkeys(credited)), source
        if names and fallback[1] is None:
            fallback = (list(dict.fromkeys(names)), source)
    return fallback


# Datelines -----------------------------------------------------------------------------------------
_WORD = r"[A-Z][\w'’.]*"
_PLACE = rf"{_WORD}(?:[ -]{_WORD}){{0,3}}"
_DASH = r"\s*[-–—]+\s+"
_WITH_OUTLET = re.compile(
    rf"^(?P<place>{_PLACE})\s*(?:,\s*(?P<outlet>[\w.]+(?: [\w.]+)?)|\((?P<agency>[\w. ]+)\)){_DASH}")
_OUTLET_FIRST = re.compile(rf"^(?P<outlet>[\w]+\.(?:com|co\.id|co|id|net))\s*,\s*(?P<place>{_PLACE}){_DASH}", re.I)
_BARE = re.compile(rf"^(?P<place>{_PLACE})\s+[–—-]+\s+(?P<next>[A-Z\"“‘'])")
# First words of ordinary sentences and titles that a bare `Word –` opening must not be taken for.
_NOT_PLACES = {"sementara", "namun", "selain", "menurut", "dalam", "pada", "hal", "ini", "itu", "kata",
               "saat", "bupati", "gubernur", "wakil", "kepala", "ketua", "walikota", "wali", "kapolres",
               "kapolda", "camat", "lurah", "menteri", "presiden", "pemerintah", "pemkab", "pemprov",
               "pemkot", "dprd", "sedangkan", "adapun", "bahkan", "kemudian", "lalu", "jadi", "untuk",
               "di", "ke", "dari", "yang", "update", "breaking", "foto", "video", "catatan", "ralat"}


def dateline(text: str, outlet_names=()) -> str | None:
    """The place in `Kualatungkal, Hajarnews.com –`, `Jambi (ANTARA) -`, `TRIBUNJAMBI.COM, JAMBI -`, `Muarasabak -`."""
    first = text.split("\n", 1)[0]
    match = _OUTLET_FIRST.match(first)
    if match:
        return _place(match["place"])
    match = _WITH_OUTLET.match(first)
    if match:
        outlet = (match["outlet"] or match["agency"] or "").strip()
        known = {name.lower() for name in outlet_names}
        if outlet.lower() in known or "." in outlet or outlet.isupper():
            return _place(match["place"])
    match = _BARE.match(first)
    if match and _plausible_bare_place(match["place"], first[match.end("place"):]):
        return _place(match["place"])
    return None


def _plausible_bare_place(place: str, after: str) -> bool:
    """`Muarasabak – Bupati …` yes; `Bupati Tanjab Barat – Anwar Sadat – meresmikan` no."""
    words = place.replace("-", " ").split()
    if any(w.lower().strip(".") in _NOT_PLACES for w in words) or len(place) > 30:
        return False
    sentence = re.split(r"[.!?]\s", after, maxsplit=1)[0]
    return len(re.findall(r"\s[-–—]+\s", sentence)) == 1  # a parenthetical dash pair is not a dateline


def _place(place: str) -> str:
    place = place.strip()
    return place.title() if place.isupper() else place


# Signatures -----------------------------------------------------------------------------------------
SIGNATURE_AT_END = re.compile(r"\s*[(\[](?P<code>[\w*/.\- ]{1,20})[)\]]\s*$")  # `(OD/*)`, merdeka's `[ian]`
KNOWN_SIGNATURES = {"rls", "ant", "adv", "red", "release", "hms", "ist", "tim", "inf", "hum", "rilis"}


def find_signature(text: str, patterns=(), whole_line: bool = False) -> re.Match | None:
    """The closing code `(OD/*)` at the end of `text`, when it reads as a code, not as prose."""
    match = SIGNATURE_AT_END.search(text)
    if not match:
        return None
    code = match["code"].strip()
    if any(p.fullmatch(code) for p in patterns):
        return match
    if any(c.isdigit() for c in code) or " " in code:
        return None
    if "/" in code or "*" in code or code.lower() in KNOWN_SIGNATURES:
        return match
    # A bare `(hfz)` on its own line is the reporter's initials; inside a sentence it could be anything.
    return match if whole_line and code.islower() and len(code) <= 5 else None
