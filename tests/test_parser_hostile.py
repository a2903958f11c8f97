"""Hostile input to the parser (the outside attack of the hostile-web issue): no script text in any field, no
`javascript:` or `data:` address kept, and a stray NUL byte is not a binary file."""

from __future__ import annotations

import pytest

from hajar_scraper.parsers import parse_article
from hajar_scraper.record import BadPage

URL = "https://hajarnews.com/2021/05/25/jembatan/"
STORY = "".join(f"<p>Paragraf {i} tentang jembatan desa yang rusak parah dan mulai diperbaiki warga.</p>"
                for i in range(5))


def page(head: str = "", byline: str = "", story: str = STORY) -> str:
    return (f'<html><head><meta property="article:published_time" content="2021-05-25T10:00:00+07:00">{head}</head>'
            f'<body><article><h1 class="entry-title">Jembatan Rusak</h1>{byline}<div class="entry-content">{story}'
            "</div></article></body></html>")


def test_script_and_style_text_reach_no_field():
    html = page(byline='<div class="byline"><span class="author vcard"><a>Budi<script>window.__pwned=1;</script>'
                       "<style>a{color:red}</style></a></span></div>",
                story=STORY + "<p>Akhir cerita.<script>window.__pwned=2;</script></p>")
    record = parse_article(html, URL, site="hajarnews")
    assert record["authors"] == ["Budi"]
    everything = repr(record)
    assert "__pwned" not in everything and "color:red" not in everything


@pytest.mark.parametrize("address", ["javascript:alert(1)", "data:image/png;base64,AAAA", "ftp://hajarnews.com/x.jpg"])
def test_an_image_address_that_is_not_a_web_address_is_dropped(address):
    html = page(head=f'<meta property="og:image" content="{address}">',
                story=STORY + f'<figure><img src="{address}"><figcaption>Foto jembatan</figcaption></figure>')
    record = parse_article(html, URL, site="hajarnews")
    assert record["images"] == []


def test_one_nul_byte_in_a_good_page_is_no_binary_file():
    record = parse_article(page(story=STORY.replace("<p>", "<p>\x00", 1)), URL, site="hajarnews")
    assert record["title"] == "Jembatan Rusak"


@pytest.mark.parametrize("data", ["%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>",
                                  "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + "\x00\x01" * 50,
                                  "x" * 100 + "\x00\x01\x02\x03" * 20])
def test_a_binary_file_is_refused(data):
    with pytest.raises(BadPage, match="binary content, not HTML"):
        parse_article(data, URL, site="hajarnews")


@pytest.mark.parametrize(("canonical", "expected"), [
    ("https://hajarnews.com/2021/05/25/jembatan/", "https://hajarnews.com/2021/05/25/jembatan/"),
    ("http://hajarnews.com/2021/05/25/jembatan-lama/", "http://hajarnews.com/2021/05/25/jembatan-lama/"),
    ("https://hajarnews.com:8443/2021/05/25/lain/", URL),  # another port of the host is another site's claim
    ("https://elsewhere.example/2021/05/25/lain/", URL),
])
def test_a_canonical_link_counts_only_on_the_same_site(canonical, expected):
    record = parse_article(page(head=f'<link rel="canonical" href="{canonical}">'), URL, site="hajarnews")
    assert record["url"] == expected
