"""A `<meta http-equiv="refresh">` is a redirect only where it can be one: in the page's head.

Scrapy's MetaRefreshMiddleware follows the first refresh it finds in a page's first 4 KB, wherever it
stands. A story that carries one in its body (an embed, a pasted widget, a hostile page) was then
"redirected": the crawl fetched the refresh target instead, filed whatever that was under the target's
address, and the story's own URL was left with no row anywhere. Browsers honour a refresh only as the
document's own metadata, and a page that moved declares it in its head; one in the body is part of
the story, which is parsed and filed under its own URL.
"""

from __future__ import annotations

import lxml.etree
import lxml.html
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_meta_refresh


def refresh_in_head(html: str) -> bool:
    """Whether the document's head (as an HTML parser builds it) declares a refresh."""
    try:
        tree = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return False
    return any((meta.get("http-equiv") or "").strip().lower() == "refresh" for meta in tree.iterfind("head/meta"))


class HeadRefreshMiddleware(MetaRefreshMiddleware):
    """MetaRefreshMiddleware for refreshes in the head only. Scrapy's quick scan finds a refresh first (its
    answer is cached per response); only a page that has one is parsed to see where it stands."""

    def process_response(self, request, response, spider=None):
        if isinstance(response, HtmlResponse) and get_meta_refresh(response, ignore_tags=self._ignore_tags)[1] \
                and not refresh_in_head(response.text):
            self.crawler.stats.inc_value("hajar/refresh_in_body_ignored")
            return response
        return super().process_response(request, response)
