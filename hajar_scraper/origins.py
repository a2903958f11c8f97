"""Where a crawl may go: `http` and `https` on the profile's hosts and on the crawl's base URL, each on its ports.

Scrapy's offsite filter compares host names only, so a site's sitemap could send the crawler to another
port of its host (an admin panel, a database's HTTP port on a mirror's machine) or to another scheme:
an `ftp://` entry on the site's host was fetched over FTP, with a traceback in the log. Here an origin
is scheme, host and port: the profile's hosts (and their subdomains) on the web's default ports, the
base URL's host on the base URL's port. Anything else is refused, with the reason said in words.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest

SCHEMES = {"http": 80, "https": 443}  # and their default ports


class Origins:
    """The hosts a crawl may fetch from, each with the ports it may use."""

    def __init__(self, base_url: str, hosts: tuple[str, ...] | list[str]):
        self.ports: dict[str, set[int]] = {host.lower(): set(SCHEMES.values()) for host in hosts}
        base = urlsplit(base_url)
        port = base.port or SCHEMES.get(base.scheme, 80)
        self.ports.setdefault((base.hostname or "").lower(), set()).add(port)

    def refusal(self, url: str) -> str | None:
        """Why the crawl must not fetch `url`, or None when it may."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            return f"{url!r} is not a web address ({error})"
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        if scheme not in SCHEMES:
            return f"{scheme or 'no'} scheme: only http and https are crawled"
        allowed = next((ports for name, ports in self.ports.items() if host == name or host.endswith("." + name)),
                       None)
        if allowed is None:
            return f"{host or 'no host'} is not one of the site's hosts"
        port = port or SCHEMES[scheme]
        if port not in allowed:
            return f"port {port} is not one of the site's ({', '.join(map(str, sorted(allowed)))})"
        return None


class OffsiteRequest(IgnoreRequest):
    """A request refused by the origin check; its message says why."""


class OriginMiddleware(OffsiteMiddleware):
    """Scrapy's offsite filter with ports and schemes. Every request must be on one of the spider's
    `origins`, redirects and `dont_filter` ones too (a spider without them keeps Scrapy's host check)."""

    def process_request(self, request, spider=None) -> None:
        origins = getattr(self.crawler.spider, "origins", None)
        if origins is None:
            return super().process_request(request)
        if why := origins.refusal(request.url):
            self.stats.inc_value("offsite/filtered")
            raise OffsiteRequest(why)
        return None
