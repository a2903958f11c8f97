"""HTML in, record out: each field from the first source that has it, JSON-LD → meta → theme → text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit
from datetime import datetime
from functools import lru_cache

import lxml.html
from lxml import etree
from lxml.etree import ParserError

from hajar_scraper.parsers import bylines, nearby
from hajar_scraper.parsers import structured as sd
from hajar_scraper.parsers.body import CAPTION_CLASS, PHOTO_HOLDER, clean_body, split_credit
from hajar_scraper.parsers.main_content import MIN_PARAGRAPH, MIN_STORY_CHARS, find_main_content, teaser_count
from hajar_scraper.parsers.selectors import Scope, select
from hajar_scraper.parsers.timestamps import (DEFAULT_ZONE, MODIFIED_META, PUBLISHED_META, choose_time, machine_time,
                                              page_zone, printed_date, visible_time)
from hajar_scraper.parsers.titles import choose_title, site_names
from hajar_scraper.record import (BadPage, MissingField, NotAnArticle, NotFoundPage, content_hash, normalise_text,
                                  validate)
from hajar_scraper.sites import SiteProfile
from hajar_scraper.urls import absolute_url, canonical_url, same_site, url_date

PARSER_VERSION = "3"
MAX_HTML_CHARS = 8_000_000
_HTML_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)


_FULL_DOCUMENT = re.compile(r"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html)[\s>]", re.I | re.S)
# Control characters are no text, and lxml refuses them in any node (a Word paste's \x0b). Deleted from the
# UTF-8 bytes: ASCII bytes are never part of another character there, and bytes.translate is 5× a regex.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_NONCHARACTERS = ("\ufffe".encode(), "\uffff".encode())
# A page has reached its end when its tail closes the document or holds the footer (some themes never
# write `</html>`). Matched without lowering the tail (slow on non-ASCII text): only ASCII capitals vary.
_PAGE_END = re.compile(r"</[hH][tT][mM][lL]>|</[bB][oO][dD][yY]>|<[fF][oO][oO][tT][eE][rR][\s>]"
                       r"|(?:id|class)=[\"'][^\"']*\b[fF][oO][oO][tT][eE][rR]\b")
_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.\w+$)")
_NOT_FOUND = re.compile(r"(tidak|tak)\s+(dapat\s+)?ditemukan|not\s+found|\b404\b", re.I)


def parse_page(html: str, url: str, profile: SiteProfile, fetched_at: str | None = None,
               listed_at: str | None = None) -> dict:
    """The record of one article page, or a typed `Rejected` saying why there is none.

    `listed_at` is the publication time the discovery listing gave for this URL (news sitemap,
    REST `date_gmt`, feed `pubDate`): used only when the page itself gives none.
    """
    tree = _tree(html)
    data = sd.read_structured(tree)
    etree.strip_elements(tree, "script", "style", "template", with_tail=False)  # read; no text of the page
    prov: dict[str, str] = {}
    node = data.article or {}
    story = find_story(tree, profile)
    now = _now(fetched_at)
    tz = profile.timezone or page_zone((node.get("datePublished"),
                                        data.meta1(*PUBLISHED_META), node.get("dateModified"),
                                        data.meta1(*MODIFIED_META), *(t.get("datetime") for t in tree.iter("time")))
                                       ) or DEFAULT_ZONE
    sel = profile.selectors
    names = site_names(data, profile.outlet_names, url)
    page_titles = (("jsonld", node.get("headline") or node.get("name")),
                   ("meta", data.meta1("og:title")), ("meta", data.meta1("twitter:title")))
    title, headlines = choose_title(prov, page_titles, story.scope, tree, names, sel["title"])
    shown = visible_time(story.scope.select(sel["published"]), tz, now)  # the theme's date element
    published = choose_time(prov, "published_at", (
        ("jsonld", machine_time(node.get("datePublished"), tz)),
        ("meta", machine_time(data.meta1(*PUBLISHED_META), tz)),
        ("selector", shown),
        ("text", None if shown else printed_date(tree, [*headlines, *story.nodes[:1]], tz, now))), now, tz)
    published = published or choose_time(prov, "published_at", (
        ("text", printed_date(tree, [tree.find(".//title")], tz, now, within=True)),  # `Judul - 07.12.2017 - Situs`
        ("listing", machine_time(listed_at, tz)),
        ("url", url_date(data.canonical or "") or url_date(data.meta1("og:url") or "") or url_date(url))), now, tz)
    declared = bool(data.article) or (data.meta1("og:type") or "").lower() == "article"
    if not declared:
        _refuse_non_article(data, tree, story, published)
    elif not story.nodes:
        raise MissingField("body_text", "no content block found")

    record = {"site": profile.slug, "url": _url(data, url, prov), "title": title, "published_at": published}
    record["modified_at"] = choose_time(prov, "modified_at", (
        ("jsonld", machine_time(node.get("dateModified"), tz)),
        ("meta", machine_time(data.meta1(*MODIFIED_META), tz)),
        ("selector", visible_time(story.scope.select(sel["modified"]), tz, now))), now, tz)
    record["description"] = _pick(prov, "description",
                                  ("jsonld", lambda: _str(node.get("description"))),
                                  ("meta", lambda: data.meta1("description", "og:description", "twitter:description")))

    body = clean_body(story.nodes, record["url"], profile, now, tz, title)
    if not declared:
        _refuse_listing(data, tree, story, body.text)
    if body.text:
        prov["body_text"] = prov["body_html"] = story.source
    if next_page := _next_page(tree, story.nodes, record["url"]):
        prov["body_text_next_page"] = next_page  # a story split over pages: this record holds its first
    record.update(body_text=body.text, body_html=body.html, dateline=body.dateline, signature=body.signature,
                  corrections=body.corrections)
    scope = story.scope
    record["editor"] = _pick(prov, "editor",
                             ("jsonld", lambda: next(iter(sd.names(node.get("editor"), data)), None)),
                             ("selector", lambda: bylines.clean_name(_first_text(scope, sel["editor"]) or "")),
                             ("text", lambda: body.byline.editor))
    authors, source = bylines.choose_authors(_author_candidates(node, data, scope, sel["authors"], body, tree,
                                                                headlines),
                                             record["editor"],
                                             (*profile.outlet_names, profile.name, data.meta1("og:site_name") or ""))
    record["authors"] = authors
    if source:
        prov["authors"] = source
    record["categories"] = _pick(prov, "categories",
                                 ("jsonld", lambda: sd.keywords(node.get("articleSection"))),
                                 ("meta", lambda: data.meta.get("article:section", [])),
                                 ("selector", lambda: _texts(scope, sel["categories"]))) or []
    record["tags"] = _pick(prov, "tags",
                           ("jsonld", lambda: sd.keywords(node.get("keywords"))),
                           ("meta", lambda: data.meta.get("article:tag", [])),
                           ("selector", lambda: _texts(scope, sel["tags"]))) or []
    for name in ("dateline", "signature", "corrections"):
        if record[name]:
            prov[name] = "text"
    featured = _featured(scope, sel["featured"], record["url"])
    record["images"] = _images(node, data, body.images, featured, record["url"], prov, tree, headlines)
    record["language"] = _pick(prov, "language",
                               ("jsonld", lambda: _lang(node.get("inLanguage"))),
                               ("meta", lambda: _lang(data.lang) or _lang(data.meta1("og:locale")))) or profile.language
    record["word_count"] = len(record["body_text"].split())
    for field in ("title", "published_at", "body_text"):
        if not record.get(field):
            raise MissingField(field, f"no source on the page gave it ({url})")
    record["content_hash"] = content_hash(record["title"], record["body_text"])
    record["provenance"] = prov
    record["fetched_at"] = fetched_at
    record["parser_version"] = PARSER_VERSION
    return validate(record)


@dataclass(frozen=True)
class Story:
    """Where the story is: its blocks, the subtree selectors run in, and who found it."""

    nodes: list
    scope: Scope
    source: str  # "selector": the profile's or a known theme's markup; "generic": the finder's


def find_story(tree, profile: SiteProfile) -> Story:
    """The profile's (or a known theme's) body markup when it holds text, else what the generic finder reads as the story.

    A profiled site whose theme changed falls through to the finder: provenance says `generic`,
    and the run's fill rates show it.
    """
    articles = tree.xpath("//article")
    root = articles[0] if len(articles) == 1 else None
    scope = Scope(root if root is not None else tree)
    selected = next((node for node in scope.select(profile.selectors["body"])  # not a theme's empty placeholder
                     if len(" ".join(node.text_content().split())) >= MIN_PARAGRAPH), None)
    if selected is not None and profile.family != "generic":
        return Story([selected], scope, "selector")
    found = find_main_content(tree)
    # A page no profile knows may use a known theme's class for a sidebar widget: its match counts only
    # where the finder's story is.
    if selected is not None and not found:
        return Story([selected], scope, "selector")
    if selected is not None and any(node is selected or _holds(selected, node) for node in found):
        return Story([selected], scope, "selector")
    if selected is not None and any(_holds(node, selected) for node in found):
        return Story(found, scope, "selector")  # the theme's block is part of a story split in several
    return Story(found, scope, "generic")


def _holds(outer, inner) -> bool:
    return any(ancestor is outer for ancestor in inner.iterancestors())


# Page types that say "a list of things", not one story (Yoast and Rank Math write them on archives).
_COLLECTIONS = {"CollectionPage", "SearchResultsPage", "ProfilePage", "ItemList"}
MIN_TEASERS = 3


def _refuse_non_article(data: sd.Structured, tree, story: Story, published: str | None) -> None:
    """Not a story, for a page without article markup: a collection it declares, a not-found page, no story
    block at all, or no date anywhere (a static page). Decided by structure, not by `og:type` (many
    Indonesian CMSs declare `website` on every story)."""
    collection = sorted(_COLLECTIONS & set(data.page_types))
    if collection or not story.nodes:
        _refuse_not_found(data, tree)
    if collection:
        raise NotAnArticle(f"the page declares itself a {', '.join(collection)} and no article")
    if not story.nodes:
        raise NotAnArticle("no story block: no run of paragraphs under a headline")
    if not published:
        raise NotAnArticle("no date anywhere and no article markup: a static page, not a story")


def _refuse_listing(data: sd.Structured, tree, story: Story, text: str) -> None:
    """A list of teasers each linking elsewhere: once they are cut from the block, no story is left
    (a short list leaves nothing at all; a long one at most a line of introduction)."""
    teasers = sum(map(teaser_count, story.nodes))
    if teasers >= MIN_TEASERS and len(text) < MIN_STORY_CHARS or teasers and not text:
        _refuse_not_found(data, tree)
        raise NotAnArticle(f"a list of {teasers} teasers, each a heading linking to another page")


def _refuse_not_found(data: sd.Structured, tree) -> None:
    """A page that is no article and whose title or headline says so is the site's not-found page."""
    heading = tree.find(".//h1")
    for text in (data.title_tag, heading.text_content() if heading is not None else None):
        if text and _NOT_FOUND.search(text):
            raise NotFoundPage(f"not-found page: {normalise_text(text)!r}")


def _tree(html: str):
    if not isinstance(html, str) or not html or html.isspace():  # strip() would copy a page ending in a newline
        raise BadPage("empty page")
    if len(html) > MAX_HTML_CHARS:
        raise BadPage(f"page too large ({len(html):,} characters, limit {MAX_HTML_CHARS:,})")
    if _binary(html[:4096]):
        raise BadPage("binary content, not HTML")
    if _FULL_DOCUMENT.match(html) and not _PAGE_END.search(html, max(0, len(html) - 8192)):
        raise BadPage("truncated page: the document reaches neither </html>, </body> nor its footer")
    try:
        tree = lxml.html.document_fromstring(_clean_bytes(html), parser=_HTML_PARSER)
    except (ParserError, ValueError) as error:
        raise BadPage(f"unreadable HTML: {error}") from None
    # `body` as a child first: lxml's iterators look one match ahead, so `.//body` walks the whole page
    if tree.find("body") is None and tree.find(".//body") is None and tree.find(".//head") is None:
        raise BadPage("no HTML document structure")
    return tree


_BINARY_MAGIC = ("%PDF", "\x89PNG", "GIF8", "\xff\xd8\xff", "PK\x03\x04", "\x1f\x8b", "RIFF", "\x00\x00\x01\x00")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")
BINARY_SHARE = 0.05  # control characters in a page's head beyond this share make it binary, one stray NUL does not


def _binary(head: str) -> bool:
    """A file that is no page: a known binary format by its first bytes, or a head full of control characters."""
    return head.startswith(_BINARY_MAGIC) or len(_CONTROL.findall(head)) > BINARY_SHARE * len(head)


def _clean_bytes(html: str) -> bytes:
    """The page as UTF-8 without control characters or the noncharacters U+FFFE and U+FFFF."""
    data = html.encode("utf-8", "replace").translate(None, _CONTROL_BYTES)
    if "\ufffe" in html or "\uffff" in html:  # 5× faster asked of the text than of the bytes
        for noncharacter in _NONCHARACTERS:
            data = data.replace(noncharacter, b"")
    return data


def _now(fetched_at: str | None) -> datetime | None:
    """The fetch time relative dates count from; parsers never read the clock."""
    try:
        return datetime.fromisoformat(fetched_at) if fetched_at else None
    except ValueError:
        return None


def _pick(prov: dict, field: str, *options):
    """The first non-empty value; its source goes into provenance.

    Options are `(source, read)` in trust order, each read only when those before it gave nothing:
    the later sources run selectors over the page, wasted when JSON-LD has the field.
    """
    for source, read in options:
        value = read()
        if value:
            prov[field] = source
            return value
    return None


def _author_candidates(node: dict, data: sd.Structured, scope: Scope, selector: str, body, tree, headlines):
    """`(source, names)` in trust order, each read only when `choose_authors` gets that far."""
    yield "jsonld", sd.names(node.get("author"), data)
    yield "meta", [a for a in [data.meta1("author")] if a and "://" not in a]
    yield "selector", _texts(scope, selector)
    yield "text", body.byline.authors
    yield "text", bylines.printed_byline(tree, headlines).authors


_PAGE_WORDS = re.compile(r"^\W*(?:halaman\s*)?(?:2|selanjutnya|berikutnya|next|lanjut|»|›)\W*$", re.I)
_PAGE_SUFFIX = re.compile(r"^/?(?:\d{1,2}|all)/?$")
_PAGE_QUERY = re.compile(r"(?:^|&)(?:page|halaman|hal|pg|p)=\d{1,2}(?:&|$)")


def _next_page(tree, nodes: list, url: str) -> str | None:
    """The next page of a story an outlet splits over several (`halaman 2`, WordPress's `<!--nextpage-->`):
    a `rel=next` link, or a pagination link in the story, to this very story's path with a page number."""
    links = [link.get("href") for link in tree.iter("link") if "next" in (link.get("rel") or "").lower().split()]
    links += [a.get("href") for node in nodes for a in node.iter("a") if _PAGE_WORDS.match(a.text_content() or "")]
    base = urlsplit(url)
    for href in filter(None, links):
        target = absolute_url(href.strip(), base=url)
        if not target:
            continue
        parts = urlsplit(target)
        if parts.netloc != base.netloc or parts.path.rstrip("/") == base.path.rstrip("/") and not _PAGE_QUERY.search(
                parts.query):
            continue
        if parts.path.startswith(base.path.rstrip("/")) and (
                _PAGE_SUFFIX.match(parts.path[len(base.path.rstrip("/")):]) or _PAGE_QUERY.search(parts.query)):
            return target
    return None


def _url(data: sd.Structured, fetched_url: str, prov: dict) -> str:
    if data.canonical:
        try:
            canonical = canonical_url(data.canonical, base=fetched_url)
        except ValueError:  # a malformed link (http://[::1) is no canonical at all
            canonical = ""
        if canonical and same_site(canonical, fetched_url):
            prov["url"] = "meta"
            return canonical
    prov["url"] = "url"
    return canonical_url(fetched_url)


def _images(node: dict, data: sd.Structured, body_images: list[dict], featured: dict | None, url: str,
            prov: dict, tree, headlines: list) -> list[dict]:
    """Lead image first (JSON-LD, og:image, then the theme's featured image), then the story's figures, once each.

    The theme shows the lead's caption under the featured image, so a lead without one takes it from there,
    or from wherever the page prints that picture with a caption.
    """
    canonical = lru_cache(maxsize=None)(canonical_url)  # each image is compared several times
    lead, source = None, None
    jsonld = sd.images(node.get("image"), data) if node else []
    if jsonld:
        caption, credit = split_credit(normalise_text(jsonld[0].get("caption") or ""))
        lead, source = {"url": jsonld[0]["url"], "caption": caption, "credit": credit}, "jsonld"
    elif data.meta1("og:image"):
        lead, source = {"url": data.meta1("og:image"), "caption": None, "credit": None}, "meta"
    elif featured:
        lead, source = featured, "selector"
    elif not body_images and (printed := _printed_lead(tree, headlines, url)) is not None:
        lead, source = printed, "text"
    images = []
    lead_url = absolute_url(lead["url"], base=url) if lead else None
    if lead_url:
        if not lead["caption"] and featured and _same_image(featured["url"], lead_url, canonical):
            lead = {**lead, "caption": featured["caption"], "credit": featured["credit"]}
        if not lead["caption"]:
            caption, credit = split_credit(_printed_caption(tree, lead_url, canonical))
            lead = {**lead, "caption": caption, "credit": lead["credit"] or credit}
        from_body = next((i for i in body_images if canonical(i["url"]) == lead_url), None)
        images.append(from_body or {**lead, "url": lead_url})
        prov["images"] = source
    elif body_images:
        prov["images"] = "selector"
    seen = {canonical(i["url"]) for i in images}
    for image in body_images:
        if canonical(image["url"]) not in seen:
            seen.add(canonical(image["url"]))
            images.append(image)
    return images


def _printed_lead(tree, headlines: list, url: str) -> dict | None:
    """The photo an older theme prints under the headline, outside the story's block (`div.foto`); not an avatar."""
    for element in nearby.around(tree, headlines, bylines.BYLINE_WINDOW):
        holders = list(element.iterancestors())[:3]
        if element.tag == "img" and "avatar" not in (element.get("class") or "") and any(
                a.tag == "figure" or PHOTO_HOLDER.search(a.get("class") or "") for a in holders):
            src = next((element.get(a) for a in ("data-src", "data-lazy-src", "src")
                        if element.get(a) and not element.get(a).startswith("data:")), None)
            if src and (src := absolute_url(src.strip(), base=url)):
                return {"url": src, "caption": None, "credit": None}
    return None


def _printed_caption(tree, image_url: str, canonical) -> str:
    """The caption printed with an image somewhere on the page: the figure's `figcaption`, or a caption-classed
    element in the block that holds the picture (`div.read__photo > span.read__caption`)."""
    name = _file_name(image_url)
    for img in tree.iter("img"):
        src = next((img.get(a) for a in ("data-src", "data-lazy-src", "data-original", "src") if img.get(a)), None)
        if not src or src.startswith("data:") or _file_name(src) != name:  # the cheap test before canonicalising
            continue
        src = absolute_url(src.strip(), base=image_url)
        if not src or not _same_image(src, image_url, canonical):
            continue
        for holder in list(img.iterancestors())[:3]:
            if holder.tag != "figure" and not PHOTO_HOLDER.search(holder.get("class") or ""):
                continue
            for candidate in holder.iter():
                if candidate.tag == "figcaption" or CAPTION_CLASS.search(candidate.get("class") or ""):
                    text = normalise_text(candidate.text_content())
                    if text:
                        return text
    return ""


def _featured(scope: Scope, selector: str, url: str) -> dict | None:
    """The theme's featured image outside the story, with the caption printed under it."""
    for holder in scope.select(selector):
        for img in holder.iter("img", "amp-img"):
            src = next((img.get(a) for a in ("data-src", "data-lazy-src", "src")
                        if img.get(a) and not img.get(a).startswith("data:") and "empty" not in img.get(a)), None)
            if src and (src := absolute_url(src, base=url)):
                captions = select(holder, "figcaption, .wp-caption-text, .caption")
                text = normalise_text(captions[0].text_content()) if captions else ""
                caption, credit = split_credit(text)
                return {"url": src, "caption": caption, "credit": credit}
    return None


def _file_name(url: str) -> str:
    """The image's file name without WordPress's size suffix: two addresses of one picture share it."""
    return _SIZE_SUFFIX.sub("", url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1])


def _same_image(one: str, other: str, canonical=canonical_url) -> bool:
    """Equal once WordPress's size suffix (`-750x422.jpg`) is set aside."""
    return _SIZE_SUFFIX.sub("", canonical(one)) == _SIZE_SUFFIX.sub("", canonical(other))


def _first_text(scope: Scope, selector: str) -> str | None:
    texts = _texts(scope, selector)
    return texts[0] if texts else None


def _texts(scope: Scope, selector: str) -> list[str]:
    """Distinct non-empty texts of the matching nodes, selector by selector."""
    seen = []
    for node in scope.select(selector):
        text = normalise_text(node.get("content") or "" if node.tag == "meta" else node.text_content())
        if text and text not in seen:
            seen.append(text)
    return seen


def _str(value) -> str | None:
    return normalise_text(value) if isinstance(value, str) and value.strip() else None


def _lang(value) -> str | None:
    """BCP 47 primary language: `id-ID`, `id_ID` → `id`."""
    if not isinstance(value, str) or not value.strip():
        return None
    return re.split(r"[-_]", value.strip())[0].lower()
