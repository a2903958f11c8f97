"""`hajar demo`: the whole product on one machine, against the sample site of a clone (tests/sample_site).

The sample site is a test fixture that runs on aiohttp (the `test` extra), so it is not in the wheel: an
installed package without a clone says so in one line.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import click

from hajar_scraper.serving import datasette_command, stop

SAMPLE_SITE = Path(__file__).resolve().parents[1] / "tests" / "sample_site" / "server.py"
LOCAL_PACE = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_START_DELAY=0.05", "-s", "LOG_LEVEL=WARNING")
# A fixed port keeps the sample articles' URLs stable, so a second demo finds the same articles.
SITE_PORT = 8780
NEEDS = ("hajar demo needs a clone of the hajar-scraper repository (its sample site, tests/sample_site, runs on "
         "aiohttp): run `make demo` there")


def start_sample_site(port: int = 0) -> tuple[subprocess.Popen, str]:
    """Start the sample site on a free loopback port; return the process and its base URL."""
    if not SAMPLE_SITE.is_file() or importlib.util.find_spec("aiohttp") is None:
        raise click.ClickException(NEEDS)
    process = subprocess.Popen([sys.executable, str(SAMPLE_SITE), "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline().strip()
    if not line.startswith("Serving sample site on "):
        process.kill()
        raise click.ClickException(f"the sample site did not start on port {port} (is it in use?)")
    return process, line.rsplit(" ", 1)[-1].rstrip("/")


def run_demo(archive_dir: Path, port: int) -> None:
    site, base_url = start_sample_site(SITE_PORT)
    children = [site]
    try:
        click.echo(f"Sample site on {base_url}/")
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "hajar_scraper.cli", "crawl", "hajarnews", "--base-url", base_url,
                        "--db", str(archive_dir / "hajarnews.db"), *LOCAL_PACE], check=True)
        click.echo(f"Crawled in {time.monotonic() - started:.1f} s into {archive_dir / 'hajarnews.db'}")
        datasette = subprocess.Popen(datasette_command([archive_dir], "127.0.0.1", port))
        children.append(datasette)
        click.echo(f"Archive on http://127.0.0.1:{port}/  (Ctrl-C stops everything)")
        datasette.wait()
    except KeyboardInterrupt:
        click.echo("stopping")
    except subprocess.CalledProcessError as error:
        raise click.ClickException(f"the demo crawl failed (exit {error.returncode})") from None
    finally:
        stop(children[::-1])
