"""The news spider: finds articles through robots.txt → sitemaps and the feed, hands each page to the parser."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

from scrapy import Request, Spider
from scrapy.http import TextResponse
from scrapy.selector import Selector
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from hajar_scraper.dates import utc_now
from hajar_scraper.items import ArticleItem, FetchErrorItem, PageItem, RejectItem
from hajar_scraper.parsers import parse_article
from hajar_scraper.record import Rejected
from hajar_scraper.sites import SiteProfile
from hajar_scraper.urls import host_of

# Sitemaps of things that are not stories: taxonomies, authors, static pages.
SKIP_SITEMAPS = re.compile(r"taxonom|users?-|author|-page-|page-sitemap|category|(^|[-_/])tags?[-_.]", re.I)


class NewsSpider(Spider):
    """Crawl one site profile; `base_url` points it at a mirror while parsing with the same profile."""

    profile: SiteProfile

    def __init__(self, base_url: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = (base_url or self.profile.base_url).rstrip("/")
        self.allowed_domains = sorted({host_of(self.base_url), *self.profile.hosts})

    def run_arguments(self) -> dict:
        """What this run was asked to do, for its `crawl_runs` row."""
        return {"site": self.profile.slug, "base_url": self.base_url}

    async def start(self) -> AsyncIterator[Request]:
        yield Request(f"{self.base_url}/robots.txt", callback=self.parse_robots, errback=self.robots_missing,
                      dont_filter=True, meta={"dont_obey_robotstxt": True})
        for path in self.profile.feeds:
            yield self._request(self.base_url + path, self.parse_feed)

    def _request(self, url: str, callback) -> Request:
        return Request(url, callback=callback, errback=self.fetch_failed)

    def _sitemap_hints(self) -> Iterator[Request]:
        for path in self.profile.sitemaps:
            yield self._request(self.base_url + path, self.parse_sitemap)

    def parse_robots(self, response):
        urls = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        if not urls:
            yield from self._sitemap_hints()
        for url in urls:
            yield self._request(url, self.parse_sitemap)

    def robots_missing(self, failure):
        self.logger.info("no robots.txt (%s); using the profile's sitemaps", failure.value)
        yield from self._sitemap_hints()

    def parse_sitemap(self, response):
        body = gunzip(response.body) if gzip_magic_number(response) else response.body
        try:
            sitemap = Sitemap(body)
        except Exception as error:  # lxml raises several types on broken XML
            yield FetchErrorItem(response.url, "bad_sitemap", f"unreadable sitemap: {error}")
            return
        entries = list(sitemap)
        if sitemap.type == "sitemapindex":
            for entry in entries:
                if not SKIP_SITEMAPS.search(entry["loc"]):
                    yield self._request(entry["loc"], self.parse_sitemap)
        elif sitemap.type == "urlset":
            for entry in entries:
                yield self._request(entry["loc"], self.parse_page)
        else:
            yield FetchErrorItem(response.url, "bad_sitemap", f"root element {sitemap.type!r} is not a sitemap")

    def parse_feed(self, response):
        try:
            selector = Selector(text=response.text, type="xml")
            selector.remove_namespaces()
        except Exception as error:  # a feed that is not XML at all
            yield FetchErrorItem(response.url, "bad_feed", f"unreadable feed: {error}")
            return
        links = selector.xpath("//item/link/text() | //entry/link[not(@rel) or @rel='alternate']/@href").getall()
        for link in links:
            yield self._request(response.urljoin(link.strip()), self.parse_page)

    def parse_page(self, response):
        fetched_at = utc_now()
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in response.headers.items()}
        yield PageItem(response.url, response.status, headers, fetched_at, response.body)
        if not isinstance(response, TextResponse):
            kind = response.headers.get("Content-Type", b"unknown").decode("latin-1")
            yield RejectItem(response.url, "bad_page", f"not an HTML page (Content-Type: {kind})")
            return
        try:
            record = parse_article(response.text, response.url, site=self.profile.slug, fetched_at=fetched_at)
        except Rejected as error:
            yield RejectItem(response.url, error.reason, error.detail)
            return
        yield ArticleItem(record)

    def fetch_failed(self, failure):
        """Every request that fails ends as a `fetch_errors` row with its reason."""
        request = failure.request
        if failure.check(HttpError):
            status = failure.value.response.status
            yield FetchErrorItem(request.url, f"http_{status}", f"HTTP {status} after retries")
        else:
            error = failure.value
            yield FetchErrorItem(request.url, type(error).__name__, str(error) or repr(error))
