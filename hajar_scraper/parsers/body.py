"""The story itself: the content fragment cleaned with BeautifulSoup into text, safe HTML and images."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin

import lxml.html
from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.dammit import EntitySubstitution
from bs4.formatter import HTMLFormatter

from hajar_scraper import dates
from hajar_scraper.parsers import bylines
from hajar_scraper.parsers.corrections import correction, is_correction
from hajar_scraper.parsers.pruning import AD_LABEL, prune
from hajar_scraper.parsers.selectors import drop
from hajar_scraper.record import normalise_text
from hajar_scraper.sanitise import sanitise
from hajar_scraper.urls import absolute_url

TEXT_BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre"})
_EMPTY_WHEN_BARE = frozenset({"figure", "blockquote", "ul", "ol", "li", "div", "section", "p", "h2", "h3", "h4", "a",
                              "strong", "em"})
_CONTAINERS = frozenset({"div", "section", "article", "td", "center", "main"})
_INLINE_HOLDERS = frozenset({"span", "font"})  # old themes pour the whole story into one, split by `<br>`s
_IMG, _AMP_IMG, _A, _BLOCKQUOTE = (frozenset({name}) for name in ("img", "amp-img", "a", "blockquote"))
# A block holding a picture and its caption (`wp-caption`, `div.foto`, `div.read__photo`), and the caption in it
# (`wp-caption-text`, `span.keterangan`, `span.read__caption`): class words as themes write them.
PHOTO_HOLDER = re.compile(r"caption|photo|image|img|foto|figure|media|thumb|pic", re.I)
CAPTION_CLASS = re.compile(r"caption|keterangan|ket-foto|legend", re.I)
_TWEET = frozenset({"twitter-tweet"})
_ROW = frozenset({"tr"})
_NESTING = frozenset({"li", "blockquote"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
INLINE = {"a", "strong", "b", "em", "i", "span", "u", "sup", "sub", "br", "small", "mark", "abbr", "time", "font"}

_NOT_ALNUM = re.compile(r"\W|_")
_READ_ALSO = re.compile(r"^\W*(baca|simak|lihat)\s+(juga|pula)\b|^\W*berita\s+terkait\s*(?::|$)"
                        r"|^\W*(?:read|see)\s+(?:also|more)\s*:", re.I)
# A page's counters in its meta line: `Dibaca: 512 kali`, `1.234 views`.
_COUNTER = re.compile(r"^\W*(?:dibaca|views?|read|dilihat)\W*[\d.,]+\s*(?:kali|times)?\W*$|^[\d.,]+\s*(?:views|kali dibaca)$",
                      re.I)
# Calls to follow the outlet elsewhere, syndication notes and ad labels: never part of the story.
_PROMO = re.compile(
    r"^\W*(?:ikuti|dapatkan|gabung|bergabung|follow|klik|simak)\b.{0,120}"
    r"(?:google news|telegram|whatsapp|instagram|youtube|channel|saluran|berita terkini|update berita)"
    r"|^\W*baca berita .{0,60} lainnya di\b|^\W*artikel ini telah tayang di\b|^\W*copyright\b|^\W*©"
    r"|^\W*scroll to continue with content\W*$|^\W*ikuti perkembangan berita\b"
    # a credit line on its own: `Sumber: Antara`, `Foto: Dok. Humas`
    r"|^\W*(?:sumber|source|foto|fotografer|photo|video|grafis|infografis)\s*:\s*\S.{0,60}$",
    re.I,
)
MAX_NOISE_CHARS = 250  # a longer paragraph opening "Lihat juga" or "Dapatkan … WhatsApp" is the story's own
_CREDIT = re.compile(r"\s*\(?\s*(?:foto|photo|sumber foto|dok\.?|ilustrasi)\s*[:.]\s*(?P<credit>[^()]+?)\s*\)?\s*$"
                     r"|\s*\(\s*(?P<agency>(?:ANTARA|ANTARA FOTO|HO)\s*/[^()]+?)\s*\)\s*$", re.I)


@dataclass
class Body:
    """The cleaned story and what was taken out of it on purpose."""

    text: str = ""
    html: str = ""
    images: list[dict] = field(default_factory=list)
    dateline: str | None = None
    signature: str | None = None
    byline: bylines.Byline = field(default_factory=bylines.Byline)
    corrections: list[dict] = field(default_factory=list)


def clean_body(fragment, page_url: str, profile, now: datetime | None = None, tz=None,
               title: str | None = None) -> Body:
    """Drop noise; lift captions, bylines, notes and signature out; keep the story's paragraphs.

    `fragment` is the story's HTML, or its blocks on the page's lxml tree (left untouched).
    `tz` is the zone the page's times are read in (default: the profile's); `title` is the headline,
    which an older theme prints inside the story's block.
    """
    headline = _key(title) if title else None
    soup = BeautifulSoup(_without_noise(fragment, profile.selectors["drop"]), "lxml")
    for amp in _tags(soup, _AMP_IMG):
        amp.name = "img"
    _reduce_tweets(soup)
    root = next((d for d in soup.descendants if d.name == "body"), soup)
    _label_rows(soup)
    for holder in _tags(root, _INLINE_HOLDERS):
        if any(c.name == "br" for c in holder.children) and not any(p.name in TEXT_BLOCKS for p in holder.parents):
            holder.name = "div"
    for container in _tags(root, _CONTAINERS):
        _wrap_loose_text(soup, container)
    for item in _tags(root, _NESTING):  # a bullet point with a list under it keeps its own words
        if _has(item, TEXT_BLOCKS):
            _wrap_loose_text(soup, item)
    body = Body(images=_figures(soup, page_url))
    paragraphs = []
    gone: set[int] = set()  # blocks that went with a "Baca Juga" list
    for block in _blocks(soup):
        if id(block) in gone:
            continue
        text = _text(block)
        if not text:
            if not _has(block, _IMG):
                block.decompose()
            continue
        if _is_noise(text):
            gone.update(_drop_read_also(block, text))
            continue
        if is_correction(text):
            body.corrections.append(correction(text, tz or profile.timezone, now))
            block.decompose()
            continue
        if headline and _key(text) == headline:  # the headline printed again inside the story's block
            block.decompose()
            continue
        parts = [part.strip() for part in bylines.META_SEPARATOR.split(text) if part.strip()]
        if all(bylines.is_byline_line(part) or bylines.is_author_note(part) or _is_noise(part)
               or dates.is_date_line(part) or _COUNTER.match(part) for part in parts):
            for part in parts:  # `Selasa, 25 Mei 2021 - 16:42 WIB | Penulis: Oddy Pratama`: the page's meta line
                if bylines.is_byline_line(part):
                    bylines.read_byline(part, body.byline)
            block.decompose()
            continue
        paragraphs.append((block, text))
    while paragraphs and (paragraphs[-1][0].name in _HEADINGS or paragraphs[-1][1].endswith(":")):
        paragraphs.pop()[0].decompose()  # a heading left over from a box the cleaning took ("News Feed")
    if paragraphs:
        body.signature = _take_signature(paragraphs, profile.signature_patterns)
    body.text = "\n\n".join(text for _, text in paragraphs)
    body.dateline = bylines.dateline(body.text, profile.outlet_names) if body.text else None
    for img in _tags(soup, _IMG):
        if not img.get("src"):
            img.decompose()
    for node in reversed(_tags(root, _EMPTY_WHEN_BARE)):  # innermost first: an embed's figure left empty
        if not node.get_text(strip=True) and not _has(node, _IMG):
            node.decompose()
    html = sanitise(root.decode_contents(formatter=_MINIMAL))
    body.html = re.sub(r"\n\s*\n+", "\n", re.sub(r"<p>\s*</p>", "", html)).strip()
    return body


class _MinimalFormatter(HTMLFormatter):
    """bs4's "minimal" formatter without the import its `substitute` runs for every string (a third of decoding)."""

    def substitute(self, ns: str) -> str:
        if isinstance(ns, NavigableString) and ns.parent is not None and ns.parent.name in self.cdata_containing_tags:
            return ns
        return self.entity_substitution(ns)


_MINIMAL = _MinimalFormatter(entity_substitution=EntitySubstitution.substitute_xml)


def _without_noise(fragment, selector: str) -> str:
    """Ads, share bars and related lists cut on lxml, where a long selector list matches 30× faster than soupsieve."""
    if isinstance(fragment, str):
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    else:  # nodes of the page: copied, which costs a fraction of writing them out and parsing them again
        root = lxml.html.Element("div")
        for node in fragment if isinstance(fragment, list) else [fragment]:
            root.append(copy.deepcopy(node))
    drop(root, selector)
    prune(root)
    return lxml.html.tostring(root, encoding="unicode")


def _key(text: str) -> str:
    return _NOT_ALNUM.sub("", text.casefold())


def _is_noise(text: str) -> bool:
    return len(text) < MAX_NOISE_CHARS and bool(_READ_ALSO.match(text) or _PROMO.match(text) or AD_LABEL.match(text))


def _tags(node, names: frozenset[str]) -> list[Tag]:
    """Descendants named `names`, in document order; bs4's `find_all` builds a filter each call, dearer than this."""
    return [d for d in node.descendants if d.name in names]


def _has(node, names: frozenset[str]) -> bool:
    return any(d.name in names for d in node.descendants)


def _has_class(tag, classes: frozenset[str]) -> bool:
    """bs4's `class_=` test: one of the tag's class words is one of `classes`."""
    value = tag.get("class") if isinstance(tag, Tag) else None
    if value is None:
        return False
    values = value if isinstance(value, list) else [value]
    return any(v in classes for v in values) or len(values) != 1 and " ".join(values) in classes


def _blocks(soup) -> list[Tag]:
    """The innermost text blocks outside figures."""
    return [b for b in _tags(soup, TEXT_BLOCKS)
            if not _has(b, TEXT_BLOCKS) and not any(p.name == "figure" for p in b.parents)]


def _text(node: Tag) -> str:
    """Visible text of one block: source newlines are spaces, `<br>` is a line break."""
    pieces = []
    for piece in node.descendants:
        if isinstance(piece, NavigableString):
            pieces.append(str(piece).replace("\n", " "))
        elif piece.name == "br":
            pieces.append("\n")
    return "\n".join(filter(None, map(normalise_text, "".join(pieces).split("\n"))))


def _drop_read_also(block: Tag, text: str) -> list[int]:
    """A bare "Baca Juga:" heading takes the list of links under it along; the ids of what went with it."""
    gone = []
    if re.fullmatch(r"\W*(baca|simak|lihat)\s+(juga|pula)\W*|\W*berita\s+terkait\W*", text, re.I):
        following = block.find_next_sibling()
        if following is not None and following.name in ("ul", "ol"):
            gone = [id(node) for node in following.descendants]
            following.decompose()
    block.decompose()
    return gone


def _reduce_tweets(soup: BeautifulSoup) -> None:
    """An embedded tweet keeps only what it says (no pic.twitter links, no attribution); empty ones go."""
    for quote in [q for q in _tags(soup, _BLOCKQUOTE) if _has_class(q, _TWEET)]:
        said = quote.find("p")
        if said is not None:
            for link in said.find_all("a"):
                if link.get_text().startswith(("pic.twitter.com", "https://t.co", "http://t.co")):
                    link.decompose()
        text = normalise_text(said.get_text(" ")) if said is not None else ""
        if not text:
            quote.decompose()
            continue
        quote.clear()
        quote.attrs = {}
        paragraph = soup.new_tag("p")
        paragraph.string = text
        quote.append(paragraph)


def _wrap_loose_text(soup: BeautifulSoup, container: Tag) -> None:
    """Old CMSs write the story as text split by `<br><br>`: give each run its own `<p>`."""
    if not any(isinstance(c, NavigableString) and c.strip() for c in container.children):
        return
    runs, current = [], []
    for child in list(container.children):
        if isinstance(child, Tag) and child.name == "br" or isinstance(child, Tag) and child.name not in INLINE:
            runs.append(current)
            current = []
            if child.name == "br":
                child.decompose()
        else:
            current.append(child)
    runs.append(current)
    for run in runs:
        while run and isinstance(run[0], NavigableString) and not run[0].strip():
            run.pop(0)
        while run and isinstance(run[-1], NavigableString) and not run[-1].strip():
            run.pop()
        if not run:
            continue
        paragraph = soup.new_tag("p")
        run[0].insert_before(paragraph)
        paragraph.insert_after("\n")
        for node in run:
            paragraph.append(node.extract())
        first, last = paragraph.contents[0], paragraph.contents[-1]
        if isinstance(first, NavigableString):
            first.replace_with(first.lstrip() if first is not last else first.strip())
        if isinstance(last, NavigableString) and last is not first:
            last.replace_with(last.rstrip())


def _label_rows(soup: BeautifulSoup) -> None:
    """A credits table (`<td>Penulis</td><td>: Anju</td>`, Kompas): each row one line, as a byline reads it."""
    for row in _tags(soup, _ROW):
        cells = [c for c in row.children if isinstance(c, Tag) and c.name in ("td", "th")]
        if len(cells) == 2:
            label, value = (normalise_text(c.get_text(" ")) for c in cells)
            if label and len(label) <= 20 and (label.endswith(":") or value.startswith(":")):
                line = soup.new_tag("p")
                line.string = f"{label.rstrip(':').strip()}: {value.lstrip(':').strip()}"
                row.replace_with(line)


def _take_signature(paragraphs: list, patterns) -> str | None:
    """The closing code `(OD/*)`, as its own last paragraph or at the end of the last one."""
    block, text = paragraphs[-1]
    match = bylines.find_signature(text, patterns, whole_line=text.startswith(("(", "[")))
    if not match:
        return None
    rest = text[: match.start()].strip()
    if rest:
        paragraphs[-1] = (block, rest)
        for string in reversed(list(block.find_all(string=True))):
            if bylines.SIGNATURE_AT_END.search(string):
                string.replace_with(bylines.SIGNATURE_AT_END.sub("", string))
                break
    else:
        paragraphs.pop()
        block.decompose()
    return match["code"].strip()


def _figures(soup: BeautifulSoup, page_url: str) -> list[dict]:
    """Images of the story with caption and credit; lazy-load placeholders resolved."""
    found = []
    for img in _tags(soup, _IMG):
        src = next((img.get(a) for a in ("data-src", "data-lazy-src", "data-original", "src")
                    if img.get(a) and not img.get(a).startswith("data:")), None)
        src = absolute_url(src.strip(), base=page_url) if src else None
        if not src:  # no picture, or an address that cannot be one: the image goes, the story stays
            img.decompose()
            continue
        img["src"] = src
        if img.parent.name == "a" and not img.parent.get_text(strip=True):  # a lightbox link, not the story's
            img.parent.unwrap()
        holder = (next((p for p in img.parents if p.name == "figure"), None)
                  or next((p for i, p in enumerate(img.parents) if i < 3 and _class_like(p, PHOTO_HOLDER)), None))
        caption_node = _caption_node(holder) if holder else None
        caption, credit = split_credit(normalise_text(caption_node.get_text(" ")) if caption_node else "")
        if caption_node is not None and caption_node.name != "figcaption":
            caption_node.name = "figcaption"
        if holder is not None and holder.name != "figure":  # `[caption]` shortcode markup is a figure
            holder.name, holder.attrs = "figure", {}
        found.append({"url": img["src"], "caption": caption, "credit": credit})
    for link in [a for a in _tags(soup, _A) if a.get("href") is not None]:
        try:
            link["href"] = urljoin(page_url, link["href"].strip())
        except ValueError:
            del link["href"]
    return found


def _caption_node(holder: Tag):
    return (next((d for d in holder.descendants if d.name == "figcaption"), None)
            or next((d for d in holder.descendants if _class_like(d, CAPTION_CLASS)), None))


def _class_like(tag, words: re.Pattern) -> bool:
    """One of the tag's class words reads as `words`."""
    value = tag.get("class") if isinstance(tag, Tag) else None
    return bool(value) and any(words.search(v) for v in (value if isinstance(value, list) else [value]))


def split_credit(caption: str) -> tuple[str | None, str | None]:
    """`Caption text. (Foto: Hajarnews)` → (`Caption text.`, `Hajarnews`)."""
    if not caption:
        return None, None
    match = _CREDIT.search(caption)
    if not match:
        return caption, None
    return caption[: match.start()].strip() or None, (match["credit"] or match["agency"]).strip()
