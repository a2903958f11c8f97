"""Shared by the benchmarks: timing and tables, Indonesian-like text, the synthetic site, measured subprocesses."""

from __future__ import annotations

import itertools
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_SITE = ROOT / "tests" / "sample_site"
sys.path.insert(0, str(SAMPLE_SITE))  # render.py and catalog.py import each other as top-level modules

import catalog as site_catalog  # noqa: E402
import render as site_render  # noqa: E402

BIN = Path(sys.executable).parent


# timing and tables ---------------------------------------------------------------------------
def median(values) -> float:
    return statistics.median(values)


def noise(values) -> str:
    """Spread of repeated runs, (max - min) / median, so a reader can judge a ratio's precision."""
    values = list(values)
    if len(values) < 2 or not median(values):
        return "-"
    return f"±{(max(values) - min(values)) / median(values) / 2:.0%}"


def percentile(values, q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


def table(headers: list[str], rows: list[list], title: str | None = None) -> str:
    """A GitHub-flavoured Markdown table, so results paste into the README as they are."""
    cells = [[str(c) for c in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    out = ([f"\n{title}\n"] if title else []) + [line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    return "\n".join(out + [line(r) for r in cells[1:]])


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}" if abs(value) < 1 else f"{value:.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


# Indonesian-like text ------------------------------------------------------------------------
# Derivations that join without sound change, so Sastrawi meets the words it would meet in real news.
_AFFIXES = (("di", "kan"), ("di", ""), ("ber", ""), ("", "nya"), ("ke", "an"), ("", "an"), ("ter", ""),
            ("se", ""), ("di", "i"), ("memper", "kan"))


class TextGen:
    """Words drawn with Zipf frequencies (s = 1): the sample site's words first, then Sastrawi's
    dictionary of Indonesian roots and their affixed forms, shuffled."""

    def __init__(self, seed: int = 7, size: int = 50_000):
        import Sastrawi

        self.rng = random.Random(seed)
        counts = Counter(w.lower() for a in site_catalog.load_articles(SAMPLE_SITE / "articles")
                         for p in a.paragraphs for w in re.findall(r"[A-Za-z]+", p))
        words = [w for w, _ in counts.most_common()]
        roots = (Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt").read_text().split()
        roots = [w for w in roots if w.isalpha() and len(w) > 2]
        self.rng.shuffle(roots)
        seen = set(words)
        for i, root in enumerate(itertools.cycle(roots)):
            if len(words) >= size:
                break
            prefix, suffix = ("", "") if i < len(roots) // 2 else self.rng.choice(_AFFIXES)
            word = prefix + root + suffix
            if word not in seen:
                seen.add(word)
                words.append(word)
        self.words = words
        self.cum_weights = list(itertools.accumulate(1 / rank for rank in range(1, size + 1)))

    def ranks(self, n: int) -> list[int]:
        """n word indexes (0 = most common), Zipf-distributed."""
        return self.rng.choices(range(len(self.words)), cum_weights=self.cum_weights, k=n)

    def topic(self, size: int = 8) -> list[str]:
        """A story's own words (mid-frequency), which it repeats as real stories do; without them
        every generated text has the same word profile and looks like a near-duplicate of every other."""
        return [self.words[i] for i in self.rng.sample(range(300, 20_000), size)]

    def sentence(self, n: int, topic: list[str] = ()) -> str:
        words = [self.rng.choice(topic) if topic and self.rng.random() < 0.2 else self.words[i]
                 for i in self.ranks(n)]
        text = " ".join(words)
        return text[0].upper() + text[1:] + "."

    def paragraphs(self, words: int = 250, per: int = 45, topic: list[str] = ()) -> list[str]:
        out, left = [], words
        while left > 0:
            n = min(left, per)
            out.append(" ".join(self.sentence(k, topic) for k in _split(n, self.rng)))
            left -= n
        return out

    def title(self) -> str:
        return " ".join(w.capitalize() for w in (self.words[i] for i in self.ranks(self.rng.randint(6, 11))))


def _split(n: int, rng: random.Random) -> list[int]:
    parts = []
    while n > 0:
        k = min(n, rng.randint(8, 18))
        parts.append(k)
        n -= k
    return parts


# the synthetic site --------------------------------------------------------------------------
AUTHORS = ("Oddy Pratama", "Hendra Saputra", "Budi Santoso", "Nurul Aini", "Dewi Kartika", "Rahmat Hidayat")
CATEGORIES = ("Tanjab Barat", "Pemerintahan", "Peristiwa", "Hukum & Kriminal", "Ekonomi", "Kesehatan",
              "Pendidikan", "Politik", "Olahraga", "Religi", "Jambi")


def synthetic_articles(count: int, seed: int = 7, words: int = 250) -> list:
    """`count` articles of the sample site's shape, one every ~37 minutes back from 2024."""
    gen = TextGen(seed)
    rng, start, articles = gen.rng, datetime(2024, 6, 1, 3, 0), []
    for i in range(count):
        title = gen.title()
        paragraphs = gen.paragraphs(words, topic=gen.topic())
        paragraphs[0] = "Kualatungkal, Hajarnews.com – " + paragraphs[0]
        author = AUTHORS[i % len(AUTHORS)]
        date = start - timedelta(minutes=37 * i + rng.randint(0, 30))
        articles.append(site_catalog.Article(
            id=100_000 + 2 * i, slug=f"{site_catalog.slugify(title)[:60].strip('-')}-{i}", title=title,
            date_gmt=date, modified_gmt=date + timedelta(minutes=rng.randint(0, 90)), author=author,
            author_slug=site_catalog.slugify(author), categories=tuple(rng.sample(CATEGORIES, 2)),
            tags=tuple(gen.title().split()[:3]), excerpt=paragraphs[0][:160], paragraphs=tuple(paragraphs),
            signature=f"{author.split()[0][:2].upper()}/*",
            image=site_catalog.Image(f"2024/05/IMG-{i}.jpg", gen.sentence(10), "Hajarnews"),
            baca_juga=(), editor=None, source=Path(f"synthetic-{i}.yml")))
    return articles


class FastCatalog(site_catalog.Catalog):
    """The sample site's catalog with its sidebars computed once, not per page (they are O(n) each)."""

    @cached_property
    def _sidebars(self):
        ranked = sorted(self.articles, key=lambda a: (-a.word_count, a.id))
        return self.articles[:6], ranked[:6]

    def recent(self, exclude=None, count=5):
        return [a for a in self._sidebars[0] if exclude is None or a.id != exclude.id][:count]

    def popular(self, exclude=None, count=5):
        return [a for a in self._sidebars[1] if exclude is None or a.id != exclude.id][:count]

    def related(self, article, count=3):
        first = site_catalog.slugify(article.categories[0])
        picked = [a for a in self.in_category(first)[: count + 1] if a.id != article.id][:count]
        return picked + [a for a in self.recent(article, count + 3) if a not in picked][: count - len(picked)]


def render_site(count: int, base: str, seed: int = 7) -> dict[str, tuple[str, bytes]]:
    """Path → (content type, body) for robots.txt, WordPress core sitemaps, the feed and every article."""
    catalog = FastCatalog(synthetic_articles(count, seed))
    site_render.SITEMAP_MAX_URLS = 2000  # WordPress core's own page size
    html, xml = "text/html; charset=UTF-8", "application/xml; charset=UTF-8"
    files = site_render.sitemaps(catalog, base)
    pages = {"/robots.txt": ("text/plain; charset=UTF-8", f"User-agent: *\nDisallow: /wp-admin/\n\n"
                                                          f"Sitemap: {base}/wp-sitemap.xml\n".encode()),
             "/wp-sitemap.xml": (xml, site_render.render_sitemap_index(files, base).encode()),
             "/feed/": ("application/rss+xml; charset=UTF-8", site_render.render_feed(
                 catalog, base, catalog.articles, title=site_render.SITE_NAME, path="/").encode())}
    for name, (entries, _) in files.items():
        pages[f"/{name}"] = (xml, site_render.render_sitemap(entries, base).encode())
    for article in catalog.articles:
        pages[article.path] = (html, site_render.render_article_page(article, catalog, base).encode())
    return pages


# subprocesses --------------------------------------------------------------------------------
def start_server(args: list[str], wait_url: str | None = None, timeout: float = 600) -> tuple[subprocess.Popen, str]:
    """Start a server; return it and its base URL, read from its first line (the last word) or,
    with `wait_url`, polled until that URL answers."""
    if wait_url is None:
        process = subprocess.Popen(args, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        line = process.stdout.readline().strip()
        if "http" not in line:
            process.kill()
            raise RuntimeError(f"server did not start: {line!r}")
        return process, line.split()[-1].rstrip("/")
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(wait_url, timeout=5):
                return process, wait_url.split("/-/")[0]
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise RuntimeError(f"server did not answer {wait_url}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_measured(args: list[str], timeout: float = 1800, **kwargs) -> dict:
    """Run a command; return its output, wall time, peak RSS and RSS samples (MB).

    RSS is the sum over the process and its children (a crawl's parsing processes), sampled every
    0.25 s; the peak is the larger of the highest sample and the kernel's own high-water mark of the
    largest single process (wait4's ru_maxrss), which catches a peak between two samples.
    """
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        process = subprocess.Popen(args, stdout=out, stderr=err, text=True, cwd=ROOT, **kwargs)
        samples: list[tuple[float, int]] = []
        timer = threading.Timer(timeout, process.kill)
        timer.start()
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            rss = tree_rss_mb(process.pid)
            if rss:
                samples.append((time.monotonic() - started, rss))
            time.sleep(0.25)
        timer.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        peak = max([usage.ru_maxrss / 1024, *(rss for _, rss in samples)])
        return {"returncode": process.returncode, "stdout": out.read(), "stderr": err.read(),
                "wall": time.monotonic() - started, "peak_rss_mb": peak, "samples": samples}


def tree_rss_mb(pid: int) -> int:
    """VmRSS of a process and all its descendants, in MB (0 once it is gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status)[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, TypeError):
            continue
    return total // 1024
