"""Site profiles are checked against their schema: a misspelt key or a wrong type is an error naming the file,
the key and the nearest valid key, at any level (top, discovery, selectors, places), and the CLI says it in one
line. The valid keys are those docs/adding-an-outlet.md documents."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT
from hajar_scraper.sites import PROFILE_DIR, ProfileError, SiteProfile

VALID = """\
slug: kabartungkal
name: Kabar Tungkal
base_url: https://kabartungkal.example
hosts: [kabartungkal.example]
timezone: Asia/Jakarta
discovery:
  sitemaps: [/wp-sitemap.xml]
  feeds: [/feed/]
selectors:
  title: h1.judul
  published: .tanggal
signature_patterns: ['KT-\\d+']
places:
  home: ["15.06"]
  aliases:
    "15.06.02": [Tungkal]
"""
TOP_KEYS = ("base_url, discovery, family, hosts, language, name, outlet_names, places, region, selectors,"
            " signature_patterns, slug, timezone")


def load(tmp_path, text: str) -> SiteProfile:
    path = tmp_path / "kabartungkal.yml"
    path.write_text(text, encoding="utf-8")
    return SiteProfile.from_file(path)


def test_the_valid_profile_loads(tmp_path):
    profile = load(tmp_path, VALID)
    assert (profile.slug, profile.selectors["published"], profile.places_aliases) == (
        "kabartungkal", ".tanggal", {"15.06.02": ["Tungkal"]})


def test_every_shipped_profile_follows_the_schema():
    shipped = sorted(PROFILE_DIR.glob("*.yml"))
    assert len(shipped) == 7
    assert [SiteProfile.from_file(path).slug for path in shipped] == [path.stem for path in shipped]


BROKEN = [
    ("a typo under selectors", VALID.replace("  published: .tanggal", "  pubished: .tanggal"),
     "unknown key 'selectors.pubished'; did you mean 'selectors.published'?"),
    ("a typo at the top", VALID.replace("timezone:", "timezon:"), "unknown key 'timezon'; did you mean 'timezone'?"),
    ("a typo under discovery", VALID.replace("  sitemaps:", "  sitemap:"),
     "unknown key 'discovery.sitemap'; did you mean 'discovery.sitemaps'?"),
    ("a typo under places", VALID.replace("  home:", "  hom:"), "unknown key 'places.hom'; did you mean 'places.home'?"),
    ("a selector no parser knows", VALID.replace("  title: h1.judul", "  headline: h1.judul"),
     "unknown key 'selectors.headline'; valid keys under selectors: authors, body, categories, drop, drop_more,"
     " editor, featured, modified, published, tags, title"),
    ("an unknown key far from any", VALID + "colour: red\n", f"unknown key 'colour'; valid keys: {TOP_KEYS}"),
    ("a string where a list belongs", VALID.replace("hosts: [kabartungkal.example]", "hosts: kabartungkal.example"),
     "'hosts' must be a list of strings, not a string"),
    ("a list where a string belongs", VALID.replace("  title: h1.judul", "  title: [h1.judul, h2.judul]"),
     "'selectors.title' must be a string, not a list"),
    ("a list where a mapping belongs", VALID.replace("discovery:\n  sitemaps: [/wp-sitemap.xml]\n  feeds: [/feed/]",
                                                     "discovery: [/wp-sitemap.xml]"),
     "'discovery' must be a mapping, not a list"),
    ("an unquoted place code", VALID.replace('home: ["15.06"]', "home: [15.06]"),
     "'places.home' must be a list of strings; item 1 is the number 15.06: quote it"),
    ("an unquoted alias code", VALID.replace('"15.06.02": [Tungkal]', "15.06: [Tungkal]"),
     "key 15.06 under places.aliases must be a string: quote it"),
    ("a key with no value", VALID.replace("  published: .tanggal", "  published:"),
     "'selectors.published' must be a string, not empty"),
    ("a required key missing", VALID.replace("base_url: https://kabartungkal.example\n", ""),
     "missing key 'base_url' (every profile has slug, name, base_url)"),
    ("a zone Python does not know", VALID.replace("Asia/Jakarta", "Asia/Jakrta"),
     "'timezone' 'Asia/Jakrta' is not an IANA time zone (e.g. Asia/Jakarta)"),
    ("a pattern that does not compile", VALID.replace("'KT-\\d+'", "'KT-(\\d+'"),
     "'signature_patterns' item 1 'KT-(\\\\d+' is not a regular expression (missing ), unterminated subpattern"
     " at position 3)"),
    ("a list, not a profile", "- slug\n- name\n", "a profile is a mapping of keys, not a list"),
]


@pytest.mark.parametrize("text, message", [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN])
def test_a_broken_profile_is_an_error_naming_the_file_and_the_key(tmp_path, text, message):
    with pytest.raises(ProfileError) as raised:
        load(tmp_path, text)
    assert str(raised.value) == f"{tmp_path / 'kabartungkal.yml'}: {message}"


def test_a_file_that_is_not_yaml_is_named(tmp_path):
    with pytest.raises(ProfileError) as raised:
        load(tmp_path, VALID.replace("hosts: [kabartungkal.example]", "hosts: [kabartungkal.example"))
    assert str(raised.value).startswith(f"{tmp_path / 'kabartungkal.yml'}: not valid YAML (")
    assert "line 5" in str(raised.value)


@pytest.fixture(scope="module")
def broken_install(tmp_path_factory):
    """A copy of the package with one more profile, misspelt, as an outlet added by hand would be."""
    root = tmp_path_factory.mktemp("install")
    shutil.copytree(ROOT / "hajar_scraper", root / "hajar_scraper", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "hajar_scraper" / "sites" / "kabartungkal.yml").write_text(
        VALID.replace("  published: .tanggal", "  pubished: .tanggal"), encoding="utf-8")
    return root


@pytest.mark.parametrize("command", [["sites"], ["crawl", "hajarnews"]], ids=["sites", "crawl"])
def test_hajar_says_a_broken_profile_in_one_line(broken_install, command):
    result = subprocess.run([sys.executable, "-m", "hajar_scraper.cli", *command], cwd=broken_install,
                            capture_output=True, text=True, timeout=120)
    path = broken_install / "hajar_scraper" / "sites" / "kabartungkal.yml"
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (f"Error: {path}: unknown key 'selectors.pubished'; did you mean"
                             f" 'selectors.published'?\n")
