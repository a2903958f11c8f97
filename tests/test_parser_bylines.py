"""Bylines, editors, placeholders, datelines and signature codes (issue 4)."""

from __future__ import annotations

import re

import pytest

from hajar_scraper.parsers.bylines import (
    Byline, by_line, choose_authors, clean_name, dateline, find_signature, is_author_note, is_byline_line,
    is_placeholder, read_byline,
)


@pytest.mark.parametrize(("line", "authors", "editor"), [
    ("Penulis: Budi Santoso", ["Budi Santoso"], None),
    ("Reporter: Andri Saputra | Editor: Rina Kartika", ["Andri Saputra"], "Rina Kartika"),
    ("Oleh: Siti Aisyah", ["Siti Aisyah"], None),
    ("Editor: Ahmad Fauzi", [], "Ahmad Fauzi"),
    ("Penyunting: Dedy Kurniawan", [], "Dedy Kurniawan"),
    ("Redaktur: JOKO SANTOSO", [], "Joko Santoso"),
    ("Laporan: Fitri Handayani", ["Fitri Handayani"], None),
    ("Penulis: Dedi Irawan dan Mulyadi", ["Dedi Irawan", "Mulyadi"], None),
    ("Reporter: Eko Prasetyo & Dian Novita", ["Eko Prasetyo", "Dian Novita"], None),
    ("Penulis: Yusuf Hamdani, Lia Marlina & Taufik Hidayat", ["Yusuf Hamdani", "Lia Marlina", "Taufik Hidayat"], None),
    ("Penulis : A Rahman, B Lubis & C Nasution Editor : D Siregar", ["A Rahman", "B Lubis", "C Nasution"], "D Siregar"),
    ("Penulis: Rahmad Hidayat / Editor: Maria Ulfa", ["Rahmad Hidayat"], "Maria Ulfa"),
    ("Oleh: Dr. H. Ahmad Fauzan, M.Pd", ["Dr. H. Ahmad Fauzan, M.Pd"], None),
    ("Pewarta: Tuyani dan Nanang Mairiadi", ["Tuyani", "Nanang Mairiadi"], None),
    ("Laporan Wartawan Tribunjambi.com, Andi Saputra", ["Andi Saputra"], None),
    ("Reporter: budi@jambiupdate.co Budi Santoso", ["Budi Santoso"], None),
])
def test_byline_lines(line, authors, editor):
    assert is_byline_line(line)
    byline = Byline()
    read_byline(line, byline)
    assert (byline.authors, byline.editor) == (authors, editor)


@pytest.mark.parametrize("text", [
    "Penulis buku itu hadir dalam diskusi di Taman Budaya Jambi, Sabtu (12/3/2022).",
    "Reporter televisi lokal juga meliput kegiatan tersebut.",
    "Oleh karena itu, warga diminta waspada: hujan lebat masih akan turun.",
    "Editor: " + "x" * 200,
])
def test_sentences_are_not_bylines(text):
    assert not is_byline_line(text)


def test_author_note_of_opinion_pieces():
    assert is_author_note("Penulis adalah dosen Universitas Jambi.")
    assert not is_author_note("Penulis buku itu hadir dalam diskusi.")


@pytest.mark.parametrize(("name", "outlets", "expected"), [
    ("Admin", (), True), ("admin", (), True), ("Redaksi", (), True), ("Tim Redaksi", (), True),
    ("Redaksi Jambiupdate", ("Jambiupdate.co",), True), ("sumeks", ("Sumeks.co",), True),
    ("Jambiupdate.co", ("Jambiupdate.co",), True), ("Administrator", (), True),
    ("Budi Santoso", ("Jambiupdate.co",), False), ("Fauzi Jihad", ("Jambi Independent",), False),
])
def test_placeholders(name, outlets, expected):
    assert is_placeholder(name, outlets) is expected


@pytest.mark.parametrize(("candidates", "editor", "expected"), [
    ((("jsonld", ["Admin"]), ("selector", ["Admin"]), ("text", ["Budi"])), None, (["Budi"], "text")),
    ((("jsonld", ["Rina Kartika"]), ("text", ["Fitri Handayani"])), "Rina Kartika", (["Fitri Handayani"], "text")),
    ((("jsonld", ["Hendra Gunawan"]), ("text", ["Hendra"])), None, (["Hendra Gunawan"], "jsonld")),
    ((("jsonld", ["Admin"]), ("meta", ["Redaksi"])), None, ([], None)),  # accounts: no reporter named
    ((("jsonld", ["Admin"]), ("meta", ["ANTARA"])), None, (["Antara"], "meta")),  # the credited outlet, else
    ((("jsonld", []), ("meta", []), ("selector", ["Oleh Budi Santoso"])), None, (["Budi Santoso"], "selector")),
    ((("jsonld", []),), None, ([], None)),
])
def test_choose_authors_prefers_people_and_keeps_the_editor_apart(candidates, editor, expected):
    assert choose_authors(candidates, editor, ("Jambiupdate.co",)) == expected


def test_clean_name():
    assert clean_name("  Oleh  Budi Santoso / Jambi Ekspres ") == "Budi Santoso"
    assert clean_name("BUDI SANTOSO") == "Budi Santoso"
    assert clean_name(" - ") is None


@pytest.mark.parametrize(("text", "expected"), [
    ("Kualatungkal, Hajarnews.com – Wakil Bupati hadir.", "Kualatungkal"),
    ("KUALA TUNGKAL, HAJARNEWS.COM – Pemkab menggelar rapat.", "Kuala Tungkal"),
    ("Jambi (ANTARA) - Gubernur Jambi meminta percepatan.", "Jambi"),
    ("Muarasabak (ANTARA) - Pelabuhan kembali dibuka.", "Muarasabak"),
    ("Muarasabak - Bupati Tanjab Timur meninjau banjir.", "Muarasabak"),
    ("MUARASABAK - Harga pinang naik.", "Muarasabak"),
    ("Muara Sabak – “Kami siap,” kata Bupati.", "Muara Sabak"),
    ("JAMBIUPDATE.CO, MUARA BULIAN – Ratusan hektare kebun terendam.", "Muara Bulian"),
    ("TRIBUNJAMBI.COM, JAMBI - Polisi menangkap dua pelaku.", "Jambi"),
    ("Jambi, Jambiupdate.co – Pemkot memperpanjang pendaftaran.", "Jambi"),
    ("PEKANBARU (RIAUPOS.CO) – Pemprov Riau memperpanjang status.", "Pekanbaru"),
])
def test_datelines(text, expected):
    assert dateline(text, ("Hajarnews.com", "Jambiupdate.co")) == expected


@pytest.mark.parametrize("text", [
    "Wakil Gubernur Jambi – Abdullah Sani – meminta seluruh kepala sekolah transparan.",
    "Harga Pinang Kering – komoditas andalan petani – mendorong warga memperluas kebun.",
    "Bupati Tanjab Barat - Anwar Sadat meresmikan jembatan.",
    "Sementara itu - kata dia - warga diminta tenang.",
    "Pemkab Muaro Jambi - Bupati meninjau lokasi banjir.",
    "Covid-19 kembali meningkat di Kota Jambi.",
    "Ribuan warga memadati car free day perdana di Jalan Sudirman.",
    "Jambi, kota yang terus berbenah - begitu kata wali kota.",
])
def test_ordinary_sentence_openings_are_not_datelines(text):
    assert dateline(text, ("Hajarnews.com",)) is None


@pytest.mark.parametrize(("text", "whole", "code"), [
    ("(OD/*)", True, "OD/*"), ("(rls)", True, "rls"), ("(*/red)", True, "*/red"), ("(ant)", True, "ant"),
    ("Warga diminta waspada. (ant)", False, "ant"), ("Selesai dibangun. (*/sa)", False, "*/sa"),
    ("(hfz)", True, "hfz"), ("(*)", True, "*"),
    ("kata Budi (dkk)", False, None), ("pada tahun 2021 (25)", False, None), ("dikenal (Jambi Ekspres)", False, None),
])
def test_signatures(text, whole, code):
    match = find_signature(text, whole_line=whole)
    assert (match["code"].strip() if match else None) == code


def test_profile_signature_patterns_add_codes_the_generic_rule_refuses():
    assert find_signature("mulai bulan depan. (MJ-07)") is None
    assert find_signature("mulai bulan depan. (MJ-07)", [re.compile(r"MJ-\d{1,3}", re.I)])["code"] == "MJ-07"


# Credits as real pages print them (../shared/realpages: Global News, Börsen-Zeitung, BSZ, NZZ, MDR, The
# Nation, Salzburger Nachrichten, Euronews).
@pytest.mark.parametrize(("names", "authors"), [
    (["Samya Kullab and Vasilisa Stepanenko"], ["Samya Kullab", "Vasilisa Stepanenko"]),
    (["Felix Schröder und Jörg Soldwisch, dpa"], ["Felix Schröder", "Jörg Soldwisch", "dpa"]),
    (["Elena Oberholzer (obe)", "Oliver Maksan (oma)"], ["Elena Oberholzer", "Oliver Maksan"]),
    (["Dan Brown"], ["Dan Brown"]),  # a capitalised `Dan` is a name, not Indonesian `dan`
    (["Kullab, Samya"], ["Kullab, Samya"]),  # commas alone do not make a list
])
def test_a_list_given_as_one_name_is_split(names, authors):
    assert choose_authors([("jsonld", names)], None) == (authors, "jsonld")


@pytest.mark.parametrize(("line", "authors"), [
    ("By Sarah Lazare", ["Sarah Lazare"]),
    ("von David Straub, MDR THÜRINGEN", ["David Straub"]),
    ("von Dr. Max Kolter", ["Dr. Max Kolter"]),
    ("Von Malek Fouda", ["Malek Fouda"]),
    ("Oleh Dedi Irawan dan Mulyadi", ["Dedi Irawan", "Mulyadi"]),
    ("von APA", []),  # an agency in capitals is no person
    ("by the end of the week prices rose", []),
    ("By 2024 the bridge was finished", []),
])
def test_a_by_line_without_a_colon(line, authors):
    assert by_line(line) == authors


@pytest.mark.parametrize("name", ["mdr.de", "ntv.com.tr", "LTO", "AFP"])
def test_a_web_address_or_one_capitalised_word_is_an_outlet_not_a_person(name):
    assert choose_authors([("meta", [name]), ("text", ["David Straub"])], None) == (["David Straub"], "text")
    assert choose_authors([("meta", [name])], None) == ([name], "meta")  # credited when no one else is named
    assert choose_authors([("jsonld", ["Paula Steiger", name])], None) == (["Paula Steiger", name], "jsonld")
