"""The `hajar` command line: a thin click layer over the spiders, parsers and archive."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import click

from hajar_scraper.dates import utc_now
from hajar_scraper.record import Rejected
from hajar_scraper.sites import ProfileError, UnknownSite, get_profile, profiles

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "hajar_scraper.settings")


def archive_dir() -> Path:
    return Path(os.environ.get("HAJAR_ARCHIVE_DIR", "archive"))


class _Commands(click.Group):
    """A broken site profile is said in one line (file, key, nearest valid key), by any command that reads one."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ProfileError as error:
            raise click.ClickException(str(error)) from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Crawl Indonesian regional news into a SQLite archive and browse it with Datasette."""


@main.command()
@click.argument("site")
@click.option("--base-url", help="Crawl a mirror of the site (e.g. http://127.0.0.1:8000) with the same profile.")
@click.option("--db", type=click.Path(dir_okay=False), help="Archive file (default: archive/SITE.db).")
@click.option("--since", help="Only articles published on or after this date (YYYY-MM-DD).")
@click.option("--until", help="Only articles published on or before this date (YYYY-MM-DD).")
@click.option("--full", is_flag=True, help="Fetch every article again, not only new or changed ones.")
@click.option("--probe", is_flag=True, help="Probe every discovery endpoint again and record a new plan.")
@click.option("--recheck", type=click.FloatRange(min=0), metavar="DAYS",
              help="Also fetch again archived articles not seen for DAYS days (finds removed ones).")
@click.option("-s", "--set", "overrides", multiple=True, metavar="KEY=VALUE", help="Override a Scrapy setting.")
def crawl(site, base_url, db, since, until, full, probe, recheck, overrides):
    """Crawl one SITE into its archive: incremental by default, resumable after a kill."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from hajar_scraper.pipelines import archive_path
    profile = _profile(site)
    _check_bounds(since, until, profile.timezone)
    if base_url and not _is_http_url(base_url):
        raise click.BadParameter(f"{base_url!r} is not an http:// or https:// URL", param_hint="--base-url")
    settings = get_project_settings()
    if db:
        settings.set("HAJAR_DB", db, priority="cmdline")
    for override in overrides:
        key, sep, value = override.partition("=")
        if not sep:
            raise click.BadParameter(f"{override!r} is not KEY=VALUE", param_hint="--set")
        settings.set(key.strip(), value, priority="cmdline")
    _check_archive(archive_path(settings, profile.slug))
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(site)
    started = time.monotonic()
    process.crawl(crawler, base_url=base_url, since=since, until=until, full=full, probe=probe, recheck=recheck)
    process.start()
    stats = crawler.stats.get_stats()
    summary = ", ".join(f"{stats.get(f'hajar/{k}', 0)} {k}" for k in ("new", "updated", "unchanged", "skipped",
                                                                        "rejected", "failed"))
    click.echo(f"{site}: {summary} in {time.monotonic() - started:.1f} s")
    if stats.get("finish_reason") != "finished":
        raise click.ClickException(f"crawl ended early: {stats.get('finish_reason')}")


@main.command()
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Datasette config directory.")
@click.option("--db", "databases", multiple=True, type=click.Path(dir_okay=False),
              help="An archive file to serve instead of a directory (repeatable), from any directory.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Datasette processes sharing the port: one process runs its pages' Python on one core.")
def serve(port, host, directory, databases, workers):
    """Serve the archive directory, or the archives given with --db, with Datasette."""
    import signal

    from hajar_scraper.archive import Archive
    from hajar_scraper.serving import datasette_command, port_taken, stop

    if directory and databases:
        raise click.UsageError("give --dir or --db, not both")
    if databases:
        paths = [Path(db) for db in databases]
        archives = [_served_archive(path) for path in paths]
    else:
        paths = [Path(directory) if directory else archive_dir()]
        if not paths[0].is_dir():
            raise click.ClickException(f"no archive directory at {paths[0]}")
        archives = sorted(paths[0].glob("*.db"))
    for path in archives:  # archives made by older versions are upgraded first
        Archive(path).close()
    if workers == 1:
        commands = [datasette_command(paths, host, port)]
    else:
        taken = port_taken(host, port)
        if taken:
            raise click.ClickException(f"cannot listen on {host}:{port}: {taken}")
        commands = [[sys.executable, "-m", "hajar_scraper.serving", host, str(port), *map(str, paths)]] * workers
    click.echo(f"Datasette on http://{host}:{port}/" + (f" ({workers} processes)" if workers > 1 else ""))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # a stop stops the workers too (finally below)
    processes = [subprocess.Popen(command) for command in commands]
    try:
        for process in processes:
            process.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop(processes)


def _served_archive(path: Path) -> Path:
    """`path` when it is a hajar archive, else one line saying what it is: `hajar serve` upgrades what it
    serves, and must not write an archive's tables into someone else's database."""
    from hajar_scraper.schema import is_archive

    if not path.is_file():
        raise click.ClickException(f"no archive at {path}")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            archive = is_archive(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        archive = False
    if not archive:
        raise click.ClickException(f"{path} is not a hajar archive")
    return path


@main.command()
@click.argument("source")
@click.option("--url", help="The page's address, when SOURCE is a saved file.")
@click.option("--site", help="Site profile to parse with (default: chosen by the URL's host).")
def parse(source, url, site):
    """Print the JSON record of one saved page (FILE) or live page (URL)."""
    from hajar_scraper.encoding import decode_page
    from hajar_scraper.parsers import parse_article

    if site:
        _profile(site)
    content_type = None
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"User-Agent": _user_agent()})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                body, content_type, url = response.read(), response.headers.get("Content-Type"), url or response.url
        except OSError as error:
            raise click.ClickException(f"cannot fetch {source}: {error}") from None
    else:
        path = Path(source)
        if not path.is_file():
            raise click.ClickException(f"no such file: {source}")
        body, url = path.read_bytes(), url or path.resolve().as_uri()
    html = decode_page(body, content_type)
    fetched_at = utc_now()
    try:
        record = parse_article(html, url, site=site, fetched_at=fetched_at)
    except Rejected as error:
        raise click.ClickException(f"rejected ({error.reason}): {error.detail}") from None
    click.echo(json.dumps(record, ensure_ascii=False, indent=2))


@main.command()
@click.option("--site", help="Only this site's pages.")
@click.option("--since", help="Only pages fetched on or after this date (YYYY-MM-DD).")
@click.option("--db", type=click.Path(dir_okay=False), help="Archive file (default: archive/SITE.db).")
@click.option("--processes", default=1, show_default=True, type=click.IntRange(0, 64),
              help="Worker processes that parse while this one writes (0: parse here).")
def reparse(site, since, db, processes):
    """Parse every stored page again with the current parsers, without the network."""
    from hajar_scraper.reparse import OUTCOMES
    from hajar_scraper.reparse import reparse as run

    _check_bounds(since, None)
    archive = _open_archive(db, site)
    pages = archive.pages_to_reparse(site, since)
    counts = dict.fromkeys(OUTCOMES, 0)
    with click.progressbar(run(archive, pages, processes), length=len(pages), label="reparsing",
                           file=sys.stderr) as bar:
        for outcome in bar:
            counts[outcome] += 1
    click.echo(", ".join(f"{n} {k}" for k, n in counts.items()))


@main.command()
@click.option("--site", help="The site whose archive to optimize (default: hajarnews).")
@click.option("--db", type=click.Path(dir_okay=False), help="Archive file (default: archive/SITE.db).")
def optimize(site, db):
    """Merge the archive's full-text indexes into one segment each (after a backfill or a reparse)."""
    archive = _open_archive(db, site)
    started = time.monotonic()
    archive.optimize()
    click.echo(f"full-text indexes of {archive.path} merged in {time.monotonic() - started:.1f} s")


@main.command()
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "warc"]), default="jsonl", show_default=True)
@click.option("--site", help="Only this site's articles.")
@click.option("--search", help="Only articles matching this full-text query.")
@click.option("--since", help="Published on or after (YYYY-MM-DD).")
@click.option("--until", help="Published on or before (YYYY-MM-DD).")
@click.option("--db", type=click.Path(dir_okay=False), help="Archive file (default: archive/SITE.db).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Output file (default: stdout; required for warc).")
def export(fmt, site, search, since, until, db, output):
    """Export articles of a site or a search as JSON Lines, CSV or WARC."""
    from hajar_scraper import export as exporter

    _check_bounds(since, until)
    if fmt == "warc" and not output:
        raise click.UsageError("--format warc needs --output FILE.warc.gz")
    archive = _open_archive(db, site)
    rows = archive.export_rows(site, search, since, until)
    try:
        if fmt == "warc":
            count = exporter.write_warc(archive, rows, Path(output))
        else:
            write = exporter.write_jsonl if fmt == "jsonl" else exporter.write_csv
            with click.open_file(output or "-", "w", encoding="utf-8") as out:
                count = write(rows, out)
    except sqlite3.OperationalError as error:  # FTS5 refuses a malformed query such as an open quote
        raise click.ClickException(f"cannot search for {search!r}: {error}") from None
    click.echo(f"exported {count} articles", err=True)


def _check_bounds(since: str | None, until: str | None, tz: str = "Asia/Jakarta") -> None:
    """`--since`/`--until` must be dates; a bad one is a usage error, not an empty result."""
    from hajar_scraper.spiders.news import parse_bound

    for name, value in (("--since", since), ("--until", until)):
        try:
            parse_bound(value, tz)
        except ValueError as error:
            raise click.BadParameter(str(error), param_hint=name) from None


def _open_archive(db: str | None, site: str | None):
    from hajar_scraper.archive import Archive

    if site:
        _profile(site)
    path = Path(db) if db else archive_dir() / f"{site or 'hajarnews'}.db"
    if not path.is_file():
        raise click.ClickException(f"no archive at {path}")
    return Archive(path)


@main.command()
def sites():
    """List the site profiles, with the discovery plan each archive recorded."""
    from hajar_scraper.archive import Archive

    for profile in profiles().values():
        path = archive_dir() / f"{profile.slug}.db"
        plan = Archive(path).plans().get(profile.slug) if path.is_file() else None
        listed = ", ".join(f"{k} {v}" for k, v in sorted((plan or {}).get("listed", {}).items()) if v)
        shown = f"plan: {plan['strategy']} (listed: {listed})" if plan else "plan: not probed yet"
        click.echo(f"{profile.slug}\t{profile.name}\t{profile.base_url}\t{profile.timezone}\t{shown}")


@main.command()
@click.option("--fixtures", type=click.Path(file_okay=False, exists=True), help="Fixture folder (default: tests/fixtures).")
def quality(fixtures):
    """Print the exact-match rate of each record field per site over the fixture pages."""
    from hajar_scraper.quality import main as quality_main

    quality_main(["--fixtures", fixtures] if fixtures else [])


@main.command()
@click.option("--port", default=8001, show_default=True, type=int, help="Datasette port.")
def demo(port):
    """Serve the bundled sample site on 127.0.0.1, crawl it, then serve the archive."""
    from hajar_scraper.demo import run_demo

    run_demo(archive_dir(), port)


def _is_http_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _check_archive(path: Path) -> None:
    """Refuse, in one line and before Scrapy starts, an archive path that cannot be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.ClickException(f"cannot create {path.parent} for the archive: {error.strerror}") from None
    if path.is_dir():
        raise click.ClickException(f"the archive path {path} is a directory")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise click.ClickException(f"cannot write the archive {path}: permission denied")
    if path.exists() and path.stat().st_size:
        with path.open("rb") as archive:
            if archive.read(16) != b"SQLite format 3\x00":
                raise click.ClickException(f"{path} is not a SQLite archive")


def _profile(site: str):
    try:
        return get_profile(site)
    except UnknownSite as error:
        raise click.ClickException(str(error)) from None


def _user_agent() -> str:
    from hajar_scraper.settings import USER_AGENT

    return USER_AGENT


if __name__ == "__main__":
    main()
