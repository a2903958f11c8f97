"""Parse benchmark: pages/s of `parse_article` against bare lxml (the floor) and trafilatura, same pages.

Page sets: every site's fixture pages (tests/fixtures/<site>/*.html with a .json beside it), the
sample site's articles rendered by tests/sample_site, the same pages grown to a real page's size
with theme chrome (real news pages average 171 KB; ours are ~18 KB), and any saved pages given
by path. Rejected pages count: rejecting a listing is part of the parser's job.

    python bench/parse.py [--repeat 5] [--profile] [SAVED_PAGE_OR_DIR ...]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import lxml.html
import trafilatura
from w3lib.encoding import html_to_unicode

from common import ROOT, FastCatalog, median, noise, site_catalog, site_render, table, verdict
from hajar_scraper.parsers import parse_article
from hajar_scraper.record import Rejected
from hajar_scraper.sites import profiles

BASE = "https://hajarnews.com"


def decode(path: Path) -> str:
    """A saved page decoded by its declared charset, as `hajar parse FILE` reads it."""
    return html_to_unicode(None, path.read_bytes())[1]


def fixture_pages() -> list[tuple[str, str, str | None]]:
    """(html, url, site) of every fixture page that has its expected record beside it."""
    pages = []
    for html_path in sorted((ROOT / "tests" / "fixtures").glob("*/*.html")):
        expected = html_path.with_suffix(".json")
        if expected.exists():
            site = html_path.parent.name if html_path.parent.name in profiles() else None
            url = json.loads(expected.read_text(encoding="utf-8")).get("fetched_url", f"{BASE}/{html_path.stem}/")
            pages.append((decode(html_path), url, site))
    return pages


def sample_pages() -> list[tuple[str, str, str | None]]:
    catalog = FastCatalog(site_catalog.load_articles(site_catalog.Path(ROOT / "tests/sample_site/articles")))
    return [(site_render.render_article_page(a, catalog, BASE), f"{BASE}{a.path}", "hajarnews")
            for a in catalog.articles]


def with_theme_chrome(html: str, size: int = 171_000) -> str:
    """The page grown to `size` bytes the way WordPress themes grow them: inline CSS (45 %) and
    script config (35 %) in <head>, a menu of category links (20 %) before the content."""
    missing = max(0, size - len(html.encode()))
    css = _fill(missing * 45 // 100, lambda i: f".jeg_block_{i} .jeg_post_title{{margin:0 0 {i % 9}px;"
                                               f"font-size:{12 + i % 7}px;line-height:1.{i % 5}}}\n")
    js = _fill(missing * 35 // 100, lambda i: f'{{"id":{i},"url":"{BASE}/?cat={i}","label":"Kategori {i}"}},')
    menu = _fill(missing * 20 // 100, lambda i: f'<li class="menu-item menu-item-{i}"><a href="{BASE}/category/'
                                                f'rubrik-{i}/">Rubrik {i}</a></li>')
    html = html.replace("</head>", f"<style id='theme-inline-css'>{css}</style>\n"
                                   f"<script>var themeConfig = {{\"menu\":[{js}null]}};</script>\n</head>", 1)
    start = html.find("<body")
    end = html.find(">", start) + 1
    return html[:end] + f"<nav class='main-menu'><ul>{menu}</ul></nav>" + html[end:]


def _fill(budget: int, piece) -> str:
    parts, used = [], 0
    while used < budget:
        parts.append(piece(len(parts)))
        used += len(parts[-1])
    return "".join(parts)


def saved_pages(paths: list[str]) -> list[tuple[str, str, str | None]]:
    """Saved pages by path (files, or folders of *.html); the URL is the file's, the profile generic."""
    files = [f for p in map(Path, paths) for f in (sorted(p.rglob("*.htm*")) if p.is_dir() else [p])]
    return [(decode(f), f.resolve().as_uri(), None) for f in files]


def run_lxml(page):
    lxml.html.fromstring(page[0]) if page[0].strip() else None


def run_parser(page):
    try:
        parse_article(page[0], page[1], site=page[2])
    except Rejected:
        pass


def run_trafilatura(page):
    trafilatura.bare_extraction(page[0], url=page[1])


METHODS = {"lxml.html.fromstring": run_lxml, "parse_article": run_parser,
           "trafilatura.bare_extraction": run_trafilatura}


def measure(pages: list, repeat: int) -> dict[str, list[float]]:
    """CPU seconds per page of each method, one value per repeat; methods interleaved against drift."""
    for page in pages:  # warm caches (selectors, regexes, imports) before timing
        for method in METHODS.values():
            method(page)
    times: dict[str, list[float]] = {name: [] for name in METHODS}
    for _ in range(repeat):
        for name, method in METHODS.items():
            started = time.process_time()  # CPU time: robust against other jobs on the 2 cores
            for page in pages:
                method(page)
            times[name].append((time.process_time() - started) / len(pages))
    return times


def profile(pages: list, rounds: int = 10) -> None:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    for _ in range(rounds):
        for page in pages:
            run_parser(page)
    profiler.stop()
    print(profiler.output_text(color=False, unicode=True, show_all=False, short_mode=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="saved pages (files or folders) to add as their own set")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true",
                        help="print pyinstrument's profile of parse_article on the small and the large sample pages")
    args = parser.parse_args()
    sample = sample_pages()
    sets = {"fixtures": fixture_pages(), "sample site": sample,
            "sample site + theme chrome (171 KB)": [(with_theme_chrome(h), u, s) for h, u, s in sample]}
    if args.paths:
        sets["saved pages"] = saved_pages(args.paths)
    verdicts = []
    for name, pages in sets.items():
        times = measure(pages, args.repeat)
        parse_time = median(times["parse_article"])
        kb = sum(len(h.encode()) for h, _, _ in pages) / len(pages) / 1000
        rows = [[method, f"{median(t) * 1000:.2f}", 1 / median(t), noise(t), f"{parse_time / median(t):.2f}×"]
                for method, t in times.items()]
        print(table(["method", "ms/page", "pages/s", "noise", "time vs parse_article"], rows,
                    title=f"{name}: {len(pages)} pages, {kb:.0f} KB each on average, CPU time, median of {args.repeat}"))
        vs_traf = median(times["trafilatura.bare_extraction"]) / parse_time
        vs_lxml = parse_time / median(times["lxml.html.fromstring"])
        verdicts += [[name, "≥ 1.5× trafilatura's pages/s", f"{vs_traf:.2f}×", verdict(vs_traf >= 1.5)],
                     [name, "≤ 4× bare lxml's time", f"{vs_lxml:.1f}×", verdict(vs_lxml <= 4)]]
    print(table(["pages", "target", "measured", "result"], verdicts, title="Targets"))
    if args.profile:  # the small pages show the fixed cost per story, the large ones what grows with the page
        for name in ("sample site", "sample site + theme chrome (171 KB)"):
            print(f"\nProfile of parse_article over the {name} pages:")
            profile(sets[name])


if __name__ == "__main__":
    main()
