"""robots.txt for every request the crawl makes, discovery probes included; robots.txt itself fetched once.

Scrapy's RobotsTxtMiddleware lets requests through when several wait for robots.txt at once: each waiter
turns the pending Deferred into a Future, which consumes its result, so the first waiter is given the
parsed rules and every later one `None`, read as "no robots.txt". A crawl starts with half a dozen
discovery probes at once, so a site answering `Disallow: /` still got `/news-sitemap.xml`, the WordPress
REST API and `/feed/`. Here every waiter is given the rules. And the spider's own robots.txt request
(it reads the `Sitemap:` lines) is answered from the copy this middleware fetched, so a site that
disallows everything sees one request: `/robots.txt`.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsDisallowed(IgnoreRequest):
    """A request the site's robots.txt disallows."""


def _relay(pending: Deferred) -> Deferred:
    """A Deferred fired with `pending`'s result, leaving that result in `pending` for the next waiter."""
    copy: Deferred = Deferred()

    def forward(result):
        copy.callback(result)
        return result

    pending.addBoth(forward)
    return copy


def is_robots_txt(request) -> bool:
    return urlparse_cached(request).path == "/robots.txt"


class EveryRequestRobotsTxt(RobotsTxtMiddleware):
    """RobotsTxtMiddleware that keeps robots.txt's rules for every waiter and fetches robots.txt once."""

    def __init__(self, crawler):
        super().__init__(crawler)
        self._fetched: dict[str, object] = {}  # netloc -> the robots.txt response this middleware got

    async def process_request(self, request, spider=None):
        if request.meta.get("dont_obey_robotstxt"):  # this middleware's own fetch of robots.txt
            return None
        if is_robots_txt(request):  # the spider reading it: the copy we fetched, not a second request
            await self.robot_parser(request)
            fetched = self._fetched.get(urlparse_cached(request).netloc)
            return fetched.replace(request=request) if fetched is not None else None
        rules = await self.robot_parser(request)
        try:
            self.process_request_2(rules, request)
        except IgnoreRequest:
            where = urlparse_cached(request)
            raise RobotsDisallowed(f"disallowed by {where.scheme}://{where.netloc}/robots.txt") from None
        return None

    async def robot_parser(self, request):
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            return await maybe_deferred_to_future(_relay(pending))
        return await super().robot_parser(request)

    async def _parse_robots(self, response, netloc, request) -> None:
        self._fetched[netloc] = response
        await super()._parse_robots(response, netloc, request)
