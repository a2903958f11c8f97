"""Where a page names its writer, as real pages do (../shared/realpages): meta tags beside `author`
(Euronews, Börsen-Zeitung, The Nation, WordPress with Yoast), and the `von …` line under a printed headline
that differs from the page's machine title (MDR, LTO)."""

from __future__ import annotations

import json

import pytest

from hajar_scraper.parsers import parse_article

URL = "https://www.example.de/nachrichten/schwein-100.html"
STORY = "".join(f"<p>Absatz {i}: Pro Stunde werden in Schmalkalden etwa 45 Schweine geschlachtet und zerlegt.</p>"
                for i in range(5))


def page(head: str = "", under_headline: str = "", headline: str = "Schweine im Akkord") -> str:
    return (f'<html lang="de"><head><meta property="article:published_time" content="2023-04-28T05:00:00+02:00">'
            f'<meta property="og:type" content="article">{head}</head><body><main><h1>{headline}</h1>'
            f'{under_headline}<div class="article-body">{STORY}</div></main></body></html>')


@pytest.mark.parametrize(("head", "authors"), [
    ('<meta name="article:author" content="Malek Fouda">', ["Malek Fouda"]),
    ('<meta property="article:author" content="https://www.facebook.com/someone">', []),
    ('<meta name="author" content="d.kuckelkorn@boersen-zeitung.de">'
     '<meta name="twitter:misc:Written by" content="Dieter Kuckelkorn">', ["Dieter Kuckelkorn"]),
    ('<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Odi Saputra">'
     '<meta name="twitter:label2" content="Est. reading time"><meta name="twitter:data2" content="2 minutes">',
     ["Odi Saputra"]),
    ('<meta name="sailthru.author" content="Sarah Lazare">', ["Sarah Lazare"]),
])
def test_meta_tags_that_name_the_writer(head, authors):
    record = parse_article(page(head), URL)
    assert record["authors"] == authors
    assert record["provenance"].get("authors") == ("meta" if authors else None)


def test_the_by_line_under_a_headline_the_machine_title_does_not_match():
    """MDR: the JSON-LD headline is written for search engines, the meta author is the site's address; the
    reader sees `von David Straub, MDR THÜRINGEN` under the printed headline."""
    node = {"@context": "https://schema.org", "@type": "NewsArticle", "datePublished": "2023-04-28T05:00:00+02:00",
            "headline": "Schlachthof in Schmalkalden: Wie Thüringer Landstolz arbeitet"}
    html = page(f'<meta name="author" content="mdr.de"><script type="application/ld+json">{json.dumps(node)}</script>',
                '<div class="authorWrapper"><p class="author">von <a href="mailto:d@mdr.de">David Straub, MDR '
                'THÜRINGEN</a></p><p class="webtime">Stand: 28. April 2023, 05:00 Uhr</p></div>')
    record = parse_article(html, URL)
    assert record["title"] == "Schlachthof in Schmalkalden: Wie Thüringer Landstolz arbeitet"
    assert (record["authors"], record["provenance"]["authors"]) == (["David Straub"], "text")


def test_the_outlet_is_credited_when_no_one_is_named():
    record = parse_article(page('<meta name="author" content="mdr.de">'), URL)
    assert (record["authors"], record["provenance"]["authors"]) == (["mdr.de"], "meta")
