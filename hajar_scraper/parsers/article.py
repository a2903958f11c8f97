"""HTML in, record out: each field from the first source that has it, JSON-LD → meta → theme → text."""

from __future__ import annotations

import re

import lxml.html
from lxml.etree import ParserError

from hajar_scraper import dates
from hajar_scraper.parsers import structured as sd
from hajar_scraper.parsers.body import clean_body
from hajar_scraper.record import BadPage, MissingField, NotAnArticle, content_hash, normalise_text, validate
from hajar_scraper.sites import SiteProfile
from hajar_scraper.urls import canonical_url, same_site

PARSER_VERSION = "1"
MAX_HTML_CHARS = 8_000_000
_HTML_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)


def parse_page(html: str, url: str, profile: SiteProfile, fetched_at: str | None = None) -> dict:
    """The record of one article page, or a typed `Rejected` saying why there is none."""
    tree = _tree(html)
    data = sd.read_structured(tree)
    prov: dict[str, str] = {}
    node = data.article or {}
    article_root, body_node = _story_nodes(tree, profile)
    og_type = (data.meta1("og:type") or "").lower()
    if not node and og_type != "article" and body_node is None:
        types = ", ".join(sorted(set(data.page_types))) or "none"
        raise NotAnArticle(f"no article markup (JSON-LD types: {types}; og:type: {og_type or 'none'})")
    if not node and og_type not in ("", "article"):
        raise NotAnArticle(f"page declares og:type {og_type!r}, not an article")
    scope = article_root if article_root is not None else tree
    sel = profile.selectors
    tz = profile.timezone

    record = {"site": profile.slug, "url": _url(data, url, prov)}
    record["title"] = _pick(prov, "title",
                            ("jsonld", _clean_title(node.get("headline") or node.get("name"), data, profile)),
                            ("meta", _clean_title(data.meta1("og:title", "twitter:title"), data, profile)),
                            ("selector", _first_text(scope, sel["title"])),
                            ("text", _clean_title(data.title_tag, data, profile)))
    record["published_at"] = _pick(prov, "published_at",
                                   ("jsonld", _machine_time(node.get("datePublished"), tz)),
                                   ("meta", _machine_time(data.meta1("article:published_time", "datepublished"), tz)),
                                   ("selector", _time_at(scope, sel["published"], tz)))
    record["modified_at"] = _pick(prov, "modified_at",
                                  ("jsonld", _machine_time(node.get("dateModified"), tz)),
                                  ("meta", _machine_time(data.meta1("article:modified_time", "og:updated_time"), tz)),
                                  ("selector", _time_at(scope, sel["modified"], tz)))
    record["description"] = _pick(prov, "description",
                                  ("jsonld", _str(node.get("description"))),
                                  ("meta", data.meta1("description", "og:description", "twitter:description")))
    record["authors"] = _pick(prov, "authors",
                              ("jsonld", sd.names(node.get("author"), data)),
                              ("meta", [a for a in [data.meta1("author")] if a and "://" not in a]),
                              ("selector", _texts(scope, sel["authors"]))) or []
    record["categories"] = _pick(prov, "categories",
                                 ("jsonld", sd.keywords(node.get("articleSection"))),
                                 ("meta", data.meta.get("article:section", [])),
                                 ("selector", _texts(scope, sel["categories"]))) or []
    record["tags"] = _pick(prov, "tags",
                           ("jsonld", sd.keywords(node.get("keywords"))),
                           ("meta", data.meta.get("article:tag", [])),
                           ("selector", _texts(scope, sel["tags"]))) or []

    body = _body(body_node, tree, record["url"], profile, prov)
    record.update(body_text=body.text, body_html=body.html, editor=body.editor,
                  dateline=body.dateline, signature=body.signature)
    for name in ("editor", "dateline", "signature"):
        if record[name]:
            prov[name] = "text"
    record["images"] = _images(node, data, body.images, record["url"], prov)
    record["language"] = _pick(prov, "language",
                               ("jsonld", _lang(node.get("inLanguage"))),
                               ("meta", _lang(data.lang) or _lang(data.meta1("og:locale")))) or profile.language
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
    if not isinstance(html, str) or not html.strip():
        raise BadPage("empty page")
    if len(html) > MAX_HTML_CHARS:
        raise BadPage(f"page too large ({len(html):,} characters, limit {MAX_HTML_CHARS:,})")
    if "\x00" in html[:4096]:
        raise BadPage("binary content, not HTML")
    try:
        tree = lxml.html.document_fromstring(html.encode("utf-8", "replace"), parser=_HTML_PARSER)
    except (ParserError, ValueError) as error:
        raise BadPage(f"unreadable HTML: {error}") from None
    if tree.find(".//body") is None and tree.find(".//head") is None:
        raise BadPage("no HTML document structure")
    return tree


def _pick(prov: dict, field: str, *options):
    """The first non-empty value; its source goes into provenance."""
    for source, value in options:
        if value:
            prov[field] = source
            return value
    return None


def _url(data: sd.Structured, fetched_url: str, prov: dict) -> str:
    if data.canonical:
        canonical = canonical_url(data.canonical, base=fetched_url)
        if same_site(canonical, fetched_url):
            prov["url"] = "meta"
            return canonical
    prov["url"] = "url"
    return canonical_url(fetched_url)


def _story_nodes(tree, profile: SiteProfile):
    """The story's `<article>` (when there is exactly one) and its content node."""
    articles = tree.xpath("//article")
    root = articles[0] if len(articles) == 1 else None
    scope = root if root is not None else tree
    nodes = scope.cssselect(profile.selectors["body"])
    return root, (nodes[0] if nodes else None)


def _body(body_node, tree, url: str, profile: SiteProfile, prov: dict):
    source = "selector"
    if body_node is None:
        body_node, source = _densest_text_block(tree), "text"
    if body_node is None:
        raise MissingField("body_text", "no content block found")
    fragment = lxml.html.tostring(body_node, encoding="unicode")
    body = clean_body(fragment, url, profile.selectors["drop"], profile.outlet_names)
    if body.text:
        prov["body_text"] = prov["body_html"] = source
    return body


def _densest_text_block(tree):
    """The element whose direct `<p>` children hold the most text: a last-resort story finder."""
    best, best_len = None, 0
    for parent in {p.getparent() for p in tree.iter("p") if p.getparent() is not None}:
        length = sum(len(p.text_content()) for p in parent if p.tag == "p")
        if length > best_len:
            best, best_len = parent, length
    return best if best_len >= 200 else None


def _images(node: dict, data: sd.Structured, body_images: list[dict], url: str, prov: dict) -> list[dict]:
    """Lead image first (JSON-LD, then og:image), then the story's own figures, each once."""
    lead, source = None, None
    jsonld = sd.images(node.get("image"), data) if node else []
    if jsonld:
        lead, source = jsonld[0], "jsonld"
    elif data.meta1("og:image"):
        lead, source = {"url": data.meta1("og:image"), "caption": None}, "meta"
    images = []
    if lead:
        lead_url = canonical_url(lead["url"], base=url)
        from_body = next((i for i in body_images if canonical_url(i["url"]) == lead_url), None)
        images.append(from_body or {"url": lead_url, "caption": lead.get("caption"), "credit": None})
        prov["images"] = source
    elif body_images:
        prov["images"] = "selector"
    seen = {canonical_url(i["url"]) for i in images}
    for image in body_images:
        if canonical_url(image["url"]) not in seen:
            seen.add(canonical_url(image["url"]))
            images.append(image)
    return images


def _clean_title(title, data: sd.Structured, profile: SiteProfile) -> str | None:
    """Headline without the ` - Hajarnews.com` suffix sites add to `<title>` and og:title."""
    if not isinstance(title, str):
        return None
    title = normalise_text(title)
    site_names = {n.lower() for n in (*profile.outlet_names, profile.name, data.meta1("og:site_name") or "") if n}
    parts = re.split(r"\s+[-|–—:»]\s+", title)
    if len(parts) > 1 and parts[-1].lower() in site_names:
        title = title[: title.rfind(parts[-1])].rstrip(" -|–—:»")
    return title or None


def _machine_time(value, tz: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dates.to_site_time(value.strip(), tz)
    except dates.DateError:
        return None


def _time_at(scope, selector: str, tz: str) -> str | None:
    """A `<time datetime>` attribute, else the element's visible date text."""
    for node in scope.cssselect(selector):
        value = _machine_time(node.get("datetime"), tz)
        if value:
            return value
        try:
            return dates.parse_date(node.text_content(), tz)
        except dates.DateError:
            continue
    return None


def _first_text(scope, selector: str) -> str | None:
    texts = _texts(scope, selector)
    return texts[0] if texts else None


def _texts(scope, selector: str) -> list[str]:
    """Distinct non-empty texts of the matching nodes, in page order."""
    seen = []
    for node in scope.cssselect(selector):
        text = normalise_text(node.text_content())
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
