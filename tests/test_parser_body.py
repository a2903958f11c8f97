"""Body cleaning on small fragments: noise out, captions to images, tweets reduced, loose text split."""

from __future__ import annotations

import pytest

from hajar_scraper.parsers import parse_article
from hajar_scraper.parsers.body import clean_body, split_credit
from hajar_scraper.sites import GENERIC, get_profile

URL = "https://jambione.com/2023/03/14/contoh/"


def clean(inner: str, profile=GENERIC):
    return clean_body(f'<div class="entry-content">{inner}</div>', URL, profile)


def test_read_also_lines_and_their_lists_go():
    body = clean("<p>Satu.</p><p><strong>Baca Juga:</strong> <a href='/a'>Judul</a></p>"
                 "<p>Simak juga: <a href='/b'>Video</a></p><p>Lihat juga: <a href='/c'>Foto</a></p>"
                 "<p><strong>Baca Juga:</strong></p><ul><li><a href='/d'>Judul D</a></li></ul><p>Dua.</p>")
    assert body.text == "Satu.\n\nDua."
    assert body.html == "<p>Satu.</p><p>Dua.</p>"


def test_share_ad_newsletter_and_related_blocks_go():
    body = clean('<div class="sharedaddy"><h3>Bagikan:</h3></div><p>Isi berita.</p>'
                 '<div class="code-block"><ins class="adsbygoogle"></ins></div>'
                 '<div class="newsletter"><p>Dapatkan berita pilihan setiap pagi di kotak masuk Anda.</p></div>'
                 '<div class="jp-relatedposts"><p>Terkait lainnya dari redaksi kami hari ini.</p></div>'
                 "<p>Ikuti berita terkini Jambione di Google News, klik di sini.</p><p>ADVERTISEMENT</p>")
    assert body.text == "Isi berita."


def test_captions_belong_to_images_not_to_the_text():
    body = clean('<p>Isi.</p><div class="wp-caption"><img data-src="/foto.jpg" src="data:image/gif;base64,R0">'
                 '<p class="wp-caption-text">Warga antre. (Foto: Humas)</p></div>')
    assert body.text == "Isi."
    assert body.images == [{"url": "https://jambione.com/foto.jpg", "caption": "Warga antre.", "credit": "Humas"}]
    assert body.html == ('<p>Isi.</p><figure><img src="https://jambione.com/foto.jpg">'
                         "<figcaption>Warga antre. (Foto: Humas)</figcaption></figure>")


def test_embedded_tweet_is_reduced_to_its_text_and_other_embeds_dropped():
    body = clean('<p>Polisi mengunggah video.</p><blockquote class="twitter-tweet"><p lang="in">Dua pelaku diamankan. '
                 '<a href="https://t.co/x">pic.twitter.com/x</a></p>&mdash; Polda (@polda) <a href="#">May 1</a>'
                 '</blockquote><blockquote class="instagram-media"><a href="#">Lihat di Instagram</a></blockquote>'
                 '<blockquote class="twitter-tweet"><a href="https://t.co/y">pic.twitter.com/y</a></blockquote>')
    assert body.text == "Polisi mengunggah video.\n\nDua pelaku diamankan."
    assert body.html == "<p>Polisi mengunggah video.</p><blockquote><p>Dua pelaku diamankan.</p></blockquote>"


def test_empty_paragraphs_and_emptied_embeds_go():
    body = clean("<p>Satu.</p><p>&nbsp;</p><p></p><figure class='wp-block-embed'><div><iframe src='x'></iframe>"
                 "</div></figure><p>Dua.</p>")
    assert body.html == "<p>Satu.</p><p>Dua.</p>"


def test_text_split_by_br_becomes_paragraphs():
    body = clean_body('<div class="isi">Jambi (ANTARA) - Satu.<br /><br />\n"Dua," katanya.<br /><br />'
                      '<span class="baca-juga">Baca juga: <a href="/x">X</a></span><br /><br />Tiga.<br /><br /></div>',
                      URL, GENERIC)
    assert body.text == 'Jambi (ANTARA) - Satu.\n\n"Dua," katanya.\n\nTiga.'
    assert body.dateline == "Jambi"


def test_bylines_editor_corrections_and_signature_leave_the_text():
    profile = get_profile("hajarnews")
    body = clean("<p>Laporan: Budi Santoso</p><p>Kualatungkal, Hajarnews.com – Isi.</p><p>Penutup. (OD/*)</p>"
                 "<p>Editor: Rina</p><p><em>Ralat: Nama desa diperbaiki pada 26 Mei 2021.</em></p>", profile)
    assert body.text == "Kualatungkal, Hajarnews.com – Isi.\n\nPenutup."
    assert (body.byline.authors, body.byline.editor, body.signature, body.dateline) == (
        ["Budi Santoso"], "Rina", "OD/*", "Kualatungkal")
    assert body.corrections == [{"text": "Ralat: Nama desa diperbaiki pada 26 Mei 2021.",
                                 "date": "2021-05-26"}]
    assert "Editor" not in body.html and "Ralat" not in body.html and "(OD/*)" not in body.html


def test_sanitiser_keeps_only_the_allow_list():
    body = clean('<p title="t" lang="id" style="color:red" onclick="x()">Isi <a href="/x" target="_blank" '
                 'rel="nofollow">tautan</a> <b>tebal</b> <strong>kuat</strong></p><script>alert(1)</script>')
    assert body.html == '<p>Isi <a href="https://jambione.com/x">tautan</a> tebal <strong>kuat</strong></p>'


def test_split_credit():
    assert split_credit("Warga antre. (Foto: Humas Pemkab)") == ("Warga antre.", "Humas Pemkab")
    assert split_credit("Kapal sandar. (ANTARA/HO-Pelindo)") == ("Kapal sandar.", "ANTARA/HO-Pelindo")
    assert split_credit("Tanpa kredit.") == ("Tanpa kredit.", None)
    assert split_credit("") == (None, None)


def test_long_story_paragraphs_that_open_like_noise_stay():
    story = ("Dapatkan informasi pendaftaran lebih lanjut melalui layanan WhatsApp Dinas Pendidikan di nomor "
             "0812 7400 1234 pada hari kerja, kata kepala dinas. Pendaftaran dibuka hingga akhir bulan dan "
             "berkas dapat diserahkan langsung ke kantor kecamatan masing-masing tanpa dipungut biaya apa pun.")
    assert clean(f"<p>{story}</p>").text == story


@pytest.mark.parametrize(("head", "links", "expected"), [
    # WordPress `<!--nextpage-->`: `rel=next` in the head and "Halaman: 2" under the story.
    ('<link rel="next" href="https://hajarnews.com/2021/05/25/jembatan/2/">',
     '<div class="page-links">Halaman: <a href="https://hajarnews.com/2021/05/25/jembatan/2/">2</a></div>',
     "https://hajarnews.com/2021/05/25/jembatan/2/"),
    # Kompas and Tribun: `?page=2`, "Selanjutnya".
    ("", '<div class="paging"><a href="?page=2">Selanjutnya</a></div>',
     "https://hajarnews.com/2021/05/25/jembatan/?page=2"),
    # A story that is whole: the link to the next story is no page of this one.
    ('<link rel="next" href="https://hajarnews.com/2021/05/26/pasar/">', "", None),
])
def test_a_story_split_over_pages_says_where_it_continues(head, links, expected):
    story = "".join(f"<p>Paragraf {i} dari cerita jembatan yang rusak, cukup panjang untuk dibaca.</p>" for i in range(5))
    html = (f'<html><head>{head}<meta property="article:published_time" content="2021-05-25T10:00:00+07:00">'
            f'</head><body><article><h1 class="entry-title">Jembatan Rusak</h1><div class="entry-content">{story}'
            f"{links}</div></article></body></html>")
    record = parse_article(html, "https://hajarnews.com/2021/05/25/jembatan/", site="hajarnews")
    assert record["provenance"].get("body_text_next_page") == expected
    assert "Selanjutnya" not in record["body_text"] and "Halaman" not in record["body_text"]


def test_a_theme_meta_line_with_date_counter_and_byline_leaves_the_story():
    body = clean_body('<div class="isi"><p>Kamis, 27/05/2021 08:05 WIB | Dibaca: 512 kali | Penulis: Budi</p>'
                      "<p>SENGETI - Jembatan ditutup sementara untuk perbaikan lantai yang keropos.</p>"
                      "<h3>Berita Terkait</h3></div>", URL, get_profile("jambiindependent"))
    assert body.text == "SENGETI - Jembatan ditutup sementara untuk perbaikan lantai yang keropos."
    assert body.byline.authors == ["Budi"]
