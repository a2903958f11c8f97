"""HTML in, record out: each field from the first source that has it, JSON-LD → meta → theme → text."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

import lxml.html
from lxml.etree import ParserError

from hajar_scraper.parsers import bylines
from hajar_scraper.parsers import structured as sd
from hajar_scraper.parsers.body import clean_body, split_credit
from hajar_scraper.parsers.main_content import find_main_content
from hajar_scraper.parsers.selectors import Scope, select
from hajar_scraper.parsers.timestamps import choose_time, date_near_headline, machine_time, visible_time
from hajar_scraper.parsers.titles import clean_title, site_names
from hajar_scraper.record import (BadPage, MissingField, NotAnArticle, NotFoundPage, content_hash, normalise_text,
                                  validate)
from hajar_scraper.sites import SiteProfile
from hajar_scraper.urls import absolute_url, canonical_url, same_site

PARSER_VERSION = "2"
MAX_HTML_CHARS = 8_000_000
_HTML_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
_PUBLISHED_META = ("article:published_time", "datepublished", "pubdate", "publishdate", "dc.date.issued",
                   "dc.date", "date")
_MODIFIED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified")


_FULL_DOCUMENT = re.compile(r"\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(!doctype\s+html|html)[\s>]", re.I | re.S)
# Control characters are no text, and lxml refuses them in any node (a Word paste's \x0b). Deleted from the
# UTF-8 bytes: ASCII bytes are never part of another character there, and bytes.translate is 5× a regex.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_NONCHARACTERS = ("\ufffe".encode(), "\uffff".encode())
# `"</html>" in tail.lower()` without lowering the tail (slow on non-ASCII text): no other character lowers
# to one of `</html>`, so only the ASCII capitals need matching.
_CLOSING_HTML = re.compile(r"</[hH][tT][mM][lL]>")
_SIZE_SUFFIX = re.compile(r"-\d+x\d+(?=\.\w+$)")
_NOT_FOUND = re.compile(r"(tidak|tak)\s+(dapat\s+)?ditemukan|not\s+found|\b404\b", re.I)


def _refuse_not_found(data: sd.Structured, tree) -> None:
    """A page that is no article and whose title or headline says so is the site's not-found page."""
    heading = tree.find(".//h1")
    for text in (data.title_tag, heading.text_content() if heading is not None else None):
        if text and _NOT_FOUND.search(text):
            raise NotFoundPage(f"not-found page: {normalise_text(text)!r}")


def parse_page(html: str, url: str, profile: SiteProfile, fetched_at: str | None = None) -> dict:
    """The record of one article page, or a typed `Rejected` saying why there is none."""
    tree = _tree(html)
    data = sd.read_structured(tree)
    prov: dict[str, str] = {}
    node = data.article or {}
    article_root, body_node, scope = _story_nodes(tree, profile)
    og_type = (data.meta1("og:type") or "").lower()
    found_by_finder = False
    if body_node is None and profile.family == "generic" and len(tree.xpath("//article")) <= 1:
        body_node = find_main_content(tree) if tree.find(".//h1") is not None else None
        found_by_finder = body_node is not None
    if not node and og_type != "article" and body_node is None:
        _refuse_not_found(data, tree)
        types = ", ".join(sorted(set(data.page_types))) or "none"
        raise NotAnArticle(f"no article markup (JSON-LD types: {types}; og:type: {og_type or 'none'})")
    if not node and og_type not in ("", "article"):
        raise NotAnArticle(f"page declares og:type {og_type!r}, not an article")
    sel, tz, now = profile.selectors, profile.timezone, _now(fetched_at)
    names = site_names(data, profile.outlet_names, url)

    record = {"site": profile.slug, "url": _url(data, url, prov)}
    record["title"] = _pick(prov, "title",
                            ("jsonld", lambda: clean_title(node.get("headline") or node.get("name"), names)),
                            ("meta", lambda: clean_title(data.meta1("og:title", "twitter:title"), names)),
                            ("selector", lambda: _first_text(scope, sel["title"]) or _first_text(Scope(tree), "h1")),
                            ("text", lambda: clean_title(data.title_tag, names)))
    record["published_at"] = choose_time(prov, "published_at", (
        ("jsonld", machine_time(node.get("datePublished"), tz)),
        ("meta", machine_time(data.meta1(*_PUBLISHED_META), tz)),
        ("selector", visible_time(scope.select(sel["published"]), tz, now)),
        ("text", date_near_headline(tree, tz, now) if profile.family == "generic" else None)))
    record["modified_at"] = choose_time(prov, "modified_at", (
        ("jsonld", machine_time(node.get("dateModified"), tz)),
        ("meta", machine_time(data.meta1(*_MODIFIED_META), tz)),
        ("selector", visible_time(scope.select(sel["modified"]), tz, now))))
    record["description"] = _pick(prov, "description",
                                  ("jsonld", lambda: _str(node.get("description"))),
                                  ("meta", lambda: data.meta1("description", "og:description", "twitter:description")))

    body = _body(body_node, tree, record["url"], profile, prov, now, "text" if found_by_finder else "selector")
    record.update(body_text=body.text, body_html=body.html, dateline=body.dateline, signature=body.signature,
                  corrections=body.corrections)
    record["editor"] = _pick(prov, "editor",
                             ("jsonld", lambda: next(iter(sd.names(node.get("editor"), data)), None)),
                             ("selector", lambda: bylines.clean_name(_first_text(scope, sel["editor"]) or "")),
                             ("text", lambda: body.byline.editor))
    authors, source = bylines.choose_authors(_author_candidates(node, data, scope, sel["authors"], body),
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
    record["images"] = _images(node, data, body.images, featured, record["url"], prov)
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


def _tree(html: str):
    if not isinstance(html, str) or not html or html.isspace():  # strip() would copy a page ending in a newline
        raise BadPage("empty page")
    if len(html) > MAX_HTML_CHARS:
        raise BadPage(f"page too large ({len(html):,} characters, limit {MAX_HTML_CHARS:,})")
    if "\x00" in html[:4096]:
        raise BadPage("binary content, not HTML")
    if _FULL_DOCUMENT.match(html) and not _CLOSING_HTML.search(html, max(0, len(html) - 8192)):
        raise BadPage("truncated page: the document never reaches </html>")
    try:
        tree = lxml.html.document_fromstring(_clean_bytes(html), parser=_HTML_PARSER)
    except (ParserError, ValueError) as error:
        raise BadPage(f"unreadable HTML: {error}") from None
    # `body` as a child first: lxml's iterators look one match ahead, so `.//body` walks the whole page
    if tree.find("body") is None and tree.find(".//body") is None and tree.find(".//head") is None:
        raise BadPage("no HTML document structure")
    return tree


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


def _author_candidates(node: dict, data: sd.Structured, scope: Scope, selector: str, body):
    """`(source, names)` in trust order, each read only when `choose_authors` gets that far."""
    yield "jsonld", sd.names(node.get("author"), data)
    yield "meta", [a for a in [data.meta1("author")] if a and "://" not in a]
    yield "selector", _texts(scope, selector)
    yield "text", body.byline.authors


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


def _story_nodes(tree, profile: SiteProfile):
    """The story's `<article>` (when there is exactly one), its content node, and the scope selectors run in."""
    articles = tree.xpath("//article")
    root = articles[0] if len(articles) == 1 else None
    scope = Scope(root if root is not None else tree)
    nodes = scope.select(profile.selectors["body"])
    return root, (nodes[0] if nodes else None), scope


def _body(body_node, tree, url: str, profile: SiteProfile, prov: dict, now, source: str):
    if body_node is None:
        body_node, source = find_main_content(tree), "text"
    if body_node is None:
        raise MissingField("body_text", "no content block found")
    body = clean_body(body_node, url, profile, now)
    if body.text:
        prov["body_text"] = prov["body_html"] = source
    return body


def _images(node: dict, data: sd.Structured, body_images: list[dict], featured: dict | None, url: str,
            prov: dict) -> list[dict]:
    """Lead image first (JSON-LD, og:image, then the theme's featured image), then the story's figures, once each.

    The theme shows the lead's caption under the featured image, so a lead without one takes it from there.
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
    images = []
    lead_url = absolute_url(lead["url"], base=url) if lead else None
    if lead_url:
        if not lead["caption"] and featured and _same_image(featured["url"], lead_url, canonical):
            lead = {**lead, "caption": featured["caption"], "credit": featured["credit"]}
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
