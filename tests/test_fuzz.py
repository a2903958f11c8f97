"""Issue 8: parse_article on random, generated and mutated pages raises nothing but `Rejected`.

The strategies live here so that bench/fuzz.py runs the same ones for 100,000+ cases.
"""

from __future__ import annotations

import json
import os
import traceback
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from w3lib.encoding import html_to_unicode

from conftest import FIXTURES
from hajar_scraper.parsers import parse_article
from hajar_scraper.record import Rejected

FETCHED_AT = "2026-11-28T00:00:00+00:00"  # after every fixture page: a date after the fetch is no date
PAGES = [html_to_unicode(None, path.read_bytes())[1] for path in sorted(FIXTURES.glob("*/*.html"))]
URLS = ["https://hajarnews.com/2021/05/25/kabar/", "https://www.antarajambi.com/berita/123/kabar",
        "https://jambiupdate.co/artikel-kabar.html", "http://127.0.0.1:8000/2021/05/25/kabar/",
        "https://example.org/news?id=5&utm_source=x#top", "https://xn--bcher-kva.example/amp/"]
SITES = [None, "hajarnews", "antarajambi", "jambiupdate", "sumeks", "metrojambi", "jambione", "jambiindependent"]
# Known defects, each pinned by a strict xfail: name -> signature (see `signature`). None are left.
KNOWN: dict[str, str] = {}

# pieces a page is made of, and the ones a broken or hostile page adds -------------------------------
KEYS = ["@type", "@graph", "@id", "@context", "headline", "name", "datePublished", "dateModified", "author",
        "editor", "description", "image", "url", "keywords", "articleSection", "mainEntityOfPage", "publisher",
        "articleBody", "caption", "contentUrl", "thumbnailUrl", "inLanguage", "@value", "itemListElement"]
TYPES = ["NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "WebPage", "Person", "ImageObject",
         "Organization", "CollectionPage", "VideoObject", "BreadcrumbList"]
DATES = ["2021-05-25T16:42:37+07:00", "2021-05-25T09:42:37Z", "2021-05-25", "2021-02-30T10:00:00", "0000-00-00",
         "9999-12-31T23:59:59+14:00", "2021-05-25T10:00:00+99:00", "Selasa, 25 Mei 2021 16:42 WIB",
         "32 Februari 2021", "25/05/21", "1621935757", "-1", "1e400", "kemarin", "2 jam yang lalu", "", " "]
TEXTS = st.one_of(st.sampled_from(["Kualatungkal, Hajarnews.com – ", "Baca Juga:", "Editor: Rahmat", "(OD/*)",
                                   "Penulis: Oddy Pratama", "Foto: Hajarnews", "\u00a0", "\u200b", "&nbsp;",
                                   "&#0;", "&#xD800;", "&#x110000;", "\x00", "\x0c", "\r\n", "\ufeff",
                                   "“”‘’…–—",
                                   "WIB", "<![CDATA[", "]]>", "<!--", "-->", "<?php ?>"]),
                  st.sampled_from(DATES), st.text(max_size=20),
                  st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=20))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-2 ** 70, 2 ** 70), st.floats(allow_nan=True),
                    st.sampled_from(TYPES), st.sampled_from(DATES), st.sampled_from(URLS), TEXTS)
JSON = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)),
                    max_leaves=6)
HEADLINES = st.one_of(st.sampled_from(["Banjir Rendam Ratusan Rumah di Betara - Hajarnews.com",
                                        "Harga Pinang Naik – Petani Senang", "“Jumat Bersih” di Tungkal Ilir"]),
                      TEXTS, SCALARS)
PEOPLE = st.one_of(st.sampled_from(["Oddy Pratama", "Redaksi", "Oddy Pratama dan Hendra Saputra", "Admin"]),
                   st.fixed_dictionaries({"@type": st.just("Person"), "name": TEXTS}), JSON)
# Mostly the fields a real NewsArticle has, with values from plausible to absurd.
ARTICLE_NODE = st.fixed_dictionaries(
    {"@type": st.one_of(st.sampled_from(TYPES), st.lists(st.sampled_from(TYPES), max_size=3)),
     "headline": HEADLINES, "datePublished": st.one_of(st.sampled_from(DATES), SCALARS)},
    optional={"author": PEOPLE, "editor": PEOPLE, "dateModified": st.one_of(st.sampled_from(DATES), SCALARS),
              **{k: JSON for k in ("image", "keywords", "articleSection", "description", "url", "mainEntityOfPage")}})
TAGS = ["div", "p", "span", "article", "section", "h1", "h2", "a", "time", "figure", "figcaption", "img", "ul",
        "li", "strong", "em", "blockquote", "table", "td", "br", "script", "style", "iframe", "noscript", "meta",
        "link", "header", "footer", "main", "abbr", "svg", "math", "template", "title", "form", "body", "html"]
CLASSES = ["entry-content", "entry-title", "post-content", "td-post-content", "jeg_post_title", "byline",
           "author vcard", "published", "updated", "entry-date", "jeg_meta_date", "tags-links", "post-tags",
           "sharedaddy", "baca-juga", "wp-caption", "wp-caption-text", "content-inner", "detail-text", "read__content"]
ATTRS = st.one_of(
    st.tuples(st.just("class"), st.sampled_from(CLASSES)),
    st.tuples(st.sampled_from(["datetime", "content", "title"]), st.sampled_from(DATES)),
    st.tuples(st.sampled_from(["href", "src", "srcset", "data-src"]),
              st.one_of(st.sampled_from(URLS), st.sampled_from(["http://[::1", "javascript:alert(1)", "//x", "",
                                                                 "data:text/html,x", "http://a:b@c:99999/"]))),
    st.tuples(st.sampled_from(["rel", "itemprop", "property", "name", "type"]),
              st.sampled_from(["canonical", "author", "tag", "category", "headline", "datePublished", "articleBody",
                               "og:type", "og:title", "article:published_time", "description", "application/ld+json"])),
)


OPEN = st.builds(lambda tag, attrs: f"<{tag}{''.join(f' {k}={json.dumps(v)}' for k, v in attrs)}>",
                 st.sampled_from(TAGS), st.lists(ATTRS, max_size=3))
CLOSE = st.sampled_from(TAGS).map(lambda tag: f"</{tag}>")
WORDS = ["warga", "Kualatungkal", "Tanjab", "Barat", "pemerintah", "kabupaten", "bantuan", "jalan", "desa", "kata",
         "Bupati", "Senin", "(25/05/21)", "yang", "dan", "di", "“Kami", "berharap,”", "ujarnya.", "Rp", "1,5",
         "miliar"]
PARAGRAPH = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=3, max_size=25).map(lambda words: f"<p>{' '.join(words)}</p>"),
    st.lists(TEXTS, min_size=1, max_size=4).map(lambda parts: f"<p>{' '.join(parts)}</p>"))
SOUP = st.lists(st.one_of(OPEN, CLOSE, PARAGRAPH, TEXTS), max_size=10).map("".join)  # tag soup, cheaply made


def ld_script(node) -> str:
    return f'<script type="application/ld+json">{json.dumps(node, ensure_ascii=False, allow_nan=True)}</script>'


SNIPPETS = st.one_of(
    st.builds(ld_script, ARTICLE_NODE), st.builds(ld_script, JSON), SOUP, TEXTS,
    st.sampled_from(['<script type="application/ld+json">{"@type": "NewsArticle", "headline": ', "</div>" * 5,
                     '<div class="entry-content">', "</html>", "<html>", '<meta charset="utf-16">',
                     '<?xml version="1.0" encoding="utf-16"?>', '<link rel="canonical" href="http://[::1">',
                     '<meta property="og:type" content="video">', "<" * 50, "<p>" * 500]),
)


@st.composite
def mutated_pages(draw) -> str:
    """A real fixture page with spans cut, doubled, swapped or replaced by hostile snippets."""
    page = draw(st.sampled_from(PAGES))
    for _ in range(draw(st.integers(1, 6))):
        start = draw(st.integers(0, len(page)))
        end = min(len(page), start + draw(st.integers(0, 4000)))
        op = draw(st.sampled_from(["cut", "double", "insert", "replace", "truncate", "swap", "upper"]))
        if op == "cut":
            page = page[:start] + page[end:]
        elif op == "double":
            page = page[:end] + page[start:end] + page[end:]
        elif op in ("insert", "replace"):
            page = page[:start] + draw(SNIPPETS) + page[start if op == "insert" else end:]
        elif op == "truncate":
            page = page[:start]
        elif op == "swap":
            other = draw(st.integers(0, len(page)))
            a, b = sorted((start, other))
            page = page[:a] + page[end:] + page[a:start] + page[b:] if b > end else page[end:] + page[:start]
        else:
            page = page[:start] + page[start:end].upper() + page[end:]
    return page


@st.composite
def generated_pages(draw) -> str:
    """A page made from scratch: an article's JSON-LD (maybe in a @graph), meta tags, a story block and soup."""
    node = draw(ARTICLE_NODE)
    if draw(st.booleans()):
        node = {"@context": "https://schema.org", "@graph": [*draw(st.lists(JSON, max_size=2)), node]}
    head = [ld_script(node), *draw(st.lists(st.one_of(OPEN, st.builds(ld_script, JSON)), max_size=3))]
    story = "".join(draw(st.lists(PARAGRAPH, min_size=1, max_size=6)))
    block = draw(st.sampled_from(["div", "section", "article"]))
    body = [draw(SOUP), f'<h1 class="entry-title">{draw(TEXTS)}</h1>',
            f'<{block} class="{draw(st.sampled_from(CLASSES))}">{story}{draw(SOUP)}</{block}>', draw(SOUP)]
    return f"<html><head>{''.join(head)}</head><body>{''.join(body)}</body></html>"


decoded_bytes = st.builds(lambda raw, ctype: html_to_unicode(ctype, raw)[1], st.binary(max_size=3000),
                          st.sampled_from([None, "text/html", "text/html; charset=utf-16", "text/html; charset=cp1252",
                                           "text/html; charset=x-unknown", "text/html; charset=utf-8"]))
ANY_PAGE = st.one_of(mutated_pages(), generated_pages(), st.text(max_size=2000), decoded_bytes)


def signature(error: Exception) -> str:
    """`Type at module.function` of the innermost project frame: one line per distinct defect."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f"{os.sep}hajar_scraper{os.sep}" in f.filename]
    if not frames:
        return f"{type(error).__name__} outside hajar_scraper"
    path = Path(frames[-1].filename)
    module = ".".join(path.with_suffix("").parts[path.parts.index("hajar_scraper"):])
    return f"{type(error).__name__} at {module}.{frames[-1].name}"


def known(error: Exception) -> str | None:
    """The name of the known defect this exception is, if it is one."""
    return next((name for name, sig in KNOWN.items() if sig == signature(error)), None)


def check(html: str, url: str, site: str | None) -> str:
    """Parse one page: "record", "rejected" or a known defect's name; anything else is raised."""
    try:
        parse_article(html, url, site=site, fetched_at=FETCHED_AT)
    except Rejected:
        return "rejected"
    except Exception as error:  # noqa: BLE001  the point of the harness
        name = known(error)
        if name is None:
            raise
        return name
    return "record"


FUZZ = settings(deadline=None, database=None, derandomize=True, print_blob=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])


@settings(FUZZ, max_examples=800)
@given(mutated_pages(), st.sampled_from(URLS), st.sampled_from(SITES))
def test_mutated_fixture_pages(html, url, site):
    check(html, url, site)


@settings(FUZZ, max_examples=700)
@given(generated_pages(), st.sampled_from(URLS), st.sampled_from(SITES))
def test_generated_pages(html, url, site):
    check(html, url, site)


@settings(FUZZ, max_examples=500)
@given(st.one_of(st.text(max_size=2000), decoded_bytes), st.sampled_from(URLS), st.sampled_from(SITES))
def test_random_text_and_bytes(html, url, site):
    check(html, url, site)


def outcome(html: str, url: str = URLS[0], site: str | None = "hajarnews") -> str:
    """ "record", "rejected", or the signature of whatever else came out."""
    try:
        parse_article(html, url, site=site, fetched_at=FETCHED_AT)
    except Rejected:
        return "rejected"
    except Exception as error:  # noqa: BLE001
        return signature(error)
    return "record"


def test_a_defect_is_named_by_its_innermost_project_frame():
    from hajar_scraper.record import validate

    with pytest.raises(Rejected) as caught:
        validate({})
    assert signature(caught.value) == "MissingField at hajar_scraper.record.validate"


# Defects this fuzzing found (issue 8), kept as regression tests once fixed ---------------------------
def test_a_malformed_canonical_link_is_ignored():
    page = PAGES[0].replace("<head>", '<head><link rel="canonical" href="http://[::1">', 1)
    assert outcome(page) == "record"


SEED_URL = ("https://hajarnews.com/2021/05/25/"
            "wabup-tanjabbar-hadiri-dan-buka-secara-resmi-giat-sosialisasi-kerjasama-dalam-negeri/")


@pytest.mark.parametrize("char", ["\x02", "\x0b", "\x1f"])
def test_a_control_character_after_a_dropped_block_is_harmless(char):
    seed = html_to_unicode(None, (FIXTURES / "hajarnews" / "seed.html").read_bytes())[1]
    at = seed.index("<p", seed.index("entry-content"))
    page = seed[:at] + f'<div class="sharedaddy">Bagikan</div>{char} ' + seed[at:]
    assert outcome(page, url=SEED_URL) == "record"


@pytest.mark.parametrize("value", ["true", "5", "1.5"])
def test_a_json_ld_type_that_is_not_text_is_ignored(value):
    page = PAGES[0].replace("<head>", f'<head><script type="application/ld+json">{{"@type": {value}}}</script>', 1)
    assert outcome(page) == "record"


# Found by bench/fuzz.py and cut down by delta debugging: control characters that reached
# lxml.html.fragment_fromstring in body._without_noise (the share-bar case's cause, another path).
FUZZ_FOUND = (
    '<html><head><script type="application/ld+json">{"":"","":[{"":""},null,{"":true}],"@type":"BlogP'
    'osting","":[],"":""}</script><0:gs"p>9999-12-31T23:59:5\x1f\x08]]> 2 jam yang lalu \U000a4a56'
    '\xc2\xff 25p>\U0008f105 Kualatungkal, Hajarnews.com \u2013 p>>]]> \xa0 \ufeff 25/05/2p>1e400 '
    '\U0005066a \U0004a07f\xeb\xff\x80J\x80section>\u0122\ufeffbi\U0010a7a5IB<p>Kual="data:text/html,'
    'x">\xc5\xc7\U000181c9\x93\U00063944\xc4\xcekemarin>Bupati kata berharap,\u201dy></html>'
)


def test_control_characters_in_the_story_fragment_are_harmless():
    assert outcome(FUZZ_FOUND, url="https://example.org/news?id=5", site="antarajambi") in ("record", "rejected")


@pytest.mark.parametrize("value", ["[]", "{}"])
def test_a_json_ld_id_that_is_not_text_is_ignored(value):
    node = f'{{"@type": "NewsArticle", "author": {{"@id": {value}}}}}'
    page = PAGES[0].replace("<head>", f'<head><script type="application/ld+json">{node}</script>', 1)
    assert outcome(page, url=URLS[1], site="antarajambi") == "record"


@pytest.mark.parametrize("where, img", [("story", '<img src="http://[">'),
                                        ("story", '<img src="http://x:99999/a.jpg">'),
                                        ("featured", '<div class="jeg_featured"><img src="http://["></div>')])
def test_a_malformed_image_url_costs_the_image_not_the_article(where, img):
    seed = html_to_unicode(None, (FIXTURES / "hajarnews" / "seed.html").read_bytes())[1]
    content = seed.index("entry-content")
    at = seed.index("<p", content) if where == "story" else seed.rindex("<div", 0, content)
    assert outcome(seed[:at] + img + seed[at:], url=SEED_URL) == "record"


def test_a_story_block_that_is_one_loose_run_of_text_is_harmless():
    """Found by bench/fuzz.py: a block holding only loose text is its own paragraph, with no parent to credit."""
    from hajar_scraper.parsers.body import clean_body
    from hajar_scraper.sites import get_profile

    body = clean_body("Teks lepas tanpa paragraf, cukup panjang untuk dibaca sebagai cerita.",
                      "https://hajarnews.com/2021/05/25/kabar/", get_profile("hajarnews"))
    assert body.text == "Teks lepas tanpa paragraf, cukup panjang untuk dibaca sebagai cerita."
