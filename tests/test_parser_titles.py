"""Headlines: the page's machine titles in trust order, the site-name affix cut however the outlet writes it."""

from __future__ import annotations

import pytest

from hajar_scraper.parsers import parse_article
from hajar_scraper.parsers.titles import clean_title

STORY = "".join(f"<p>Paragraf berita nomor {i}, cukup panjang untuk dibaca sebagai bagian cerita ini.</p>"
                for i in range(6))


@pytest.mark.parametrize(("title", "names", "expected"), [
    ("KapanLagi.com: Raisa Rilis Lagu Baru", {"kapanlagi"}, "Raisa Rilis Lagu Baru"),
    ("Harga Cabai Naik Lagi | Republika Online", {"republika"}, "Harga Cabai Naik Lagi"),
    ("Banjir Rendam Ratusan Rumah - Kompas.com", {"kompas"}, "Banjir Rendam Ratusan Rumah"),
    ("Hajarnews.com | Wabup Tanjabbar Hadiri Sosialisasi", {"hajarnews"}, "Wabup Tanjabbar Hadiri Sosialisasi"),
    ("Jalan Rusak » Jambi Ekspres", {"jambiekspres"}, "Jalan Rusak"),
    ("Berita Terkini – Tribunjambi.com", {"tribunjambi"}, "Berita Terkini"),
    ("Pemain Persib Cedera : Okezone News", {"okezone"}, "Pemain Persib Cedera"),
    # The headline's own dashes and colons stay: only a part that is the site's name goes.
    ("Bupati: Jalan Rusak Segera Diperbaiki - Kompas.com", {"kompas"}, "Bupati: Jalan Rusak Segera Diperbaiki"),
    ("Tanjab Barat - Jambi Juara Dayung", {"kompas"}, "Tanjab Barat - Jambi Juara Dayung"),
    # A CMS that escaped its title twice.
    ("Strava taps AI, unveils &#8216;family&#8217; plan", set(), "Strava taps AI, unveils ‘family’ plan"),
])
def test_site_name_affix_is_cut(title, names, expected):
    assert clean_title(title, names) == expected


def page(head: str, body: str) -> str:
    return f"<html><head>{head}</head><body>{body}<div class='isi'>{STORY}</div></body></html>"


@pytest.mark.parametrize(("head", "body", "expected", "source"), [
    # JSON-LD, then og:title, then twitter:title: the order measured best on the real pages (bench/realpages.py).
    ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Judul JSON-LD",'
     ' "datePublished": "2021-05-25T10:00:00+07:00"}</script><meta property="og:title" content="Judul OG - Situs">',
     "<h1>Judul Tampil</h1>", "Judul JSON-LD", "jsonld"),
    ('<meta property="og:title" content="Judul OG | Kompas.com"><meta property="og:type" content="article">'
     '<meta property="article:published_time" content="2021-05-25T10:00:00+07:00">',
     "<h1>Judul Tampil</h1>", "Judul OG", "meta"),
    # An older theme: no machine title; the heading that agrees with <title>, not the logo's <h1>.
    ("<title>Hajarnews.com | Jembatan Desa Rusak Parah</title>",
     '<h1 class="logo">Hajarnews</h1><h2 class="post-title">Jembatan Desa Rusak Parah</h2>'
     "<div>Selasa, 25 Mei 2021</div>", "Jembatan Desa Rusak Parah", "selector"),
    ("<title>Hajarnews.com | Jembatan Desa Rusak Parah</title>",
     '<div class="judul">Jembatan Desa Rusak Parah</div><div>Selasa, 25 Mei 2021</div>',
     "Jembatan Desa Rusak Parah", "selector"),
])
def test_headline_sources(head, body, expected, source):
    record = parse_article(page(head, body), "https://kompas.com/read/2021/05/25/judul", site=None)
    assert (record["title"], record["provenance"]["title"]) == (expected, source)
