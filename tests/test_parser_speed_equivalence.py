"""The parse-speed shortcuts (bench/parse.py) give what the plain library calls they replace give.

No timing here: speed is measured by bench/parse.py only.
"""

from __future__ import annotations

import re

import lxml.html
import pytest
from bs4 import BeautifulSoup
from extruct.jsonld import JsonLdExtractor
from w3lib.url import url_query_cleaner

from conftest import FIXTURES
from hajar_scraper.parsers import body, selectors, structured
from hajar_scraper.parsers.document import _PAGE_END, _clean_bytes
from hajar_scraper.sites import DEFAULT_SELECTORS, profiles
from hajar_scraper.urls import TRACKING_PARAMS

PAGE = """<html><body><nav class="menu"><a href="/a" rel="tag">A</a></nav>
<article class="post"><h1 class="entry-title">Judul</h1>
<time class="entry-date published" datetime="2021-05-25">x</time>
<div class="entry-content" itemprop="articleBody"><p>Satu</p><div class="sharedaddy">Bagikan</div>tail
<p class="a&#9;b">Dua</p><script>var x;</script>
<span class="byline"><span class="author vcard"><a>Budi</a></span></span>
<figure class="wp-caption"><img src="x.jpg"><figcaption>Foto</figcaption></figure><h2 class="x">Sub</h2></div>
</article><aside><a rel="category tag">Kabar</a><p title="a, b">c</p></aside></body></html>"""
SELECTORS = [*DEFAULT_SELECTORS.values(), "p + h2", "p ~ .x", ":not(.post) p", "[title!=z]", "p[title='a, b']",
             ".a", ".b", "h2.x, .sharedaddy", "[itemprop]", "a[rel~=tag]"]


def _plain_select(scope, selector: str) -> list:
    found: list = []
    for part in selector.split(",") if selector else ():
        found.extend(n for n in selectors.css(part.strip())(scope) if n not in found)
    return found


@pytest.mark.parametrize("selector", [s for s in SELECTORS if "'a, b'" not in s])
@pytest.mark.parametrize("where", ["document", "article", "aside"])
def test_a_scope_selects_what_each_selector_matches(selector, where):
    tree = lxml.html.document_fromstring(PAGE)
    root = tree if where == "document" else tree.find(f".//{where}")
    assert selectors.Scope(root).select(selector) == _plain_select(root, selector)


@pytest.mark.parametrize("selector", [*SELECTORS, DEFAULT_SELECTORS["drop"] + ", .x"])
def test_a_scope_drops_what_the_whole_list_matches(selector):
    kept, plain = lxml.html.document_fromstring(PAGE), lxml.html.document_fromstring(PAGE)
    selectors.Scope(kept.find(".//article")).drop(selector)
    root = plain.find(".//article")
    for node in selectors.css(selector)(root) if selector else ():
        if node is not root and node.getparent() is not None:
            node.drop_tree()
    assert lxml.html.tostring(kept) == lxml.html.tostring(plain)


@pytest.mark.parametrize("html", ["a\x0bb\x00c\x7f\x1f\ufffe\uffff", "é\x0c€\ud800\U0001f600\x08", "\uffef\uffbf",
                                  ""])
def test_control_characters_go_from_the_bytes_as_from_the_text(html):
    regex = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
    assert _clean_bytes(html) == regex.sub("", html).encode("utf-8", "replace")


def test_no_character_but_the_ascii_ones_lowers_into_a_page_end():
    """`_PAGE_END` finds `</html>`, `</body>` or the footer in a page's tail as a lowered search does."""
    letters = set("</htmlbodyfter>")
    assert not [c for c in map(chr, range(0x110000)) if set(c.lower()) & letters and c.lower() not in letters]
    ends = ("</html>", "</body>", "<footer>", "<footer ", 'class="site-footer"', "id='footer'")
    for tail in ("x</HTML>", "</Html >", "</html", "İ</hTmL>", "K</html>", "</BODY>", "</bodyx>", "<FOOTER class=x>",
                 "<footers>", '<div class="site-footer">', "<div id='Footer'>", '<div class="footnote">'):
        assert bool(_PAGE_END.search(tail)) == any(end in tail.lower() for end in ends), tail


@pytest.mark.parametrize("script", ['{"@type": "NewsArticle"}', '[{"a": 1}, {}, 2, null, "x"]', "{}", "[]", '"text"',
                                    '// note\n{"@type": "Article"}', '<!-- x -->\n{"a": "b\tc"}', "{broken"])
def test_json_ld_is_read_as_extruct_reads_it(script):
    node = lxml.html.fragment_fromstring(f'<script type="application/ld+json">{script}</script>')

    def outcome(read):
        try:
            return read(node)
        except Exception as error:  # noqa: BLE001  both must fail alike
            return type(error)

    assert outcome(structured._script_items) == outcome(JsonLdExtractor().extract_items)


MARKUP = (PAGE, "<p>a<br>b</p>", "<div><p>x</div>", "", "<table><tr><td>x</table>",
          "<p title='a&quot;b&amp;c'>1 &lt; 2 &amp;&amp; 3 &gt; 2 &nbsp;é</p>",
          "<style>a>b{}</style><script>if(a<b&&c)</script>",
          "<textarea>&lt;x&gt;</textarea><pre>  x\n</pre><!-- c --><?php x ?>")


@pytest.mark.parametrize("markup", MARKUP)
def test_the_minimal_formatter_writes_what_bs4s_writes(markup):
    soup = BeautifulSoup(markup, "lxml")
    assert soup.decode_contents(formatter=body._MINIMAL) == soup.decode_contents(formatter="minimal")


@pytest.mark.parametrize("url", ["https://Hajarnews.com/2021/x/amp/", "https://x.com/a b/;p", "/rel", "http://[::1",
                                 "https://x.com/%7Euser/", ""])
def test_an_address_without_query_or_fragment_is_one_the_cleaners_leave_alone(url):
    """`canonical_url` skips the query cleaners for such addresses."""
    assert url_query_cleaner(url, TRACKING_PARAMS, remove=True, keep_fragments=False) == url
    assert url_query_cleaner(url, [], remove=True) == url


def _content_nodes():
    """(fixture, profile, page tree, content node) for every fixture page whose profile finds a content node."""
    from w3lib.encoding import html_to_unicode

    from hajar_scraper.parsers import article, document
    from hajar_scraper.record import Rejected
    from hajar_scraper.sites import get_profile

    for path in sorted(FIXTURES.glob("*/*.html")):
        profile = get_profile(path.parent.name if path.parent.name in profiles() else "hajarnews")
        try:
            tree = document.read_tree(html_to_unicode(None, path.read_bytes())[1])
        except Rejected:
            continue
        nodes = article.find_story(tree, profile).nodes
        if nodes:
            yield pytest.param(profile, tree, nodes[0], id=f"{path.parent.name}/{path.stem}")


CONTENT_NODES = list(_content_nodes())


def test_the_fixture_pages_give_content_nodes_to_compare():
    """The next test is parametrised by them: without this, a finder that found nothing would skip it."""
    assert len(CONTENT_NODES) >= 30


@pytest.mark.parametrize("profile, tree, node", CONTENT_NODES)
def test_the_content_node_cleans_as_its_html_does(profile, tree, node):
    """`parse_page` hands `clean_body` the node itself (copied), not its HTML; the page stays as it was."""
    page = lxml.html.tostring(tree)
    fragment = lxml.html.tostring(node, encoding="unicode")
    url = "https://hajarnews.com/2021/05/25/x/"
    assert body.clean_body(node, url, profile) == body.clean_body(fragment, url, profile)
    assert lxml.html.tostring(tree) == page
