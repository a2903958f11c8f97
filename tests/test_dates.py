from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from hajar_scraper.dates import DateError, is_date_line, parse_date, plausible, read_machine, to_site_time

JKT, MKS, JAY = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
NOW = datetime(2021, 5, 25, 16, 42, 37, tzinfo=ZoneInfo(JKT))

PARSE_CASES = [
    # Forms named in the spec
    ("Selasa, 25 Mei 2021 - 16:42 WIB", JKT, "2021-05-25T16:42:00+07:00"),
    ("25/05/2021 16:42", JKT, "2021-05-25T16:42:00+07:00"),
    ("Selasa (25/05/21)", JKT, "2021-05-25"),
    ("25 Mei 2021 | 16.42 WITA", JKT, "2021-05-25T15:42:00+07:00"),
    ("25-05-2021", JKT, "2021-05-25"),
    ("2021-05-25 16:42:37", JKT, "2021-05-25T16:42:37+07:00"),
    ("Rabu, 26 Mei 2021 08:05", JKT, "2021-05-26T08:05:00+07:00"),
    ("26 Mei 2021, 08:05 WIB", JKT, "2021-05-26T08:05:00+07:00"),
    ("Kamis 27/5/2021 pukul 09.30 WIB", JKT, "2021-05-27T09:30:00+07:00"),
    ("Diterbitkan 25 Mei 2021", JKT, "2021-05-25"),
    # Day names
    ("Senin, 24 Mei 2021 21:05 WIB", JKT, "2021-05-24T21:05:00+07:00"),
    ("Jumat, 28 Mei 2021 07:00 WIB", JKT, "2021-05-28T07:00:00+07:00"),
    ("Jum'at, 28 Mei 2021 07:00 WIB", JKT, "2021-05-28T07:00:00+07:00"),
    ("Sabtu, 29 Mei 2021 | 19:15 WITA", MKS, "2021-05-29T19:15:00+08:00"),
    ("Minggu, 30 Mei 2021 06:00 WIT", JAY, "2021-05-30T06:00:00+09:00"),
    ("Ahad, 30 Mei 2021 - 10:10 WIB", JKT, "2021-05-30T10:10:00+07:00"),
    # Full Indonesian month names
    ("1 Januari 2021", JKT, "2021-01-01"),
    ("14 Februari 2021 20:00 WIB", JKT, "2021-02-14T20:00:00+07:00"),
    ("3 Maret 2020", JKT, "2020-03-03"),
    ("17 April 2021 12:30", JKT, "2021-04-17T12:30:00+07:00"),
    ("1 Juni 2021", JKT, "2021-06-01"),
    ("9 Juli 2021 23:59 WIB", JKT, "2021-07-09T23:59:00+07:00"),
    ("17 Agustus 2021 10:00 WIB", JKT, "2021-08-17T10:00:00+07:00"),
    ("30 September 2021", JKT, "2021-09-30"),
    ("28 Oktober 2021 09:00 WIB", JKT, "2021-10-28T09:00:00+07:00"),
    ("10 November 2020", JKT, "2020-11-10"),
    ("31 Desember 2020 23:59 WIB", JKT, "2020-12-31T23:59:00+07:00"),
    # Abbreviated months, with and without dot, any case
    ("25 Jan 2021", JKT, "2021-01-25"),
    ("5 Feb. 2021", JKT, "2021-02-05"),
    ("12 Mar 2021 14:00", JKT, "2021-03-12T14:00:00+07:00"),
    ("2 Apr 2021", JKT, "2021-04-02"),
    ("7 Jun 2021", JKT, "2021-06-07"),
    ("8 Jul. 2021", JKT, "2021-07-08"),
    ("17 Agu 2021", JKT, "2021-08-17"),
    ("17 Agt 2021", JKT, "2021-08-17"),
    ("17 Agst 2021", JKT, "2021-08-17"),
    ("17 Ags. 2021", JKT, "2021-08-17"),
    ("9 Sep 2021", JKT, "2021-09-09"),
    ("9 Sept. 2021", JKT, "2021-09-09"),
    ("15 Okt 2021", JKT, "2021-10-15"),
    ("3 Nop 2020", JKT, "2020-11-03"),
    ("3 Nov 2020", JKT, "2020-11-03"),
    ("24 Des 2020 18:00 WIB", JKT, "2020-12-24T18:00:00+07:00"),
    ("25 MEI 2021 16:42 WIB", JKT, "2021-05-25T16:42:00+07:00"),
    ("25 mei 2021", JKT, "2021-05-25"),
    ("SELASA, 25 MEI 2021 - 16:42 WIB", JKT, "2021-05-25T16:42:00+07:00"),
    ("25 Mei 21", JKT, "2021-05-25"),
    ("25-Mei-2021", JKT, "2021-05-25"),
    # English months and forms (WordPress en locale)
    ("May 25, 2021 4:42 pm", JKT, "2021-05-25T16:42:00+07:00"),
    ("25 May 2021", JKT, "2021-05-25"),
    ("May 25, 2021 at 11:05 am", JKT, "2021-05-25T11:05:00+07:00"),
    ("May 25th, 2021 12:00 am", JKT, "2021-05-25T00:00:00+07:00"),
    ("Tuesday, May 25, 2021 12:15 PM", JKT, "2021-05-25T12:15:00+07:00"),
    ("August 17, 2021", JKT, "2021-08-17"),
    ("Mei 25, 2021", JKT, "2021-05-25"),
    ("25 Aug 2021 08:30", JKT, "2021-08-25T08:30:00+07:00"),
    # Relative forms, counted from NOW (2021-05-25T16:42:37+07:00)
    ("2 jam yang lalu", JKT, "2021-05-25T14:42:37+07:00"),
    ("5 menit lalu", JKT, "2021-05-25T16:37:37+07:00"),
    ("baru saja", JKT, "2021-05-25T16:42:37+07:00"),
    ("kemarin", JKT, "2021-05-24"),
    ("3 hari lalu", JKT, "2021-05-22"),
    ("1 minggu yang lalu", JKT, "2021-05-18"),
    ("2 bulan lalu", JKT, "2021-03-25"),
    ("30 detik yang lalu", JKT, "2021-05-25T16:42:07+07:00"),
    ("kemarin 14:30", JKT, "2021-05-24T14:30:00+07:00"),
    ("hari ini 08:00", JKT, "2021-05-25T08:00:00+07:00"),
    ("Kemarin, pukul 14.30 WIB", JKT, "2021-05-24T14:30:00+07:00"),
    ("1 tahun lalu", JKT, "2020-05-25"),
    ("sejam yang lalu", JKT, "2021-05-25T15:42:37+07:00"),
    ("10 menit yg lalu", JKT, "2021-05-25T16:32:37+07:00"),
    ("2 pekan lalu", JKT, "2021-05-11"),
    ("3 hours ago", JKT, "2021-05-25T13:42:37+07:00"),
    ("an hour ago", JKT, "2021-05-25T15:42:37+07:00"),
    ("2 jam yang lalu", MKS, "2021-05-25T15:42:37+08:00"),
    ("kemarin 14:30", MKS, "2021-05-24T14:30:00+08:00"),
    ("hari ini 23:30 WIB", MKS, "2021-05-26T00:30:00+08:00"),
    # ISO times inside page text
    ("2021-05-25T09:42:37+00:00", JKT, "2021-05-25T16:42:37+07:00"),
    ("2021-05-25T09:42:37Z", MKS, "2021-05-25T17:42:37+08:00"),
    ("2021-05-25T16:42:37+07:00", JAY, "2021-05-25T18:42:37+09:00"),
    ("2021-05-25T09:42:37.123Z", JKT, "2021-05-25T16:42:37+07:00"),
    ("2021-05-25 16:42 WIB", MKS, "2021-05-25T17:42:00+08:00"),
    ("2021-05-25", JKT, "2021-05-25"),
    ("2021/05/25 16:42", JKT, "2021-05-25T16:42:00+07:00"),
    ("Published: 2021-05-25T09:42:37Z", JKT, "2021-05-25T16:42:37+07:00"),
    # Zone words: time is in that zone, output in the site zone
    ("25 Mei 2021 16:42 WIT", JKT, "2021-05-25T14:42:00+07:00"),
    ("25 Mei 2021 16:42 WIB", JAY, "2021-05-25T18:42:00+09:00"),
    ("25 Mei 2021 16:42 WITA", MKS, "2021-05-25T16:42:00+08:00"),
    ("25 Mei 2021 00:30 WIB", JAY, "2021-05-25T02:30:00+09:00"),
    ("25 Mei 2021 01:00 WITA", JKT, "2021-05-25T00:00:00+07:00"),
    ("26 Mei 2021 00:30 WIT", JKT, "2021-05-25T22:30:00+07:00"),
    ("25 Mei 2021 16:42 GMT+7", MKS, "2021-05-25T17:42:00+08:00"),
    ("25 Mei 2021 16:42", MKS, "2021-05-25T16:42:00+08:00"),
    # Layout variants seen on detik / kompas / antara / tribun / WordPress themes
    ("25.05.2021 16.42", JKT, "2021-05-25T16:42:00+07:00"),
    ("25/05/2021 - 16:42:37 WIB", JKT, "2021-05-25T16:42:37+07:00"),
    ("Kompas.com - 25/05/2021, 16:42 WIB", JKT, "2021-05-25T16:42:00+07:00"),
    ("Selasa, 25 Mei 2021 | 16:42 WIB", JKT, "2021-05-25T16:42:00+07:00"),
    ("Selasa 25 Mei 2021, 16:42 WIB", JKT, "2021-05-25T16:42:00+07:00"),
    ("16:42 WIB, 25 Mei 2021", JKT, "2021-05-25T16:42:00+07:00"),
    ("Update: Rabu, 26/05/2021 08:05 WIB", JKT, "2021-05-26T08:05:00+07:00"),
    ("Diperbarui 26 Mei 2021, 08:05", JKT, "2021-05-26T08:05:00+07:00"),
    ("Senin, 5/6/21", JKT, "2021-06-05"),
    ("01/02/2021", JKT, "2021-02-01"),
    ("Rabu, 26 Mei 2021 08:05:11 WIB", JKT, "2021-05-26T08:05:11+07:00"),
    ("Diposting pada 25 Mei 2021 oleh Admin", JKT, "2021-05-25"),
    ("Selasa, 25 Mei 2021 \u2013 16:42 WIB", JKT, "2021-05-25T16:42:00+07:00"),
    ("25/05/21 16.42", JKT, "2021-05-25T16:42:00+07:00"),
    ("Selasa, 25 Mei 2021 pukul 04.42 WIB", JKT, "2021-05-25T04:42:00+07:00"),
    ("\n  25 Mei 2021\u00a016:42 WIB  ", JKT, "2021-05-25T16:42:00+07:00"),
    ("Dibaca 1.234 kali - 25 Mei 2021", JKT, "2021-05-25"),
    ("Tribunnews.com, Jakarta - Selasa, 25 Mei 2021 16:42", JKT, "2021-05-25T16:42:00+07:00"),
    ("Terbit 25 Mei 2021.", JKT, "2021-05-25"),
    # Real pages of ../shared/realpages: Kompas 2015, detik 2016, pixnet's `Dec 28 Sat 2013`, AFP Faktencheck,
    # RBB24's two-digit year, a Spanish `de`
    ("Rabu, 4 November 2015 | 21:04 WIB", JKT, "2015-11-04T21:04:00+07:00"),
    ("Rabu, 4 November 2015", JKT, "2015-11-04"),
    ("Selasa, 23/02/2016 15:32 WIB", JKT, "2016-02-23T15:32:00+07:00"),
    ("Dec 28 Sat 2013 10:28", JKT, "2013-12-28T10:28:00+07:00"),
    ("Veröffentlicht am 13. Mai 2026 um 15:44", JKT, "2026-05-13T15:44:00+07:00"),
    ("Do 25.04.24 | 14:07 Uhr", JKT, "2024-04-25T14:07:00+07:00"),
    ("13 de mayo de 2024", JKT, "2024-05-13"),
    ("1er décembre 2023", JKT, "2023-12-01"),
    ("Minggu, 30 Mei 2021", JKT, "2021-05-30"),  # Sunday, not the unit of "2 minggu lalu"
]


@pytest.mark.parametrize(("text", "tz", "expected"), PARSE_CASES)
def test_parse_date(text, tz, expected):
    assert parse_date(text, tz, now=NOW) == expected


def test_parse_date_absolute_needs_no_now():
    assert parse_date("Selasa, 25 Mei 2021 - 16:42 WIB") == "2021-05-25T16:42:00+07:00"


@pytest.mark.parametrize(
    ("value", "tz", "kwargs", "expected"),
    [
        ("2021-05-25T09:42:37+00:00", JKT, {}, "2021-05-25T16:42:37+07:00"),
        ("2021-05-25T09:42:37Z", MKS, {}, "2021-05-25T17:42:37+08:00"),
        ("2021-05-25T16:42:37+0700", JKT, {}, "2021-05-25T16:42:37+07:00"),
        ("2021-05-25T16:42:37+07:00", JAY, {}, "2021-05-25T18:42:37+09:00"),
        ("2021-05-25T09:42:37.123456Z", JKT, {}, "2021-05-25T16:42:37+07:00"),
        ("2021-05-25T09:42:37.999Z", JKT, {}, "2021-05-25T16:42:37+07:00"),
        ("2021-05-25T16:42:37-05:00", JKT, {}, "2021-05-26T04:42:37+07:00"),
        ("2021-05-25T16:42:37", JKT, {}, "2021-05-25T16:42:37+07:00"),
        ("2021-05-25T16:42:37", MKS, {}, "2021-05-25T16:42:37+08:00"),
        ("2021-05-25T09:42:37", JKT, {"naive_tz": "UTC"}, "2021-05-25T16:42:37+07:00"),
        ("2021-05-25T09:42:37", JAY, {"naive_tz": "UTC"}, "2021-05-25T18:42:37+09:00"),
        ("2021-05-25 09:42:37", MKS, {"naive_tz": "UTC"}, "2021-05-25T17:42:37+08:00"),
        ("2021-05-25T09:42:37+07:00", JKT, {"naive_tz": "UTC"}, "2021-05-25T09:42:37+07:00"),
        ("2021-05-25", JKT, {}, "2021-05-25"),
        ("  2021-05-25T09:42:37Z\n", JKT, {}, "2021-05-25T16:42:37+07:00"),
        ("Tue, 25 May 2021 09:42:37 +0000", JKT, {}, "2021-05-25T16:42:37+07:00"),
        ("Tue, 25 May 2021 09:42:37 GMT", MKS, {}, "2021-05-25T17:42:37+08:00"),
        ("Tue, 25 May 2021 16:42:37 +0700", JAY, {}, "2021-05-25T18:42:37+09:00"),
        ("Tue, 25 May 2021 09:42:37 -0000", JKT, {}, "2021-05-25T16:42:37+07:00"),
        ("Tue, 25 May 2021 16:42:37 WIB", MKS, {}, "2021-05-25T17:42:37+08:00"),
        ("25 May 2021 16:42:37 +0700", JKT, {}, "2021-05-25T16:42:37+07:00"),
        ("Tue, 25 May 2021 16:42:37", MKS, {}, "2021-05-25T16:42:37+08:00"),
        (datetime(2021, 5, 25, 9, 42, 37, tzinfo=timezone.utc), JKT, {}, "2021-05-25T16:42:37+07:00"),
        (datetime(2021, 5, 25, 16, 42, 37, 999), JKT, {}, "2021-05-25T16:42:37+07:00"),
        (datetime(2021, 5, 25, 9, 42, 37), MKS, {"naive_tz": "UTC"}, "2021-05-25T17:42:37+08:00"),
    ],
)
def test_to_site_time(value, tz, kwargs, expected):
    assert to_site_time(value, tz, **kwargs) == expected


@pytest.mark.parametrize(
    "value",
    ["", "   ", "not a date", "Selasa, 25 Mei 2021", "2021-13-01T00:00:00Z", "Tue, 32 May 2021 09:42:37 +0000", None],
)
def test_to_site_time_errors(value):
    with pytest.raises(DateError) as excinfo:
        to_site_time(value)
    assert repr(value) in str(excinfo.value)


@pytest.mark.parametrize(
    ("text", "now"),
    [
        ("", NOW),
        ("   ", NOW),
        ("Berita Terbaru", NOW),
        ("32 Mei 2021", NOW),
        ("31/02/2021", NOW),
        ("13/13/2021", NOW),
        ("25 Mei 2021 25:00", NOW),
        ("Mei 2021", NOW),
        ("pukul 12:30 WIB", NOW),
        ("kemarin", None),
        ("2 jam yang lalu", None),
        ("baru saja", None),
        ("kemarin", datetime(2021, 5, 25, 16, 42, 37)),  # naive now
    ],
)
def test_parse_date_errors(text, now):
    with pytest.raises(DateError) as excinfo:
        parse_date(text, now=now)
    assert isinstance(excinfo.value, ValueError)
    assert repr(text) in str(excinfo.value)


@pytest.mark.parametrize(("text", "expected"), [
    ("Selasa, 25 Mei 2021 - 16:42 WIB", True), ("Stand: 17.06.2025 18:24 Uhr", True),
    ("Selasa 16 Jun 2015, 14:05 WIB", True), ("Diperbarui 25 Mei 2021", True),
    ("Rapat digelar Selasa (25/5/2021).", False), ("Published on: June 25, 2024 5 min read", False),
    ("Kualatungkal, Hajarnews.com – Wakil Bupati", False), ("Penulis: Oddy Pratama", False),
])
def test_a_date_line_only_dates_the_page(text, expected):
    assert is_date_line(text) is expected


@pytest.mark.parametrize(("value", "now", "expected"), [
    ("2021-05-25T16:42:00+07:00", None, True), ("1990-01-01", None, True), ("1989-12-31", None, False),
    ("0001-01-01T07:07:12+07:07:12", None, False),  # a CMS's empty date in the zone's LMT: never a date
    ("2021-05-26", datetime(2021, 5, 25, 23, 0, tzinfo=timezone.utc), True),  # a day ahead: zones differ
    ("2021-05-27", datetime(2021, 5, 25, 23, 0, tzinfo=timezone.utc), False),  # after the fetch
])
def test_plausible_dates(value, now, expected):
    assert plausible(value, now) is expected


@pytest.mark.parametrize(("value", "expected"), [
    ("Fri Apr 28 19:20:36 CEST 2023", "2023-04-28T19:20:36+02:00"),  # FAZ's JSON-LD (Java's Date.toString)
    ("2023-04-28T18:16:04+0200", "2023-04-28T18:16:04+02:00"),       # Merkur's
    ("Fri Mar 13 21:30:09 EST 2015", "2015-03-13T21:30:09-05:00"),   # Herald Sun's meta
])
def test_machine_dates_keep_their_zone(value, expected):
    assert read_machine(value).isoformat() == expected


def test_a_cms_empty_day_is_no_date():
    with pytest.raises(DateError):
        to_site_time("0000-00-00")


def test_an_offset_of_a_day_or_more_is_no_date():
    """Found by tests/test_fuzz.py: `+99:00` reads as ISO and fails only when the offset is used."""
    with pytest.raises(DateError):
        read_machine("2021-05-25T10:00:00+99:00")


def test_relative_now_in_other_zone_is_converted_first():
    utc_now = NOW.astimezone(timezone.utc)  # 2021-05-25T09:42:37Z, same instant
    assert parse_date("kemarin 14:30", JKT, now=utc_now) == "2021-05-24T14:30:00+07:00"
    assert parse_date("2 jam yang lalu", JAY, now=utc_now) == "2021-05-25T16:42:37+09:00"
