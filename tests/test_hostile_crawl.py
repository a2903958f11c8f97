"""The hostile-web issue, crawler side: the real engine against tests/hostile_site/ and the sample site.

robots.txt rules every request, probes included; a refresh inside a story is not a redirect; only http
and https on the site's own hosts and ports are fetched; a crawl cut short says so.
"""

from __future__ import annotations

import os
import subprocess
import sys

import lxml.html
import pytest
import sqlite_utils

from conftest import LOCAL_PACE, ROOT, run_crawl
from hostile_site import crawl, pages
from hostile_site.server import FTP_PATH, OTHER_PORT_PATH, REDIRECT_FTP_PATH, REDIRECT_PORT_PATH
from hajar_scraper.origins import Origins

REST_PROBE = "/wp-json/wp/v2/posts?per_page=100&page=1&_fields=id%2Clink%2Cdate_gmt%2Cmodified_gmt&orderby=id&order=asc"
DISCOVERY = ["/wp-sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml", REST_PROBE, "/feed/"]
RUNNABLE = {"script", "iframe", "svg", "math", "style", "form", "object", "embed", "base", "link", "meta", "noscript"}


def runnable(html: str) -> list[str]:
    """What in stored HTML could run or load something: elements, event handlers, non-web addresses."""
    found = []
    for node in lxml.html.fragment_fromstring(html, create_parent="div").iterdescendants():
        if not isinstance(node.tag, str):
            continue
        found += [node.tag] if node.tag in RUNNABLE else []
        found += [f"{node.tag}@{name}" for name in node.attrib if name.startswith("on") or name in ("style", "srcdoc")]
        found += [f"{node.tag}@{name}={value}" for name, value in node.attrib.items()
                  if name in ("href", "src", "action", "formaction", "data") and not value.startswith("http")]
    return found


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The hostile site crawled once: (base URL, elsewhere's URL, archive, request counts, log)."""
    db_path = tmp_path_factory.mktemp("hostile") / "hajarnews.db"
    base, other, counts, result = crawl(db_path)
    return base, other, sqlite_utils.Database(db_path), counts, result.stderr


def rows(db, table: str, base: str) -> dict[str, tuple[str, str]]:
    return {r["url"].replace(base, "BASE"): (r["reason"], r["detail"].replace(base, "BASE"))
            for r in db.query(f"select url, reason, detail from {table} order by id")}


def test_other_schemes_and_ports_are_refused_and_recorded_as_offsite(hostile):
    base, other, db, _, _ = hostile
    port, other_port = base.rsplit(":", 1)[1], other.rsplit(":", 1)[1]
    ftp, elsewhere = f"ftp://127.0.0.1:{port}", f"http://127.0.0.1:{other_port}"
    wrong_port = f"port {other_port} is not one of the site's ({port})"
    ftp_scheme = "ftp scheme: only http and https are crawled"
    assert rows(db, "fetch_errors", base) == {
        f"{elsewhere}/wp-sitemap-posts-post-2.xml": ("offsite", f"listed by the sitemap index but {wrong_port}"),
        f"{ftp}/wp-sitemap-posts-post-3.xml": ("offsite", f"listed by the sitemap index but {ftp_scheme}"),
        f"{ftp}{FTP_PATH}": ("offsite", f"listed by the sitemaps but {ftp_scheme}"),
        f"{elsewhere}{OTHER_PORT_PATH}": ("offsite", f"listed by the sitemaps but {wrong_port}"),
        f"BASE{REDIRECT_FTP_PATH}": ("offsite_redirect", f"redirected off the site to {ftp}{REDIRECT_FTP_PATH} "
                                                         f"({ftp_scheme})"),
        f"BASE{REDIRECT_PORT_PATH}": ("offsite_redirect", f"redirected off the site to {elsewhere}{REDIRECT_PORT_PATH} "
                                                          f"({wrong_port})"),
    }


def test_nothing_is_requested_on_another_port_or_over_another_scheme(hostile):
    """Every request the site saw, once each; elsewhere (another port of its host) saw none."""
    _, _, _, counts, log = hostile
    assert counts["elsewhere"] == {}
    assert counts["site"] == dict.fromkeys(
        ["/robots.txt", *DISCOVERY, "/wp-sitemap-posts-post-1.xml", pages.PAYLOAD_PATH, pages.BODY_REFRESH_PATH,
         pages.HEAD_REFRESH_PATH, pages.HEAD_REFRESH_TARGET, pages.NOT_FOUND_PATH, REDIRECT_PORT_PATH,
         REDIRECT_FTP_PATH], 1)
    assert "Traceback" not in log


def test_a_refresh_inside_a_story_is_no_redirect_and_the_story_is_kept_under_its_url(hostile):
    base, _, db, counts, _ = hostile
    articles = {r["url"].removeprefix(base): r["title"] for r in db.query("select url, title from articles")}
    assert articles[pages.BODY_REFRESH_PATH] == "Pasang Naik, Warga Diminta Waspada"
    assert pages.BODY_REFRESH_TARGET not in counts["site"]
    # A refresh in the head is how an old page says it moved: followed, as an HTTP redirect is.
    assert articles[pages.HEAD_REFRESH_TARGET] == "Dermaga Baru Mulai Dipakai Nelayan"
    assert sorted(articles) == sorted([pages.PAYLOAD_PATH, pages.BODY_REFRESH_PATH, pages.HEAD_REFRESH_TARGET])
    assert rows(db, "rejects", base) == {f"BASE{pages.NOT_FOUND_PATH}": (
        "not_found", "not-found page: 'Halaman tidak ditemukan <script>window.__hajarPwned=37</script> - Hajarnews.com'")}
    run = db["crawl_runs"].get(1)
    assert (run["status"], run["new"], run["rejected"], run["failed"], run["not_fetched"], run["alarm"]) == (
        "finished", 3, 1, 6, 0, None)


def test_the_payload_story_is_stored_as_text_with_no_markup_that_runs(hostile):
    """Script text is kept as the text it is (Datasette escapes it); the stored HTML is sanitised, no image
    address is anything but http(s), and the NUL byte is gone."""
    base, _, db, _, _ = hostile
    story = next(db["articles"].rows_where("url = ?", [base + pages.PAYLOAD_PATH]))
    assert runnable(story["body_html"]) == []
    assert story["body_html"].count("<a") == 3 and 'href="http' in story["body_html"]  # the check sees links
    assert "\x00" not in story["body_text"] and "waspada. Air laut" in story["body_text"]
    assert [(i["url"], i["caption"]) for i in db["images"].rows] == [
        (f"{base}/wp-content/uploads/2021/05/banjir.jpg", "Los pasar terendam <img src=x onerror=window.__hajarPwned=22>")]
    assert story["lead_image"] == f"{base}/wp-content/uploads/2021/05/banjir.jpg"
    assert story["categories"] == '["Daerah<img src=x onerror=window.__hajarPwned=10>", "Peristiwa"]'


def test_a_site_that_disallows_everything_gets_one_request_and_the_run_says_why(tmp_path):
    db_path = tmp_path / "hajarnews.db"
    _, _, counts, result = crawl(db_path, "--disallow-all")
    assert counts == {"site": {"/robots.txt": 1}, "elsewhere": {}}
    db = sqlite_utils.Database(db_path)
    run = db["crawl_runs"].get(1)
    assert (run["status"], run["new"], run["rejected"], run["failed"], run["alarm"]) == (
        "finished", 0, 0, 0, "robots.txt disallows every discovery URL the crawl tried (/wp-sitemap.xml, "
                             "/sitemap_index.xml, /news-sitemap.xml, /wp-json/wp/v2/posts, /feed/, /): nothing was "
                             "listed, so nothing was fetched")
    assert db["pages"].count == 0
    assert result.stdout.startswith("hajarnews: 0 new, 0 updated, 0 unchanged, 0 skipped, 0 rejected, 0 failed in ")


@pytest.mark.parametrize("url, why", [
    ("https://hajarnews.com/2021/05/25/x/", None),
    ("http://www.hajarnews.com/2021/05/25/x/", None),
    ("http://hajarnews.com:443/x/", None),
    ("http://127.0.0.1:8080/x/", None),
    ("https://127.0.0.1:8080/x/", None),
    ("http://127.0.0.1:8081/x/", "port 8081 is not one of the site's (8080)"),
    ("http://127.0.0.1/x/", "port 80 is not one of the site's (8080)"),
    ("https://hajarnews.com:8443/x/", "port 8443 is not one of the site's (80, 443)"),
    ("ftp://hajarnews.com/x", "ftp scheme: only http and https are crawled"),
    ("file:///etc/passwd", "file scheme: only http and https are crawled"),
    ("http://evilhajarnews.com/x", "evilhajarnews.com is not one of the site's hosts"),
    ("http://127.0.0.1:99999/x", "'http://127.0.0.1:99999/x' is not a web address (Port out of range 0-65535)"),
])
def test_an_origin_is_scheme_host_and_port(url, why):
    assert Origins("http://127.0.0.1:8080", ("hajarnews.com", "www.hajarnews.com")).refusal(url) == why


def test_a_crawl_cut_short_says_why_and_counts_what_it_never_fetched_apart(sample_site, tmp_path):
    """CLOSESPIDER_TIMEOUT: the run is `closespider_timeout`, not `finished`; the URLs it never got to are
    `not_fetched`, apart from the real failures; the next run, not cut short, fetches them."""
    db_path = tmp_path / "cut.db"
    args = [sys.executable, "-m", "hajar_scraper.cli", "crawl", "hajarnews", "--base-url", sample_site, "--db",
            str(db_path), *LOCAL_PACE, "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0.25",
            "-s", "CLOSESPIDER_TIMEOUT=3", "-s", "HAJAR_PARSE_PROCESSES=0"]
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert (result.returncode, result.stderr.strip().splitlines()[-1]) == (
        1, "Error: crawl ended early: closespider_timeout")
    db = sqlite_utils.Database(db_path)
    run = db["crawl_runs"].get(1)
    errors = [(r["reason"], r["detail"]) for r in db.query("select reason, detail from fetch_errors")]
    never = [e for e in errors if e[0] == "not_fetched"]
    assert run["status"] == "closespider_timeout"
    assert run["not_fetched"] == len(never) > 0 and set(never) == {("not_fetched", "no response before the crawl ended")}
    assert run["failed"] == len(errors) - len(never) == sum(e[0] == "http_404" for e in errors)  # the deleted post, if met
    assert db["discovery_plans"].count == 0  # a run cut short makes no plan from what it saw

    run_crawl(sample_site, db_path, "-s", "HAJAR_PARSE_PROCESSES=0")  # not cut short: it finishes the job
    second = db["crawl_runs"].get(2)
    assert (second["status"], run["new"] + second["new"], second["not_fetched"]) == ("finished", 34, 0)
