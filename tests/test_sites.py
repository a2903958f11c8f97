"""Site profiles as data: every YAML loads, the outlets span the markup families, each has its fixtures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hajar_scraper.quality import cases
from hajar_scraper.sites import GENERIC, PROFILE_DIR, SiteProfile, get_profile, profile_for_url, profiles

ROOT = Path(__file__).resolve().parents[1]
REGIONAL = sorted(set(profiles()) - {"hajarnews"})


def test_every_profile_file_loads_with_its_slug():
    for path in PROFILE_DIR.glob("*.yml"):
        profile = SiteProfile.from_file(path)
        assert profile.slug == path.stem
        assert profile.base_url.startswith("https://") and profile.hosts and profile.name
        assert profile.timezone in ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")
        assert profile.sitemaps and profile.feeds


def test_at_least_five_regional_outlets_across_markup_families():
    assert len(REGIONAL) >= 5
    families = {profiles()[slug].family for slug in REGIONAL}
    assert {"jnews", "tagdiv", "wordpress", "custom"} <= families


def test_hosts_belong_to_one_profile_each():
    hosts = [host for p in profiles().values() for host in p.hosts]
    assert len(hosts) == len(set(hosts))


@pytest.mark.parametrize("slug", REGIONAL)
def test_each_outlet_has_five_fixture_pages_with_a_rejected_one(slug):
    mine = [c for c in cases() if c.folder == slug]
    assert len(mine) >= 5
    assert any("rejected" in c.expected for c in mine)
    assert sum("record" in c.expected for c in mine) >= 4


@pytest.mark.parametrize(("url", "slug"), [
    ("https://jambiupdate.co/2021/06/14/x/", "jambiupdate"),
    ("https://www.metrojambi.com/2023/01/12/x/", "metrojambi"),
    ("https://jambi.antaranews.com/berita/1/x", "antarajambi"),
    ("https://jambi-independent.co.id/read/2021/05/26/1/x", "jambiindependent"),
    ("https://sumeks.co/2022/08/14/x/", "sumeks"),
    ("https://riaupos.co/berita/baca/2024/02/19/x", "generic"),
])
def test_profile_by_host(url, slug):
    assert profile_for_url(url).slug == slug


def test_overrides_merge_with_the_defaults():
    jambiupdate, metrojambi = get_profile("jambiupdate"), get_profile("metrojambi")
    assert jambiupdate.selectors["body"] == ".jeg_inner_content .content-inner"
    assert ".jeg_ad" in jambiupdate.selectors["drop"] and ".sharedaddy" in jambiupdate.selectors["drop"]
    assert metrojambi.selectors["modified"] == ""
    assert metrojambi.signature_patterns == (re.compile(r"MJ-\d{1,3}", re.I),)
    assert GENERIC.family == "generic" and GENERIC.signature_patterns == ()


def test_readme_explains_adding_an_outlet():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Adding an outlet" in readme
    assert "hajar quality" in readme
