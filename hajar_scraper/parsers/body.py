"""The story itself: the content fragment cleaned with BeautifulSoup into text, safe HTML and images."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import nh3
from bs4 import BeautifulSoup, NavigableString, Tag

from hajar_scraper.record import normalise_text

ALLOWED_TAGS = {"p", "a", "strong", "em", "blockquote", "ul", "ol", "li", "h2", "h3", "h4",
                "figure", "img", "figcaption"}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
TEXT_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre")

_READ_ALSO = re.compile(r"^\W*(baca|simak|lihat)\s+(juga|pula)\b", re.I)
_EDITOR = re.compile(r"^\W*(editor|penyunting|redaktur)\s*:\s*(?P<name>.+?)\W*$", re.I)
_CREDIT = re.compile(r"\s*\(?\s*(?:foto|photo|sumber foto|dok\.?|ilustrasi)\s*[:.]\s*(?P<credit>[^()]+?)\s*\)?\s*$", re.I)
_SIGNATURE = re.compile(r"\s*\((?P<code>[A-Za-z*/.\- ]{1,15})\)\s*$")
KNOWN_SIGNATURES = {"rls", "ant", "adv", "red", "release", "hms", "ist", "tim", "inf", "hum"}


@dataclass
class Body:
    """The cleaned story and what was taken out of it on purpose."""

    text: str = ""
    html: str = ""
    images: list[dict] = field(default_factory=list)
    dateline: str | None = None
    signature: str | None = None
    editor: str | None = None


def clean_body(fragment: str, page_url: str, drop: str, outlet_names=()) -> Body:
    """Drop noise, lift captions, editor line and signature out, keep the story's paragraphs."""
    soup = BeautifulSoup(fragment, "lxml")
    for node in soup.select(drop):
        node.decompose()
    body = Body(images=_figures(soup, page_url))
    blocks = [b for b in soup.find_all(TEXT_BLOCKS) if not b.find(TEXT_BLOCKS) and not b.find_parent("figure")]
    paragraphs = []
    for block in blocks:
        text = _text(block)
        if not text or _READ_ALSO.match(text):
            block.decompose()
            continue
        editor = _EDITOR.match(text)
        if editor and len(text) < 80:
            body.editor = body.editor or editor["name"]
            block.decompose()
            continue
        paragraphs.append((block, text))
    if paragraphs:
        body.signature = _take_signature(paragraphs)
    body.text = "\n\n".join(text for _, text in paragraphs)
    body.dateline = dateline(body.text, outlet_names)
    for img in soup.find_all("img"):
        if not img.get("src"):
            img.decompose()
    root = soup.body or soup
    body.html = re.sub(r"\n\s*\n+", "\n", nh3.clean(root.decode_contents(), tags=ALLOWED_TAGS,
                                                     attributes=ALLOWED_ATTRIBUTES)).strip()
    return body


def _text(node: Tag) -> str:
    """Visible text of one block: source newlines are spaces, `<br>` is a line break."""
    pieces = []
    for piece in node.descendants:
        if isinstance(piece, NavigableString):
            pieces.append(str(piece).replace("\n", " "))
        elif piece.name == "br":
            pieces.append("\n")
    return "\n".join(filter(None, map(normalise_text, "".join(pieces).split("\n"))))


def _take_signature(paragraphs: list) -> str | None:
    """The closing code `(OD/*)`, as its own last paragraph or at the end of the last one."""
    block, text = paragraphs[-1]
    match = _SIGNATURE.search(text)
    if not match or not _is_signature(match["code"]):
        return None
    rest = text[: match.start()].strip()
    if rest:
        paragraphs[-1] = (block, rest)
        for string in reversed(list(block.find_all(string=True))):
            if _SIGNATURE.search(string):
                string.replace_with(_SIGNATURE.sub("", string))
                break
    else:
        paragraphs.pop()
        block.decompose()
    return match["code"].strip()


def _is_signature(code: str) -> bool:
    code = code.strip()
    return "/" in code or "*" in code or code.lower() in KNOWN_SIGNATURES


_DATELINE = re.compile(
    r"^(?P<place>[A-Z][\w'’.]*(?:[ -][A-Z][\w'’.]*){0,3})\s*"
    r"(?:,\s*(?P<outlet>[\w.]+(?: [\w.]+)?)|\((?P<agency>[\w. ]+)\))\s*[-–—]+\s"
)


def dateline(text: str, outlet_names=()) -> str | None:
    """The place in `Kualatungkal, Hajarnews.com –` or `Jambi (ANTARA) -`, when an outlet follows it."""
    match = _DATELINE.match(text)
    if not match:
        return None
    outlet = (match["outlet"] or match["agency"] or "").strip()
    known = {name.lower() for name in outlet_names}
    if outlet.lower() not in known and "." not in outlet and not outlet.isupper():
        return None
    place = match["place"].strip()
    return place.title() if place.isupper() else place


def _figures(soup: BeautifulSoup, page_url: str) -> list[dict]:
    """Images of the story with caption and credit; lazy-load placeholders resolved."""
    found = []
    for img in soup.find_all("img"):
        src = next((img.get(a) for a in ("data-src", "data-lazy-src", "data-original", "src")
                    if img.get(a) and not img.get(a).startswith("data:")), None)
        if not src:
            continue
        img["src"] = urljoin(page_url, src.strip())
        holder = img.find_parent(["figure"]) or img.find_parent(class_="wp-caption")
        caption_node = holder.find(["figcaption"]) or holder.find(class_="wp-caption-text") if holder else None
        caption, credit = split_credit(normalise_text(caption_node.get_text(" ")) if caption_node else "")
        if caption_node is not None and caption_node.name != "figcaption":
            caption_node.name = "figcaption"
        found.append({"url": img["src"], "caption": caption, "credit": credit})
    for link in soup.find_all("a", href=True):
        link["href"] = urljoin(page_url, link["href"].strip())
    return found


def split_credit(caption: str) -> tuple[str | None, str | None]:
    """`Caption text. (Foto: Hajarnews)` → (`Caption text.`, `Hajarnews`)."""
    if not caption:
        return None, None
    match = _CREDIT.search(caption)
    if not match:
        return caption, None
    return caption[: match.start()].strip() or None, match["credit"].strip()
