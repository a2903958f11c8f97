"""Pages of sites without a profile: the generic parser, `hajar parse` on any saved page, `hajar quality`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest

from hajar_scraper.parsers import parse_article
from hajar_scraper.parsers.main_content import find_main_content
from hajar_scraper.parsers.titles import clean_title
from hajar_scraper.quality import cases, render, score

ROOT = Path(__file__).resolve().parents[1]
GENERIC = ROOT / "tests" / "fixtures" / "generic"
HAJAR = [sys.executable, "-m", "hajar_scraper.cli"]


def hajar(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*HAJAR, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_hajar_parse_works_on_a_saved_page_of_an_unknown_host():
    url = "https://riaupos.co/berita/baca/2024/02/19/pemprov-riau-perpanjang-status-siaga-darurat-banjir?utm_source=x"
    result = hajar("parse", str(GENERIC / "riaupos-jsonld-custom-markup.html"), "--url", url)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["site"] == "generic"
    assert record["url"] == "https://riaupos.co/berita/baca/2024/02/19/pemprov-riau-perpanjang-status-siaga-darurat-banjir"
    assert record["title"] == "Pemprov Riau Perpanjang Status Siaga Darurat Banjir"
    assert record["published_at"] == "2024-02-19T13:22:00+07:00"
    assert record["body_text"].startswith("PEKANBARU (RIAUPOS.CO) – Pemerintah Provinsi Riau")
    assert "Baca Juga" not in record["body_text"] and "Terpopuler" not in record["body_text"]
    assert record["provenance"]["body_text"] == "generic"


def test_hajar_parse_without_url_and_a_listing_is_rejected():
    ok = hajar("parse", str(GENERIC / "blog-no-structured-data.html"))
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["title"] == "Pasar Pabukoan di Padang Ramai Sejak Hari Pertama Ramadan"
    rejected = hajar("parse", str(GENERIC / "riaupos-category-listing.html"))
    assert rejected.returncode != 0
    assert "rejected (not_article)" in rejected.stderr


def test_hajar_parse_decodes_a_page_by_its_declared_charset():
    page = ROOT / "tests" / "fixtures" / "jambiindependent" / "windows-1252-laporan-muarasabak.html"
    assert b"\x93Tahun lalu" in page.read_bytes()  # cp1252 curly quote, not UTF-8
    result = hajar("parse", str(page), "--site", "jambiindependent")
    assert result.returncode == 0, result.stderr
    assert "“Tahun lalu cuma Rp6 ribu" in json.loads(result.stdout)["body_text"]


def test_amp_page_gives_the_same_story_as_the_canonical_page():
    by_name = {c.name: c.parse() for c in cases() if c.folder == "metrojambi" and "record" in c.expected}
    amp, canonical = by_name["metrojambi/pembalakan-amp"], by_name["metrojambi/pembalakan-tweet-penulis-list"]
    for field in ("url", "title", "published_at", "authors", "editor", "body_text", "content_hash", "images"):
        assert amp[field] == canonical[field], field


@pytest.mark.parametrize(("title", "names", "expected"), [
    ("Pemprov Riau Perpanjang Status | Riau Pos", {"riaupos"}, "Pemprov Riau Perpanjang Status"),
    ("Harga Kopi Naik - RakyatBengkulu.com", {"rakyatbengkulucom"}, "Harga Kopi Naik"),
    ("Jambione.com | Jalan Rusak Diperbaiki", {"jambione"}, "Jalan Rusak Diperbaiki"),
    ("Judul - Berita - ANTARA News Jambi", {"antaranews"}, "Judul - Berita"),
    ("Bungo–Tebo Diperbaiki - Jambione", {"jambione"}, "Bungo–Tebo Diperbaiki"),
    ("Wagub: Sekolah Harus Transparan", {"metrojambi"}, "Wagub: Sekolah Harus Transparan"),
    ("Banjir di Jambi - Warga Mengungsi", {"jambiupdate"}, "Banjir di Jambi - Warga Mengungsi"),
])
def test_headline_without_site_name(title, names, expected):
    assert clean_title(title, names) == expected


def test_main_content_finder_skips_menus_sidebars_and_comments():
    story = "".join(f"<p>Paragraf cerita nomor {i}, dengan isi yang cukup panjang untuk dibaca orang.</p>" for i in range(5))
    html = f"""<html><body><nav><p>Beranda, Daerah, Ekonomi, Olahraga, Opini, Video, Foto, Indeks</p></nav>
    <div class="layout right-sidebar"><div class="story-body">{story}</div>
    <div class="comments"><p>Komentar pembaca yang panjang sekali, berisi pendapat tentang berita ini.</p></div>
    <aside><p>Berita populer hari ini yang banyak dibaca orang di seluruh Jambi dan sekitarnya.</p></aside></div>
    </body></html>"""
    found = find_main_content(lxml.html.document_fromstring(html))
    assert [node.get("class") for node in found] == ["story-body"]
    assert find_main_content(lxml.html.document_fromstring("<html><body><p>Pendek.</p></body></html>")) == []


def test_unknown_host_uses_the_generic_profile():
    html = (GENERIC / "rakyatbengkulu-og-only.html").read_text(encoding="utf-8")
    record = parse_article(html, "https://rakyatbengkulu.com/2023/11/06/harga-kopi-robusta-bengkulu-tembus-rp60-ribu/")
    assert (record["site"], record["authors"], record["editor"]) == ("generic", ["Septi Andriani"], "Riki Susanto")


def test_quality_report_covers_every_site_and_the_no_profile_column():
    table = render(score(cases()))
    header = table.splitlines()[0]
    for column in ("hajarnews", "jambiupdate", "metrojambi", "jambione", "sumeks", "antarajambi",
                   "jambiindependent", "generic", "(no profile)"):
        assert f" {column} " in header
    assert table.splitlines()[3].startswith("| url | 100% |")


def test_hajar_quality_and_bench_script_print_the_same_table():
    command = hajar("quality")
    bench = subprocess.run([sys.executable, "bench/quality.py"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert command.returncode == bench.returncode == 0, command.stderr + bench.stderr
    assert command.stdout == bench.stdout
    assert "| body_text |" in command.stdout and "| rejects right |" in command.stdout


@pytest.mark.parametrize(("lang", "published", "expected"), [
    ("id", "2021-06-14T02:12:05+00:00", "2021-06-14T09:12:05+07:00"),  # an Indonesian page serialised in UTC: WIB
    ("de", "2024-04-24T22:58:49+02:00", "2024-04-24T22:58:49+02:00"),  # the page's own zone is kept
    ("en", "2024-04-25T08:21:02+00:00", "2024-04-25T08:21:02+00:00"),  # UTC is all it says
    ("id", "2021-06-14T09:12:05", "2021-06-14T09:12:05+07:00"),        # naive: WIB
])
def test_a_page_no_profile_knows_keeps_the_zone_its_times_give(lang, published, expected):
    story = "".join(f"<p>Paragraf {i} dari cerita yang cukup panjang untuk dibaca sebagai berita.</p>" for i in range(5))
    html = (f'<html lang="{lang}"><head><meta property="article:published_time" content="{published}">'
            f'<meta property="og:type" content="article"></head><body><h1>Judul</h1><div class="isi">{story}</div>'
            "</body></html>")
    assert parse_article(html, "https://example.org/berita/1")["published_at"] == expected
