"""The sample site serves what the crawl tests rely on: WordPress markup, sitemaps, feed, REST API and 404s."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import pytest
import yaml
from markupsafe import escape

from conftest import FIXTURES, SAMPLE_SITE, start_sample_site, stop

sys.path.insert(0, str(SAMPLE_SITE))
from server import load_articles, render_article_page  # noqa: E402

ARTICLES = load_articles(SAMPLE_SITE / "articles")
BY_ID = {a.id: a for a in ARTICLES}
SEED = (FIXTURES / "hajarnews" / "seed-article.txt").read_text(encoding="utf-8").splitlines()
SEED_ID = 23187
SEED_PATH = "/2021/05/25/wabup-tanjabbar-hadiri-dan-buka-secara-resmi-giat-sosialisasi-kerjasama-dalam-negeri/"
DELETED_PATH = "/2021/07/30/berita-yang-sudah-dihapus/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
JSONLD = re.compile(r'<script type="application/ld\+json" class="yoast-schema-graph">(.*?)</script>', re.S)


def fetch(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8")


def graph(html: str) -> list[dict]:
    (script,) = JSONLD.findall(html)
    data = json.loads(script)
    assert data["@context"] == "https://schema.org"
    return data["@graph"]


def sitemap_locs(base: str, name: str) -> list[tuple[str, str | None]]:
    status, headers, body = fetch(f"{base}/{name}")
    assert status == 200 and headers["Content-Type"] == "application/xml; charset=UTF-8"
    assert f'<?xml-stylesheet type="text/xsl" href="{base}/' in body
    root = ElementTree.fromstring(body.encode())
    return [(e.findtext(f"{SITEMAP}loc"), e.findtext(f"{SITEMAP}lastmod")) for e in root]


def test_the_data_is_varied_and_the_seed_is_exact():
    assert len(ARTICLES) >= 32 and len(BY_ID) == len(ARTICLES)
    assert len({a.date_gmt for a in ARTICLES}) == len(ARTICLES)
    seed = BY_ID[SEED_ID]
    assert (seed.title, list(seed.paragraphs), seed.signature) == (SEED[0], SEED[1:10], "OD/*")
    assert seed.path == SEED_PATH
    others = [a for a in ARTICLES if a.id != SEED_ID]
    assert sum(1 for a in others if a.image) >= 25
    assert len({a.author for a in ARTICLES}) >= 5 and len({c for a in ARTICLES for c in a.categories}) >= 6
    assert sum(1 for a in ARTICLES if a.editor) >= 3
    for a in others:
        assert 4 <= len(a.paragraphs) <= 9 and 80 <= a.word_count <= 400, a.source
        assert re.match(r"(Kualatungkal|Jambi|Merlung|Betara), Hajarnews\.com – ", a.paragraphs[0]), a.source


def test_kerjasama_daerah_is_only_in_the_seed():
    phrase = re.compile(r"kerja\s*sama\s+daerah", re.I)
    hits = {a.id for a in ARTICLES for text in (a.title, a.excerpt, *a.paragraphs) if phrase.search(text)}
    assert hits == {SEED_ID}


def test_a_missing_field_names_the_file(tmp_path):
    shutil.copytree(SAMPLE_SITE / "articles", tmp_path, dirs_exist_ok=True)
    broken = next(tmp_path.glob("005-*.yml"))
    data = yaml.safe_load(broken.read_text(encoding="utf-8"))
    del data["title"]
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(broken.name) + ".*title"):
        load_articles(tmp_path)


def test_seed_page_has_the_headline_and_the_nine_paragraphs_in_order(sample_site):
    status, headers, html = fetch(sample_site + SEED_PATH)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=UTF-8"
    assert f'<h1 class="entry-title">{escape(SEED[0])}</h1>' in html
    assert '<body class="post-template-default single single-post postid-23187 single-format-standard">' in html
    positions = [html.index(f"<p>{escape(p)}</p>") for p in SEED[1:10]]
    assert positions == sorted(positions)
    after = html[positions[-1]:]
    assert after.index("<p>(OD/*)</p>") < after.index('<div id="jp-relatedposts"')
    links = [m.start() for m in re.finditer(r"<p><strong>Baca Juga: <a href=", html)]
    assert len(links) == 2 and positions[1] < links[0] < positions[2] and positions[5] < links[1] < positions[6]
    assert html.count('<div class="code-block code-block-2">') == 1
    assert f'<link rel="canonical" href="{sample_site}{SEED_PATH}">' in html
    assert '<meta property="article:published_time" content="2021-05-25T09:42:37+00:00">' in html
    assert '<time class="entry-date published" datetime="2021-05-25T16:42:37+07:00">25 Mei 2021</time>' in html
    assert f'src="{sample_site}/wp-content/uploads/2021/05/IMG-20210525-WA0031.jpg"' in html
    assert "Selasa (25/05/21). (Foto: Hajarnews)</figcaption>" in html


def test_seed_jsonld_has_the_news_article_and_its_author(sample_site):
    nodes = {node["@type"]: node for node in graph(fetch(sample_site + SEED_PATH)[2])}
    article = nodes["NewsArticle"]
    assert article["@id"] == f"{sample_site}{SEED_PATH}#article"
    assert (article["datePublished"], article["dateModified"]) == ("2021-05-25T09:42:37+00:00",
                                                                   "2021-05-25T10:15:03+00:00")
    assert article["headline"] == SEED[0]
    assert article["articleSection"] == ["Tanjab Barat", "Pemerintahan"]
    assert article["keywords"] == ["Kerjasama Daerah", "Wabup Hairan", "TKKSD"]
    assert nodes["Person"]["@id"] == article["author"]["@id"] and nodes["Person"]["name"] == "Oddy Pratama"
    assert nodes["ImageObject"]["@id"] == article["image"]["@id"]


def test_served_page_is_render_article_page(sample_site):
    served = fetch(sample_site + SEED_PATH)[2]
    assert served == render_article_page(BY_ID[SEED_ID], ARTICLES, sample_site)
    offline = render_article_page(BY_ID[SEED_ID], ARTICLES, "https://hajarnews.com")
    assert f'<link rel="canonical" href="https://hajarnews.com{SEED_PATH}">' in offline and "127.0.0.1" not in offline


@pytest.mark.parametrize("path", ["/", "/page/2/", "/category/pemerintahan/", "/tag/covid-19/",
                                  "/author/oddy-pratama/", "/redaksi/"])
def test_listings_and_pages_are_not_articles(sample_site, path):
    status, _, html = fetch(sample_site + path)
    assert status == 200
    types = {node["@type"] for node in graph(html)}
    assert types & {"Article", "NewsArticle", "BlogPosting"} == set()
    assert types & {"CollectionPage", "WebPage"}
    assert '<meta property="og:type" content="website">' in html and "postid-" not in html


def test_robots_txt_points_to_the_sitemap(sample_site):
    status, _, body = fetch(sample_site + "/robots.txt")
    assert status == 200
    assert body.splitlines() == ["User-agent: *", "Disallow: /wp-admin/", "Allow: /wp-admin/admin-ajax.php", "",
                                 f"Sitemap: {sample_site}/wp-sitemap.xml"]


def test_sitemap_index_lists_the_core_sitemaps(sample_site):
    entries = sitemap_locs(sample_site, "wp-sitemap.xml")
    names = ["wp-sitemap-posts-post-1.xml", "wp-sitemap-posts-post-2.xml", "wp-sitemap-posts-page-1.xml",
             "wp-sitemap-taxonomies-category-1.xml"]
    assert [loc for loc, _ in entries] == [f"{sample_site}/{name}" for name in names]
    newest = max(ARTICLES, key=lambda a: a.modified_gmt).modified_gmt
    assert dict(entries)[f"{sample_site}/wp-sitemap-taxonomies-category-1.xml"] == f"{newest:%Y-%m-%dT%H:%M:%S}+00:00"


def test_post_sitemaps_list_every_article_once_plus_the_deleted_one(sample_site):
    first = sitemap_locs(sample_site, "wp-sitemap-posts-post-1.xml")
    second = sitemap_locs(sample_site, "wp-sitemap-posts-post-2.xml")
    assert len(first) == 20 and second[-1] == (sample_site + DELETED_PATH, "2021-07-30T02:11:45+00:00")
    by_id = sorted(ARTICLES, key=lambda a: a.id)
    assert first + second[:-1] == [(sample_site + a.path, f"{a.modified_gmt:%Y-%m-%dT%H:%M:%S}+00:00") for a in by_id]
    assert fetch(sample_site + DELETED_PATH)[0] == 404
    assert fetch(sample_site + "/wp-sitemap-posts-post-3.xml")[0] == 404
    assert sitemap_locs(sample_site, "wp-sitemap-posts-page-1.xml")[0][0] == sample_site + "/redaksi/"


def test_feed_has_the_ten_newest_items(sample_site):
    status, headers, body = fetch(sample_site + "/feed/")
    assert status == 200 and headers["Content-Type"] == "application/rss+xml; charset=UTF-8"
    ns = {"content": "http://purl.org/rss/1.0/modules/content/", "dc": "http://purl.org/dc/elements/1.1/"}
    items = ElementTree.fromstring(body.encode()).findall("channel/item")
    newest = ARTICLES[:10]
    assert [i.findtext("link") for i in items] == [sample_site + a.path for a in newest]
    dates = [parsedate_to_datetime(i.findtext("pubDate")) for i in items]
    assert dates == sorted(dates, reverse=True) and items[0].findtext("pubDate").endswith(" +0000")
    assert [i.findtext("guid") for i in items] == [f"{sample_site}/?p={a.id}" for a in newest]
    assert [i.findtext("dc:creator", namespaces=ns) for i in items] == [a.author for a in newest]
    assert [c.text for c in items[0].findall("category")] == [*newest[0].categories, *newest[0].tags]
    assert escape(newest[0].paragraphs[0]) in items[0].findtext("content:encoded", namespaces=ns)


def test_category_archive_pages_and_the_end(sample_site):
    members = [a for a in ARTICLES if "Pemerintahan" in a.categories]
    pages = math.ceil(len(members) / 5)
    assert pages >= 2
    first = fetch(sample_site + "/category/pemerintahan/")[2]
    second = fetch(sample_site + "/category/pemerintahan/page/2/")[2]
    assert f'<a class="next page-numbers" href="{sample_site}/category/pemerintahan/page/2/">' in first
    titles = re.findall(r'<h2 class="entry-title"><a href="[^"]+" rel="bookmark">(.*?)</a></h2>', second)
    assert titles == [str(escape(a.title)) for a in members[5:10]]
    assert fetch(f"{sample_site}/category/pemerintahan/page/{pages + 1}/")[0] == 404
    assert fetch(sample_site + "/category/tidak-ada/")[0] == 404


def test_rest_posts_pages_totals_and_the_end(sample_site):
    total, pages = len(ARTICLES), math.ceil(len(ARTICLES) / 10)
    status, headers, body = fetch(f"{sample_site}/wp-json/wp/v2/posts?per_page=10&page=2")
    assert status == 200 and (headers["X-WP-Total"], headers["X-WP-TotalPages"]) == (str(total), str(pages))
    assert [p["id"] for p in json.loads(body)] == [a.id for a in ARTICLES[10:20]]
    assert 'page=1>; rel="prev"' in headers["Link"] and 'page=3>; rel="next"' in headers["Link"]
    last = json.loads(fetch(f"{sample_site}/wp-json/wp/v2/posts?per_page=10&page={pages}")[2])
    assert len(last) == total - 10 * (pages - 1)
    status, _, body = fetch(f"{sample_site}/wp-json/wp/v2/posts?per_page=10&page={pages + 1}")
    assert status == 400 and json.loads(body)["code"] == "rest_post_invalid_page_number"
    assert fetch(f"{sample_site}/wp-json/wp/v2/posts?per_page=101")[0] == 400


def test_rest_post_fields_filters_and_embed(sample_site):
    post = json.loads(fetch(f"{sample_site}/wp-json/wp/v2/posts/{SEED_ID}?_embed")[2])
    assert (post["date"], post["date_gmt"]) == ("2021-05-25T16:42:37", "2021-05-25T09:42:37")
    assert (post["modified"], post["modified_gmt"]) == ("2021-05-25T17:15:03", "2021-05-25T10:15:03")
    assert post["link"] == sample_site + SEED_PATH and post["title"]["rendered"] == SEED[0]
    assert f"<p>{escape(SEED[1])}</p>" in post["content"]["rendered"]
    embedded = post["_embedded"]
    assert embedded["author"][0]["name"] == "Oddy Pratama"
    image = f"{sample_site}/wp-content/uploads/{BY_ID[SEED_ID].image.file}"
    assert embedded["wp:featuredmedia"][0]["source_url"] == image
    assert [[t["name"] for t in terms] for terms in embedded["wp:term"]] == [
        ["Tanjab Barat", "Pemerintahan"], ["Kerjasama Daerah", "Wabup Hairan", "TKKSD"]]
    api = f"{sample_site}/wp-json/wp/v2/posts"
    titles = [p["title"]["rendered"] for p in json.loads(fetch(f"{api}?per_page=100")[2])]
    assert any("4&#8211;3" in t for t in titles) and any("&#8220;Jumat Bersih&#8221;" in t for t in titles)
    june = json.loads(fetch(f"{api}?after=2021-06-01T00:00:00&before=2021-07-01T00:00:00")[2])
    assert [p["id"] for p in june] == [a.id for a in ARTICLES if f"{a.date_local:%Y-%m}" == "2021-06"]
    changed = json.loads(fetch(f"{api}?modified_after=2021-07-09T00:00:00%2B07:00")[2])
    assert {p["id"] for p in changed} == {a.id for a in ARTICLES if f"{a.modified_local:%Y-%m-%d}" >= "2021-07-09"}
    assert fetch(f"{sample_site}/wp-json/wp/v2/posts/1")[0] == 404


def test_uploads_serve_a_jpeg_for_known_images_only(sample_site):
    with urllib.request.urlopen(f"{sample_site}/wp-content/uploads/2021/05/IMG-20210525-WA0031.jpg") as response:
        body = response.read()
        assert response.headers["Content-Type"] == "image/jpeg"
    assert body[:2] == b"\xff\xd8" and body[-2:] == b"\xff\xd9"
    assert fetch(f"{sample_site}/wp-content/uploads/2021/05/tidak-ada.jpg")[0] == 404


def test_unknown_path_is_the_themed_404(sample_site):
    status, headers, html = fetch(sample_site + "/tidak/ada/di/sini/")
    assert status == 404 and headers["Content-Type"] == "text/html; charset=UTF-8"
    assert "<title>Halaman tidak ditemukan - Hajarnews.com</title>" in html
    assert '<h1 class="page-title">Oops! Halaman tidak ditemukan.</h1>' in html
    assert "yoast-schema-graph" not in html


def test_shortlink_and_missing_slash_redirect_to_the_permalink(sample_site):
    for path in (f"/?p={SEED_ID}", SEED_PATH.rstrip("/"), SEED_PATH.replace("/25/", "/26/")):
        with urllib.request.urlopen(sample_site + path) as response:
            assert response.url == sample_site + SEED_PATH, path


def test_an_edited_copy_is_served_without_restart(tmp_path):
    data = tmp_path / "articles"
    shutil.copytree(SAMPLE_SITE / "articles", data)
    process, base = start_sample_site(data)
    try:
        assert f">{escape(SEED[0])}</h1>" in fetch(base + SEED_PATH)[2]
        path = next(data.glob("001-*.yml"))
        article = yaml.safe_load(path.read_text(encoding="utf-8"))
        article["title"] = "Judul Baru Setelah Disunting"
        path.write_text(yaml.safe_dump(article, allow_unicode=True, sort_keys=False), encoding="utf-8")
        html = fetch(base + SEED_PATH)[2]
        assert '<h1 class="entry-title">Judul Baru Setelah Disunting</h1>' in html
        assert json.loads(fetch(f"{base}/wp-json/wp/v2/posts/{SEED_ID}")[2])["title"]["rendered"] == \
            "Judul Baru Setelah Disunting"
    finally:
        stop(process)


def test_public_url_and_a_clean_stop_on_sigterm():
    process = subprocess.Popen([sys.executable, str(SAMPLE_SITE / "server.py"), "--port", "0",
                                "--public-url", "https://hajarnews.com/"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    assert re.fullmatch(r"Serving sample site on http://127\.0\.0\.1:\d+/\n", line)
    robots = fetch(line.split()[-1] + "robots.txt")[2]
    assert robots.endswith("Sitemap: https://hajarnews.com/wp-sitemap.xml\n")
    process.terminate()
    _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0 and "Traceback" not in stderr
