"""The archive in a real browser: Debian's chromium driven by Playwright, screenshots in test-artifacts/."""

from __future__ import annotations

import functools
import struct
import zlib

import pytest

from conftest import CHROMIUM, ROOT
from test_web_archive import web, web_archive  # noqa: F401

# Without the background-networking flags Chromium keeps calling home, which floods a closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = ROOT / "test-artifacts"
IMAGE_HOST = "https://hajarnews.com/wp-content/uploads/"


@functools.cache
def fake_photo(width: int = 640, height: int = 360) -> bytes:
    """A gradient PNG standing in for the outlet's photos, which this closed network cannot fetch."""
    reds = bytes(40 + x * 150 // width for x in range(width))
    rows = []
    for y in range(height):
        row = bytearray(3 * width)
        row[0::3], row[1::3], row[2::3] = reds, bytes([110 + y * 80 // height]) * width, b"\x8c" * width
        rows.append(b"\x00" + bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
            + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def browser():
    """Chromium launched once a module; without it, tests/conftest.py skips (or in CI fails) its users first."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def tab(browser, web):
    """A page that reaches only the archive; the outlet's photos are answered locally; dialogs are recorded."""
    base, _ = web
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    photo = fake_photo()

    def route(request_route):
        url = request_route.request.url
        if url.startswith(base + "/"):
            request_route.continue_()
        elif url.startswith(IMAGE_HOST):
            request_route.fulfill(status=200, body=photo, content_type="image/png")
        else:
            request_route.abort()

    page.route("**/*", route)
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    page.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)


def test_home_search_and_read_an_article(tab, web):
    base, ids = web
    tab.goto(base + "/")
    assert tab.locator("h1").inner_text() == "Arsip Berita Daerah — hajar-scraper"
    assert tab.locator("#situs-hajarnews h2 .count").inner_text() == "13 artikel"
    assert tab.locator("#situs-hajarnews svg rect").count() == 10
    shot(tab, "home")

    tab.fill("form.home-search input[name=q]", "pembangunan")
    tab.click("form.home-search input[type=submit]")
    tab.wait_for_url("**/-/cari?q=pembangunan")
    assert tab.locator("li.result").count() == 5
    assert tab.locator("li.result").first.locator("h2").inner_text() == (
        "Musrenbang Kecamatan Bram Itam Bahas Pembangunan Jalan Usaha Tani")
    assert sorted(tab.locator("p.snippet mark").all_inner_texts()) == [
        "Bangunan", "dibangun", "dibangun", "membangun", "pembangunan"]
    shot(tab, "search")

    tab.fill("form.search-form input[name=q]", "sosialisasi kerja sama")
    tab.click("form.search-form input[type=submit]")
    tab.click("li.result h2 a")
    tab.wait_for_url(f"**/hajarnews/artikel/{ids['seed']}")
    assert tab.locator("article h1").inner_text() == (
        "Wabup Tanjabbar Hadiri dan Buka Secara Resmi Giat Sosialisasi Kerjasama Dalam Negeri")
    assert tab.locator(".byline time").first.inner_text() == "Selasa, 25 Mei 2021 16:42 WIB"
    assert tab.locator(".story .body p").nth(1).inner_text() == (
        "Kegiatan diikuti camat, lurah dan kepala desa se-Tanjab Barat.")
    image = tab.locator("figure.lead img")
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 640
    assert tab.locator("figure.lead figcaption").inner_text() == (
        "Wakil Bupati membuka sosialisasi kerja sama dalam negeri di aula kantor bupati. Foto: Hajarnews")
    assert tab.locator("li#versi-2 ins").all_inner_texts() == ["camat, lurah ", "publik dan ekonomi warga."]
    shot(tab, "article")
    assert tab.dialogs == []


def test_scraped_html_runs_no_script(tab, web):
    """Both XSS fixtures: the page parsed by the parser, and a raw record written past it."""
    base, ids = web
    for key in ("parsed-xss", "raw-xss"):
        tab.goto(f"{base}/hajarnews/artikel/{ids[key]}")
        injected = tab.evaluate("""() => ({
            scripts: document.querySelectorAll('.story script, .story iframe, .story svg, .story style').length,
            handlers: [...document.querySelectorAll('.story *')].filter(
                el => [...el.attributes].some(a => a.name.startsWith('on'))).length,
            scriptLinks: [...document.querySelectorAll('.story .body a[href]')].filter(
                a => !/^https?:/i.test(a.getAttribute('href'))).length,
            alertText: document.querySelector('.story .body').innerText.includes('alert('),
        })""")
        assert injected == {"scripts": 0, "handlers": 0, "scriptLinks": 0, "alertText": False}, key
        shot(tab, key)
    assert tab.dialogs == []
    tab.evaluate("() => alert('kontrol')")  # the listener does see a dialog when one opens
    assert tab.dialogs == ["kontrol"]
