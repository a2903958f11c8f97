"""Finding the places a story names: one Aho-Corasick automaton (pyahocorasick) over every name and
alias of the gazetteer, and the rules that choose among a name's places (markers, hierarchy, the
outlet's home area, guards against common words and personal names). docs/places.md says how it decides.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from hajar_scraper.places.gazetteer import Place, ancestors, fold, level_of, normal, variants, within

_LOWER_WORD = re.compile(r"(?<![^\W_])[^\W\d_A-Z]")  # a word starting with a small letter
TAG_CHARS = 30_000  # a story is tagged from its first 30,000 characters: the cost stays bounded


# The word before a name that says what it names: the types it names, and whether it is strong. A weak
# marker ("kota" is also any town, "Polres" serves a kabupaten or a kota) prefers those types, but a
# name of another type stays a candidate; a desa marker takes a kelurahan when no desa has that name
# (the press calls both desa).
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
for _phrase, _kind in (("wali kota", "kota"), ("wakil bupati", "kabupaten"), ("wakil gubernur", "provinsi"),
                       ("kepala desa", "desa")):
    _MARKERS[_phrase] = (frozenset({_kind}), True)
_SAME_LEVEL = {"desa": "kelurahan", "kelurahan": "desa"}
_ANCHORED = (1, 3, 4, 4)  # support from a place named above: its province, kabupaten, kecamatan (by dots)
_ABBREVIATIONS = frozenset("kec kab kel ds prov jl jln gg dr drs ir h hj kh sdr".split())
# Words before a name (or before the capitalised words leading to it) that make it no administrative
# area: a street, a hamlet, a river, a firm, a person's title, an alias.
_NOT_BEFORE = frozenset("jalan jl jln gang gg lorong dusun rt rw perumahan perum komplek kompleks hotel pt cv "
                        "sungai kapal universitas bank bin binti alias pak bapak bu h hj haji drs dr ir kh ustaz "
                        "ustadz sdr saudara saudari tuan nyonya bung mbak mas".split())
_NAMES_OF = frozenset("hotel pt cv kapal universitas bank".split())  # a name's use here says nothing of others
# Football clubs carry their town's name: Persib Bandung, Persik Kediri, PSS Sleman.
_CLUB = re.compile(r"^(?!persen$|persero$|persada$|perseroan$)(?:pers[a-z]{1,6}|ps[a-z]{0,3})$")
# Words before a name that say it is a place (for a name that is also a common word: "di Padang").
_LOCATIVE = frozenset("di ke dari asal warga wilayah kawasan daerah se menuju sekitar antara".split())
# Capitalised words that may follow a place without making it part of a longer name.
_MAY_FOLLOW = frozenset("senin selasa rabu kamis jumat sabtu minggu januari februari maret april mei juni juli "
                        "agustus september oktober november desember dan serta atau yang".split())
_TYPE_WORDS = frozenset("kabupaten kota administrasi provinsi kecamatan desa kelurahan".split())
_DIRECTIONS = frozenset("utara selatan timur barat tengah laut darat ulu ilir hulu hilir".split())
_NAME_WORD = re.compile(r"[A-Z][a-z]+")


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
    key: str  # the name as written, folded
    codes: tuple[str, ...]  # the candidates
    marker: tuple[frozenset, bool] | None  # (types, strong)
    locative: bool
    dateline: bool
    common: bool
    not_place: str | None  # "sense": a river, street or person; "name": part of a firm's, club's, hotel's name
    chosen: str | None = None
    support: int = 0


class Tagger:
    """The automaton over every name and alias, and the rules that choose among a name's places.

    `extra`: aliases by site (`{site: {code: [names]}}`), which count only in that site's stories.
    """

    def __init__(self, places: Iterable[Place], aliases: dict[str, list[str]], not_places: Iterable[str] = (),
                 common_words: Iterable[str] = (), extra: dict[str, dict[str, list[str]]] | None = None):
        """`places` may be a generator: the tagger keeps of each place only its code and type."""
        import ahocorasick

        self.types: dict[str, str] = {}  # code -> type: all the rules need of a place
        self.common_words = frozenset(common_words)
        general: dict[str, list[str]] = {}  # folded name -> the codes it names in every site's stories
        local: dict[str, dict[str, list[str]]] = {}  # folded name -> site -> the codes it names there

        def add(name: str, code: str) -> None:
            key = normal(name)
            if len(key) >= 3:
                codes = general.setdefault(key, [])
                if code not in codes:
                    codes.append(code)

        for place in places:
            self.types[place.code] = sys.intern(place.type)
            add(place.name, place.code)
            for variant in variants(place):
                add(variant, place.code)
        for code, names in aliases.items():
            if code in self.types:
                for name in names:
                    add(name, code)
        for site, site_aliases in (extra or {}).items():
            for code, names in site_aliases.items():
                for name in names if code in self.types else ():
                    key = normal(name)
                    if code not in general.get(key, ()):
                        local.setdefault(key, {}).setdefault(site, []).append(code)
        # Keys are whole words, a space either side: the text (folded, a space before and after) matches
        # a name only where it stands whole, never "men" of "mengatakan"; iter() gives overlapping ones.
        # A key's value: (length, the codes it names, those of each site whose local name it is too).
        automaton = ahocorasick.Automaton()
        for key in general.keys() | local.keys():
            codes = tuple(general.get(key, ()))
            sites = {site: codes + tuple(more) for site, more in local[key].items()} if key in local else None
            automaton.add_word(f" {key} ", (len(key), codes, sites))
        for name in not_places:
            key = normal(name)
            if key not in general and key not in local:
                automaton.add_word(f" {key} ", (len(key), (), None))  # no candidates: hides what it holds
        automaton.make_automaton()
        self.automaton = automaton
        self.keys = len(general.keys() | local.keys())

    # what a name is ------------------------------------------------------------------------------
    def is_common(self, key: str) -> bool:
        """A name that is also ordinary words: one dictionary word ("Baru", "Padang", "Betara"), or two
        with no compass word ("Batu Bara", "Makmur Jaya"); "Tanjung Jabung Barat" is a name."""
        words = [w for w in key.split() if w not in _TYPE_WORDS]
        if not words:  # a name that is only a type word: kecamatan "Kota"
            return True
        if key.split(" ", 1)[0] in _TYPE_WORDS:  # the official "Kabupaten Empat Lawang" says what it is
            return False
        if len(words) > 2 or len(words) == 2 and any(w in _DIRECTIONS for w in words):
            return False
        return all(w in self.common_words or w.isdigit() for w in words)

    def matches(self, text: str, site: str | None = None, folded: str | None = None
                ) -> list[tuple[int, int, tuple[str, ...]]]:
        """(start, end, candidate codes) of the names in `text`: whole words, written capitalised,
        leftmost-longest (Tanjung Jabung Barat, not Tanjung), not inside a name that is no place."""
        folded = folded or " " + fold(text) + " "
        found = []
        for last, (length, codes, local) in self.automaton.iter(folded):
            end = last - 1  # the trailing space is folded[last], so the name ends at text[end - 1]
            start = end - length  # the folded copy's index i is the text's i - 1
            if text[start].islower():  # written small: a word, not a name
                continue
            if length > 4 and " " in folded[start + 1:end] and _LOWER_WORD.search(text, start, end):
                continue  # Tanjab barat: every word of a name is capitalised
            if local:
                codes = local.get(site, codes)
            if not codes and local is not None:
                continue  # another site's local name
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
        dateline_start, dateline_end, prefix = 0, -1, ""
        if dateline:  # where the story opens with it: "JAMBIUPDATE.CO, MUARA BULIAN –" holds it too
            at = _word_at(body[:160].lower(), dateline.lower())
            if at >= 0:
                dateline_start, dateline_end = at, at + len(dateline)
            else:  # a dateline the body does not open with is tagged as if it did, at position 0
                prefix = dateline + ".\n"
                dateline_end = len(dateline)
        text = prefix + body
        home = tuple(home)
        folded = " " + fold(text) + " "
        words = _Words(text, folded)
        found = []
        for start, end, codes in self.matches(text, site, folded):
            in_dateline = dateline_start <= start < dateline_end
            key = " ".join(folded[start + 1:end + 1].split())
            common = self.is_common(key)
            if common and not in_dateline and _SENTENCE_START.search(text, max(0, start - 4), start):
                continue  # "Dalam", "Baru-baru ini" opening a sentence: a word, capitalised for its place
            found.append(self._match(words, start, end, key, codes, in_dateline, common))
        self._carry_markers(text, found)
        # One sense per story: a name read as a river, street, firm or person once is one everywhere in
        # it unless a marker says otherwise (Sungai Batanghari … "menjaga Batanghari").
        not_places = {m.key for m in found if m.not_place == "sense"}
        for match in found:
            if match.key in not_places and not match.marker:
                match.not_place = "sense"
        starts = frozenset(m.start for m in found)
        # A name of one province or regency only, and no common word, stands whatever else the story
        # names: it is decided once, and supports the others in the second pass.
        settled = [m for m in found if len(m.codes) == 1 and not m.common and not m.not_place
                   and m.codes[0].count(".") < 2 and (not m.marker or self.types[m.codes[0]] in m.marker[0]
                                                      or not m.marker[1])]
        for match in settled:
            match.chosen = match.codes[0]
        pending = [m for m in found if m.chosen is None]
        anchors: dict[str, int] = {}
        for match in settled:
            anchors[match.chosen] = anchors.get(match.chosen, 0) + 1
        accepted: list[_Match] = []
        for _ in range(2):  # a second pass lets the places found support each other
            below: dict[str, int] = {}  # for each place, how many of the places found are under it
            for code in anchors:
                for area in ancestors(code):
                    below[area] = below.get(area, 0) + 1
            for match in pending:
                match.chosen, match.support = self._choose(match, home, anchors, below)
            accepted = [m for m in pending if m.chosen and self._accept(m, words, starts)]
            anchors = {}
            for match in settled + accepted:
                anchors[match.chosen] = anchors.get(match.chosen, 0) + 1
            if not pending:
                break
        accepted = sorted(settled + accepted, key=lambda m: m.start)
        mentions: dict[str, list] = {}
        for match in accepted:
            position = max(0, match.start - len(prefix))
            entry = mentions.setdefault(match.chosen, [0, position, False])
            entry[0] += 1
            entry[2] = entry[2] or match.dateline
        return [Mention(code, n, first, in_dateline) for code, (n, first, in_dateline) in
                sorted(mentions.items(), key=lambda kv: kv[1][1])]

    # the rules -----------------------------------------------------------------------------------
    def _match(self, words: _Words, start: int, end: int, key: str, codes: tuple[str, ...], in_dateline: bool,
               common: bool) -> _Match:
        """A name with what the words around it say: its marker, a locative word, or that it is no place."""
        text = words.text
        before = words.before(start)
        previous = before[0].lower() if before else None
        marker = None
        if before:
            two = words.before(before[1])
            marker = (_MARKERS.get(f"{two[0].lower()} {previous}") if two else None) or _MARKERS.get(previous)
        not_place = "sense" if _AGE.match(text, end) else None  # Rusdi (52): a person and their age
        # Jalan Bandar Olo, Sungai Batanghari, alias Glok; PT Kaltim Elektrik Power, Persib Bandung
        for word in words.capitalised_before(start):
            if word in _NOT_BEFORE:
                not_place = "name" if word in _NAMES_OF else "sense"
            elif _CLUB.match(word):
                not_place = "name"
        return _Match(start, end, key, codes, marker, previous in _LOCATIVE, in_dateline, common, not_place)

    def _carry_markers(self, text: str, found: list[_Match]) -> None:
        """A marker covers the list it opens: "Desa Lubuk Terap, Pulau Pauh dan Merlung"."""
        for previous, match in zip(found, found[1:]):
            if match.marker is None and previous.marker is not None:
                between = text[previous.end:match.start]
                if re.fullmatch(r"[ \t]*(?:,[ \t]*)?(?:(?:dan|serta|atau)[ \t]+)?", between):
                    match.marker = (previous.marker[0], False)  # carried: a preference only

    def _choose(self, match: _Match, home: tuple[str, ...], anchors: dict[str, int], below: dict[str, int]
                ) -> tuple[str | None, int]:
        """The candidate the context supports best, and its support; None when nothing tells them apart.

        Support: 4 under a kecamatan the story names, 3 under its kabupaten, 2 above a place it names or
        in the outlet's home kabupaten, 1 in a province it names or the outlet's home province."""
        codes = match.codes
        if match.marker:
            types = match.marker[0]
            preferred = [c for c in codes if self.types[c] in types]
            if not preferred:
                fallback = {_SAME_LEVEL[t] for t in types if t in _SAME_LEVEL}
                preferred = [c for c in codes if self.types[c] in fallback]
            if preferred or match.marker[1]:
                codes = tuple(preferred)
        if not codes:
            return None, 0
        if match.dateline and len(codes) > 1:  # a dateline names a town: Kota Jambi, not Provinsi Jambi
            provinces = {c[:2] for c in codes if self.types[c] == "kota"}
            codes = tuple(c for c in codes if c not in provinces)
        if not match.marker:  # a bare name is the larger of two nested areas: Merlung the kecamatan
            held = set(codes)
            codes = tuple(c for c in codes if not any(a in held for a in ancestors(c)))
        own = match.chosen if match.chosen and anchors.get(match.chosen, 0) <= 1 else None
        scored = []
        for code in codes:
            support = 0
            for area in home:  # the outlet's own kabupaten, else its province
                support = max(support, 2 if within(code, area) and "." in area else 1 if within(code, area[:2])
                              else 0)
            for area in ancestors(code):  # a place the story names above this one
                if area in anchors and area != own:
                    support = max(support, _ANCHORED[area.count(".")])
            if below.get(code, 0) - (1 if own and within(own, code) else 0) > 0:  # or under it
                support = max(support, 2)
            scored.append((support, -level_of(code), code))
        scored.sort(reverse=True)
        best = scored[0]
        if len(scored) > 1 and scored[1][:2] == best[:2]:
            return None, 0  # as good as another: no telling which
        return best[2], best[0]

    def _accept(self, match: _Match, words: _Words, starts: frozenset = frozenset()) -> bool:
        """Whether the chosen place may stand. No street, river, firm, club or person. A kecamatan needs
        support (its kabupaten, the home area), a marker naming the only one of that name, or a locative
        word before the only place of that name; a desa needs its kecamatan or kabupaten named, the home
        kabupaten, or a marker naming the only one. A name that is also a common word needs a marker, a
        locative word, the dateline or the home area, no capitalised word beside it making it part of
        another name, and not to open a sentence (`tag` drops those). A desa or kecamatan followed by a
        capitalised word is the start of another name
        ("Kelurahan Parit" of Parit Culum)."""
        if match.not_place:
            return False
        kind, level = self.types[match.chosen], level_of(match.chosen)
        marked = bool(match.marker and kind in match.marker[0] | {_SAME_LEVEL.get(t) for t in match.marker[0]})
        if match.common:
            if not marked and _name_neighbour(words, match.start, match.end):
                return False
            if not (marked or match.locative or match.dateline or match.support >= 2):
                return False
        if level >= 3 and not match.dateline and _continues(words, match.end, starts):
            return False
        if level == 4:
            return match.support >= 2 or marked and self._only(match, level)
        if level == 3:
            return match.support >= 1 or (marked or match.locative) and self._only(match, level)
        return True

    def _only(self, match: _Match, level: int) -> bool:
        """The name is that of no other place of the same level."""
        return sum(1 for c in match.codes if c.count(".") == level - 1) == 1


_SENTENCE_START = re.compile(r"(?:^|[.!?\n\"“‘(]|[.!?][\"”’])\s*$")
_AGE = re.compile(r"\s*\(\d{1,3}\)")


def _word_at(text: str, word: str) -> int:
    """Where `word` stands as a whole word in `text`, or -1."""
    at = text.find(word)
    while at >= 0:
        if (at == 0 or not text[at - 1].isalnum()) and not text[at + len(word):at + len(word) + 1].isalnum():
            return at
        at = text.find(word, at + 1)
    return -1


class _Words:
    """Reads the words around a name: the text and its folded copy (`fold`, one space before), where a
    word is a run of characters other than spaces."""

    def __init__(self, text: str, folded: str):
        self.text, self.folded = text, folded

    def before(self, position: int) -> tuple[str, int] | None:
        """The word right before `position` in the same clause (spaces, an abbreviation's dot or a hyphen
        between: "Kec. Betara", "se-Provinsi"), and where it starts."""
        text, end = self.text, position
        while end > 0 and text[end - 1] in " \t":
            end -= 1
        if end == position and not (end > 0 and text[end - 1] == "-"):
            return None
        dot = end > 0 and text[end - 1] == "."
        if dot or end > 0 and text[end - 1] == "-" and end == position:
            end -= 1
        start = self.folded.rfind(" ", 0, end + 1)  # the folded copy's index i is the text's i - 1
        if start >= end or end == 0 or self.folded[end] == " ":
            return None
        word = text[start:end]
        if dot and word.lower() not in _ABBREVIATIONS:
            return None
        return word, start

    def after(self, position: int) -> tuple[str, int] | None:
        """The word right after `position`, spaces between, and where it starts."""
        text, start = self.text, position
        while start < len(text) and text[start] in " \t":
            start += 1
        if start == position or start >= len(text) or self.folded[start + 1] == " ":
            return None
        end = self.folded.find(" ", start + 1) - 1
        return text[start:end], start

    def capitalised_before(self, position: int, most: int = 4) -> list[str]:
        """The capitalised words leading to a name, nearest first, and the word before them (lower-cased):
        "bandar jalan" of "Jalan Bandar Olo", "pt" of "PT Kaltim", "persegres" of "Persegres Gresik"."""
        words = []
        for _ in range(most):
            found = self.before(position)
            if found is None:
                break
            words.append(found[0].lower())
            if not found[0][:1].isupper():
                break
            position = found[1]
        return words


def _name_neighbour(words: _Words, start: int, end: int) -> bool:
    """A capitalised word right before or after the match, in the same sentence: Masjid Agung, Yulia Sari."""
    return any(found and _NAME_WORD.fullmatch(found[0]) and found[0].lower() not in _MARKERS
               and found[0].lower() not in _MAY_FOLLOW and found[0].lower() not in _LOCATIVE
               for found in (words.before(start), words.after(end)))


def _continues(words: _Words, end: int, starts: frozenset = frozenset()) -> bool:
    """A capitalised word right after a name, not a marker, a day, a month or another place: the name
    goes on."""
    found = words.after(end)
    return bool(found and found[0][:1].isupper() and found[1] not in starts and found[0].lower() not in _MARKERS
                and found[0].lower() not in _MAY_FOLLOW and not found[0].isupper())


