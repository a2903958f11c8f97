"""HTML in, record out: each field from the first source that has it, JSON-LD → meta → theme → text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from lxml import etree

from hajar_scraper.parsers import bylines
from hajar_scraper.parsers import structured as sd
from hajar_scraper.parsers.blocks import MIN_PARAGRAPH
from hajar_scraper.parsers.body import clean_body
from hajar_scraper.parsers.document import read_tree
from hajar_scraper.parsers.images import choose_images
from hajar_scraper.parsers.main_content import MIN_STORY_CHARS, find_main_content
from hajar_scraper.parsers.pruning import teaser_count
from hajar_scraper.parsers.selectors import Scope
from hajar_scraper.parsers.timestamps import (MODIFIED_META, PUBLISHED_META, choose_time, machine_time, page_zone,
                                              printed_date, visible_time)
from hajar_scraper.parsers.titles import choose_title, site_names
from hajar_scraper.record import MissingField, NotAnArticle, NotFoundPage, content_hash, normalise_text, validate
from hajar_scraper.sites import SiteProfile
from hajar_scraper.urls import absolute_url, canonical_url, same_site, url_date

PARSER_VERSION = "3"
_NOT_FOUND = re.compile(r"(tidak|tak)\s+(dapat\s+)?ditemukan|not\s+found|\b404\b", re.I)


def parse_page(html: str, url: str, profile: SiteProfile, fetched_at: str | None = None,
               listed_at: str | None = None) -> dict:
    """The record of one article page, or a typed `Rejected` saying why there is none.

    `listed_at` is the publication time the discovery listing gave for this URL (news sitemap,
    REST `date_gmt`, feed `pubDate`): used only when the page itself gives none.
    """
    tree = read_tree(html)
    data = sd.read_structured(tree)
    etree.strip_elements(tree, "script", "style", "template", with_tail=False)  # read; no text of the page
    prov: dict[str, str] = {}
    node = data.article or {}
    story = find_story(tree, profile)
    now = _now(fetched_at)
    tz = profile.timezone or page_zone((node.get("datePublished"), data.meta1(*PUBLISHED_META),
                                        node.get("dateModified"), data.meta1(*MODIFIED_META),
                                        *(t.get("datetime") for t in tree.iter("time"))),
                                       _lang(node.get("inLanguage")) or _lang(data.lang) or _lang(data.meta1("og:locale")))
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
    record["images"] = choose_images(prov, node, data, body.images, scope, sel["featured"], record["url"], tree,
                                     headlines)
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
    selected = next((node for node in scope.select(profile.selectors["body"])
                     if len(" ".join(node.text_content().split())) >= MIN_PARAGRAPH), None)  # not an empty placeholder
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
    yield "meta", _meta_authors(data)
    yield "selector", _texts(scope, selector)
    yield "text", body.byline.authors
    yield "text", bylines.printed_byline(tree, headlines).authors


# Meta tags that name the writer, in trust order: HTML's own, Open Graph's article:author (when a name, not
# a profile URL), Yoast's `Written by` label (WordPress), Parse.ly, Sailthru, Dublin Core, cXense.
_AUTHOR_META = ("author", "article:author", "twitter:misc:written by", "parsely-author", "sailthru.author",
                "dc.creator", "cxenseparse:author")
_WRITTEN_BY = {"written by", "ditulis oleh", "geschrieben von", "verfasst von", "écrit par", "escrito por"}


def _meta_authors(data: sd.Structured) -> list[str]:
    """The first meta tag that names someone (an e-mail address or a URL names no one)."""
    labelled = [data.meta1(f"twitter:data{n}") for n in (1, 2, 3)
                if (data.meta1(f"twitter:label{n}") or "").strip().lower() in _WRITTEN_BY]
    for key in _AUTHOR_META:
        for value in data.meta.get(key, ()):
            if "://" not in value and bylines.clean_name(value):
                return [value]
        if key == "article:author" and labelled and labelled[0]:
            return [labelled[0]]
    return []


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
