"""The news spider: discovers articles (sitemaps, WP REST, feeds, pagination), fetches what is due, parses it."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode, urlsplit

from scrapy import Request, Spider, signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip, gzip_magic_number
from scrapy.utils.sitemap import sitemap_urls_from_robots

from hajar_scraper import dates
from hajar_scraper.crawlstate import CrawlState
from hajar_scraper.items import ArticleItem, FetchErrorItem, GoneItem, PageItem, RejectItem
from hajar_scraper.origins import OffsiteRequest, Origins
from hajar_scraper.parse_pool import ParsePool
from hajar_scraper.robots import RobotsDisallowed
from hajar_scraper.sites import SiteProfile
from hajar_scraper.spiders import discovery
from hajar_scraper.spiders.discovery import Link
from hajar_scraper.urls import canonical_url, host_of, url_date

COMPLETE = ("wp-json", "sitemaps", "pagination")  # complete discovery strategies, cheapest first
SITEMAP_CANDIDATES = ("/wp-sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml")
REST_FIELDS = "id,link,date_gmt,modified_gmt"


def parse_bound(value: str | None, tz: str, end_of_day: bool = False) -> datetime | None:
    """`--since`/`--until` as an aware datetime; a bare date covers its whole day in the site's zone."""
    if not value:
        return None
    moment = dates.as_datetime(dates.parse_date(value, tz), tz)
    if end_of_day and len(value.strip()) == 10:
        moment += timedelta(days=1, seconds=-1)
    return moment


def _headers(headers) -> dict[str, str]:
    return {k.decode("latin-1"): b", ".join(v).decode("latin-1") for k, v in headers.items()}


def _flag(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class NewsSpider(Spider):
    """Crawl one site profile; `base_url` points it at a mirror while parsing with the same profile."""

    profile: SiteProfile
    stale_pages = 2  # listing pages in a row with nothing due before pagination stops

    def __init__(self, base_url=None, since=None, until=None, full=False, probe=False, recheck=None,
                 *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = (base_url or self.profile.base_url).rstrip("/")
        self.allowed_domains = sorted({host_of(self.base_url), *self.profile.hosts})
        self.origins = Origins(self.base_url, self.profile.hosts)  # the offsite check: scheme, host and port
        self.since = parse_bound(since, self.profile.timezone)
        self.until = parse_bound(until, self.profile.timezone, end_of_day=True)
        self.full, self.probe = _flag(full), _flag(probe)
        self.recheck_days = float(recheck) if recheck not in (None, "") else None
        self.state = CrawlState()
        self.found: dict[str, set] = {}
        self.answered: dict[str, list[str]] = {}
        self.tried: list[str] = []
        self._decided: set[str] = set()
        self._roots: set[str] = set()
        self._awaiting: set[str] = set()  # page requests with no outcome yet (archived, rejected, failed)
        self._redirected: dict[str, str] = {}  # page URL -> where a redirect sent it
        self._fetched: set[str] = set()
        self._late_listed: dict[str, str] = {}  # page URL requested -> a publication time listed after its request
        self.disallowed_probes: list[str] = []  # discovery URLs the site's robots.txt refused
        self._pending = 0
        self._stale = 0

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(spider._idle, signal=signals.spider_idle)
        spider.parsing = ParsePool(crawler.settings.getint("HAJAR_PARSE_PROCESSES", 1))
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider.parsing.close, signal=signals.spider_closed)
        return spider

    def _opened(self, spider=None) -> None:
        """Parsing processes start now, with the archive's state at hand; then the heap is settled.

        What start-up built (Scrapy, the parsers, the archive's state) lives as long as the crawl, and a
        crawl makes few reference cycles (~3,000 in 2,000 articles), yet the collector's passes over that
        heap took 2.3 ms of CPU an article. Frozen, with young collections 14× rarer: 0.5 ms. (Rarer still
        let cyclic garbage float: +25 MB of RSS at 50,000.)
        """
        self.parsing.start(self.profile.slug, self.state.path)
        gc.collect()
        gc.freeze()
        gc.set_threshold(10_000, 20, 100)

    def _scheduled(self, request, spider=None) -> None:
        """Remember where redirects lead: a redirect the offsite or duplicate filter drops gives no callback."""
        if request.callback == self.parse_page and request.meta.get("redirect_urls"):
            self._redirected[request.meta["redirect_urls"][0]] = request.url

    def _page_request(self, url: str, listed_at: str | None = None, **kwargs) -> Request:
        """A page's request; `listed_at` is the publication time its listing gave, for the parser."""
        self._awaiting.add(url)
        meta = {"listed_at": listed_at} if listed_at else {}
        return Request(url, callback=self.parse_page, errback=self.fetch_failed, meta=meta, **kwargs)

    def _listed_at(self, link: Link) -> str | None:
        """The listing's publication time in the site's zone; a listed day stays a day."""
        return dates.to_site_time(link.listed_at, self.profile.timezone) if link.listed_at else None

    def unaccounted(self) -> dict[str, tuple[str, str]]:
        """Page URLs that got no callback at all, with why: each becomes a `fetch_errors` row at close."""
        lost = {}
        for url in sorted(self._awaiting):
            target = self._redirected.get(url)
            if target is None:
                lost[url] = ("not_fetched", "no response before the crawl ended")
            elif target in self._fetched:
                self.crawler.stats.inc_value("hajar/redirected_to_a_fetched_page")
            elif why := self.origins.refusal(target):
                lost[url] = ("offsite_redirect", f"redirected off the site to {target} ({why})")
            else:
                lost[url] = ("redirect_loop", f"redirected to {target}, which was already requested")
        return lost

    def run_arguments(self) -> dict:
        """What this run was asked to do, for its `crawl_runs` row."""
        return {"site": self.profile.slug, "base_url": self.base_url, "full": self.full, "probe": self.probe,
                "recheck_days": self.recheck_days,
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None}

    def use_state(self, state: CrawlState) -> None:
        """The archive's knowledge, set by the pipeline before the first request."""
        self.state = state

    # discovery -------------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        plan = None if self.probe or not self.state.plan else self.state.plan.get("strategy")
        for strategy in [plan] if plan in COMPLETE else ["sitemaps", "wp-json"]:
            for request in filter(None, self._open(strategy)):
                yield request
        for path in self.profile.feeds:
            if request := self._probe(self.base_url + path, self.parse_feed, "feed"):
                yield request
        for request in self._rechecks():
            yield request

    def _rechecks(self) -> Iterator[Request]:
        """`--recheck N`: archived URLs not seen for N days are fetched again, listed or not (tombstones)."""
        if self.recheck_days is None:
            return
        cutoff = datetime.now(timezone.utc) - timedelta(days=self.recheck_days)
        for url, seen in sorted(self.state.last_seen.items()):
            if seen < cutoff and url not in self._decided:
                self._decided.add(url)
                self.crawler.stats.inc_value("hajar/rechecked")
                yield self._page_request(url, dont_filter=True)

    def _open(self, strategy: str) -> Iterator[Request]:
        """The root requests of one strategy; each is a probe whose answer decides the fallbacks."""
        self.tried.append(strategy)
        if strategy == "sitemaps":
            roots = (self.state.plan or {}).get("sitemaps") if not self.probe else None
            yield self._probe(f"{self.base_url}/robots.txt", self.parse_robots, strategy)
            for url in dict.fromkeys(roots or [self.base_url + p for p in (*self.profile.sitemaps, *SITEMAP_CANDIDATES)]):
                yield self._probe(url, self.parse_sitemap, strategy)
        elif strategy == "wp-json":
            yield self._probe(self._rest_url(1), self.parse_rest, strategy)
        else:
            yield self._probe(self.base_url + "/", self.parse_listing, strategy)

    def _probe(self, url: str, callback, strategy: str) -> Request | None:
        """A discovery root; never off the site (a robots.txt may name another host's sitemap). robots.txt
        rules it like any request; its own request is answered by the robots middleware's copy."""
        if why := self.origins.refusal(url):
            self.crawler.stats.inc_value("hajar/offsite_discovery_refused")
            self.logger.warning("not probing off-site %s: %s", url, why)
            return None
        self._roots.add(url)
        self._pending += 1
        return Request(url, callback=callback, errback=self.probe_failed, meta={"probe": strategy})

    def _on_site(self, url: str) -> bool:
        return self.origins.refusal(url) is None

    def _offsite(self, url: str, listed_by: str) -> FetchErrorItem:
        """The row of a listed URL the crawl will not fetch: another scheme, host or port."""
        self.crawler.stats.inc_value("hajar/offsite_refused")
        return FetchErrorItem(url, "offsite", f"listed by the {listed_by} but {self.origins.refusal(url)}")

    def _idle(self, spider=None) -> None:
        """A probe the offsite or duplicate filter dropped never calls back: settle the fallbacks here."""
        if self._pending and not any(self.answered.get(s) for s in COMPLETE):
            self._pending = 1
            requests = [r for r in self._probe_done({"probe": "idle"}) if r]
            for request in requests:
                self.crawler.engine.crawl(request)
            if requests:
                raise DontCloseSpider

    def _probe_done(self, meta: dict) -> Iterator[Request]:
        """After the last probe: if no complete strategy answered, open the next one untried."""
        if not meta.get("probe"):
            return
        self._pending -= 1
        if self._pending or any(self.answered.get(s) for s in COMPLETE):
            return
        for strategy in COMPLETE:
            if strategy not in self.tried:
                self.logger.info("no complete listing answered yet; trying %s", strategy)
                yield from filter(None, self._open(strategy))
                return

    def probe_failed(self, failure):
        self.crawler.stats.inc_value("hajar/probe_failed")
        if failure.check(RobotsDisallowed):
            self.disallowed_probes.append(failure.request.url)
        self.logger.info("probe %s failed: %s", failure.request.url, failure.value)
        yield from self._probe_done(failure.request.meta)

    def nothing_allowed(self) -> str | None:
        """Why the run could list nothing, when robots.txt refused every discovery URL it tried."""
        if not self.disallowed_probes or self.found or self.answered:
            return None
        paths = ", ".join(dict.fromkeys(urlsplit(url).path for url in self.disallowed_probes))
        return (f"robots.txt disallows every discovery URL the crawl tried ({paths}): nothing was listed,"
                " so nothing was fetched")

    def parse_robots(self, response):
        for url in sitemap_urls_from_robots(response.body, base_url=response.url):
            if url not in self._roots and (request := self._probe(url, self.parse_sitemap, "sitemaps")):
                yield request
        yield from self._probe_done(response.meta)

    def parse_sitemap(self, response):
        body = gunzip(response.body) if gzip_magic_number(response) else response.body
        try:
            kind, links = discovery.read_sitemap(body)
        except ValueError as error:
            if not response.meta.get("probe"):
                yield FetchErrorItem(response.url, "bad_sitemap", str(error))
            yield from self._probe_done(response.meta)
            return
        if response.meta.get("probe"):
            self.answered.setdefault("sitemaps", []).append(response.url)
        if kind == "sitemapindex":
            for link in links:
                if discovery.SKIP_SITEMAPS.search(link.url):
                    continue
                if self.since and link.modified and link.modified < self.since:
                    self.crawler.stats.inc_value("hajar/sitemaps_skipped_by_since")
                    continue
                if not self._on_site(link.url):
                    yield self._offsite(link.url, "sitemap index")
                    continue
                yield Request(link.url, callback=self.parse_sitemap, errback=self.fetch_failed)
        else:
            yield from filter(None, (self._follow(link, "sitemaps") for link in links))
        yield from self._probe_done(response.meta)

    def _rest_url(self, page: int) -> str:
        params = {"per_page": 100, "page": page, "_fields": REST_FIELDS, "orderby": "id", "order": "asc"}
        if self.since:
            params["after"] = self.since.isoformat()
        if self.until:
            params["before"] = self.until.isoformat()
        if self.state.last_complete_start and not self.full and not self.probe and self.state.plan:
            params["modified_after"] = (self.state.last_complete_start - timedelta(hours=1)).isoformat()
        return f"{self.base_url}/wp-json/wp/v2/posts?{urlencode(params)}"

    def parse_rest(self, response):
        try:
            links = discovery.read_wp_posts(response.body)
        except ValueError as error:
            if not response.meta.get("probe"):
                yield FetchErrorItem(response.url, "bad_rest_answer", str(error))
            yield from self._probe_done(response.meta)
            return
        if response.meta.get("probe"):
            self.answered.setdefault("wp-json", []).append(self.base_url + "/wp-json/wp/v2/posts")
            pages = int(response.headers.get("X-WP-TotalPages", b"1") or 1)
            for page in range(2, pages + 1):
                yield Request(self._rest_url(page), callback=self.parse_rest, errback=self.rest_page_failed)
        yield from filter(None, (self._follow(link, "wp-json") for link in links))
        yield from self._probe_done(response.meta)

    def rest_page_failed(self, failure):
        """HTTP 400 past the last page is how WordPress says 'no more'; anything else is a failure."""
        if failure.check(HttpError) and failure.value.response.status == 400:
            return
        yield from self.fetch_failed(failure)

    def parse_feed(self, response):
        try:
            links = discovery.read_feed(response.body)
        except ValueError as error:
            self.logger.warning("unreadable feed %s: %s", response.url, error)
            links = []
        yield from filter(None, (self._follow(link, "feed") for link in links))
        yield from self._probe_done(response.meta)

    def parse_listing(self, response):
        links, next_url = discovery.read_listing(response.body, response.url)
        if links and response.meta.get("probe"):
            self.answered.setdefault("pagination", []).append(response.url)
        due = [r for r in (self._follow(link, "pagination") for link in links) if r]
        yield from due
        self._stale = 0 if due else self._stale + 1
        if next_url and self._stale < self.stale_pages:
            next_url = response.urljoin(next_url)
            if self._on_site(next_url):
                yield Request(next_url, callback=self.parse_listing, errback=self.fetch_failed)
            else:
                yield self._offsite(next_url, "listing's next-page link")
        yield from self._probe_done(response.meta)

    # what is due -----------------------------------------------------------------------------
    def _follow(self, link: Link, source: str) -> Request | FetchErrorItem | None:
        """A request for the linked page when it is on the site, in bounds and newer than what we hold."""
        try:
            url = canonical_url(link.url, base=self.base_url)
        except ValueError:  # `http://[`, a port past 65535: the origin check says why
            url = link.url
        on_site = self._on_site(url)
        if on_site:
            self.found.setdefault(source, set()).add(url)
        if url in self._decided:
            if link.listed_at and url in self._awaiting:  # e.g. the feed dates a page a sitemap listed undated
                self._late_listed.setdefault(url, self._listed_at(link))
            return None
        self._decided.add(url)
        if not on_site:
            return self._offsite(url, source)
        if not self._in_bounds(link):
            self.crawler.stats.inc_value("hajar/out_of_bounds")
            return None
        held = self.state.held.get(url)
        if held and not self.full and not (link.modified and link.modified > held):
            self.crawler.stats.inc_value("hajar/skipped")
            return None
        return self._page_request(url, self._listed_at(link))

    def _in_bounds(self, link: Link) -> bool:
        day = url_date(link.url)
        published = link.published or (dates.as_datetime(day, self.profile.timezone) if day else None)
        if self.since:
            newest = link.modified or published
            if (published and published + timedelta(days=1) < self.since) or (newest and newest < self.since):
                return False
        if self.until and published and published > self.until:
            return False
        return True

    def discovery_report(self) -> dict:
        """Which strategies answered and how many stories each listed; the plan is the cheapest complete one."""
        counts = {s: len(self.found.get(s, ())) for s in (*COMPLETE, "feed")}
        best = max((counts[s] for s in COMPLETE if self.answered.get(s)), default=0)
        strategy = next((s for s in COMPLETE if self.answered.get(s) and counts[s] >= 0.95 * best), None)
        return {"strategy": strategy, "listed": counts, "sitemaps": list(dict.fromkeys(self.answered.get("sitemaps", []))),
                "answered": sorted(self.answered), "probed": self.probe or not self.state.plan}

    # pages -----------------------------------------------------------------------------------
    async def parse_page(self, response):
        fetched_at = dates.utc_now()
        original = response.request.meta.get("redirect_urls", [response.url])[0]
        late = self._late_listed.pop(original, None)
        listed_at = response.meta.get("listed_at") or late
        yield PageItem(response.url, response.status, _headers(response.headers), fetched_at, response.body,
                       _headers(response.request.headers), listed_at)
        self._awaiting.discard(original)
        self._fetched.add(response.url)
        if response.url.rstrip("/") == self.base_url and original.rstrip("/") != self.base_url:
            if original in self.state.held:
                yield GoneItem(original, "redirected to the home page")
            else:
                yield RejectItem(original, "not_article", "redirected to the home page")
            return
        if not isinstance(response, TextResponse):
            kind = response.headers.get("Content-Type", b"unknown").decode("latin-1")
            yield RejectItem(response.url, "bad_page", f"not an HTML page (Content-Type: {kind})")
            return
        outcome = await self.parsing.parse(response.body, response.headers.get("Content-Type", b"").decode("latin-1"),
                                           response.url, self.profile.slug, fetched_at, listed_at)
        match outcome:
            case ("record", prepared):
                yield ArticleItem(prepared.record, response.url, prepared)
            case ("rejected", "not_found", detail) if original in self.state.held:
                yield GoneItem(original, detail)
            case ("rejected", reason, detail):
                yield RejectItem(response.url, reason, detail)
            case ("parser_error", detail, trace):
                self.logger.error("parser failed on %s: %s\n%s", response.url, detail, trace)
                yield RejectItem(response.url, "parser_error", detail)

    def fetch_failed(self, failure):
        """Every request that fails ends as a `fetch_errors` row with its reason."""
        request = failure.request
        url = request.meta.get("redirect_urls", [request.url])[0]
        self._awaiting.discard(url)
        self._late_listed.pop(url, None)
        if failure.check(HttpError):
            response = failure.value.response
            status, location = response.status, response.headers.get("Location")
            if status in (404, 410) and url in self.state.held:
                yield GoneItem(url, f"http_{status}")
            elif 300 <= status < 400 and location:  # a redirect Scrapy would not follow: to another scheme
                target = response.urljoin(location.decode("latin-1"))
                why = self.origins.refusal(target) or "not followed"
                yield FetchErrorItem(url, "offsite_redirect", f"redirected off the site to {target} ({why})")
            else:
                yield FetchErrorItem(url, f"http_{status}", f"HTTP {status} after retries")
        elif failure.check(RobotsDisallowed):
            yield FetchErrorItem(url, "robots_txt", str(failure.value))
        elif failure.check(OffsiteRequest):
            yield FetchErrorItem(url, "offsite", str(failure.value))
        else:
            error = failure.value
            yield FetchErrorItem(url, type(error).__name__, str(error) or repr(error))
