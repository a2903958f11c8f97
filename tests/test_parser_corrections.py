"""Editors' correction notes become `corrections` entries with the date they give for themselves."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from hajar_scraper.parsers.corrections import correction, is_correction

NOW = datetime(2021, 11, 10, 3, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("text", "date"), [
    ("Ralat: Berita ini telah diperbaiki pada Selasa, 9 November 2021 pukul 14.20 WIB. Sebelumnya tertulis 20 Mei.",
     "2021-11-09T14:20:00+07:00"),
    ("Ralat (26/5/2021): nama korban sebelumnya tertulis Ahmad.", "2021-05-26"),  # a day: no time invented
    ("Catatan Redaksi: Judul berita ini diubah pada 19 Januari 2023 pukul 09.40 WIB.", "2023-01-19T09:40:00+07:00"),
    ("Catatan redaksi: artikel ini mengalami perubahan judul.", None),
    ("Artikel ini telah diperbarui pada Rabu, 17 Agustus 2022 pukul 13.00 WIB dengan keterangan PLN.",
     "2022-08-17T13:00:00+07:00"),
    ("Artikel ini telah direvisi pada 2 Maret 2023 pukul 08.30 WIB karena salah tulis.", "2023-03-02T08:30:00+07:00"),
    ("Berita ini sudah diralat pada 27/05/2021 08:00 WIB.", "2021-05-27T08:00:00+07:00"),
    ("Koreksi: jumlah korban sebelumnya tertulis lima orang.", None),
    ("Artikel ini telah mengalami perubahan pada kemarin pukul 10.00 WIB.", "2021-11-09T10:00:00+07:00"),
])
def test_correction_notes(text, date):
    assert is_correction(text)
    assert correction(text, "Asia/Jakarta", NOW) == {"text": text, "date": date}


@pytest.mark.parametrize("text", [
    "Artikel ini telah tayang di Tribunjambi.com dengan judul Banjir Rendam Kerinci.",
    "Ralat yang disampaikan pemerintah dinilai terlambat oleh warga.",
    "Warga meminta berita ini diperbarui oleh pemerintah.",
    "Catatan penting bagi pemudik: periksa kendaraan sebelum berangkat.",
])
def test_ordinary_paragraphs_are_not_corrections(text):
    assert not is_correction(text)


def test_note_date_in_the_site_zone():
    note = correction("Ralat: diperbaiki pada 9 November 2021 pukul 14.20 WIB.", "Asia/Makassar")
    assert note["date"] == "2021-11-09T15:20:00+08:00"
