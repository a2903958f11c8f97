"""The crawl baseline: the news spider's own discovery (robots.txt → sitemaps + feed), fetch only.

Same spider class, settings and middlewares as `hajar crawl`, but article pages are neither parsed
nor archived, so the difference to the full crawl is exactly the parser plus the pipeline.
Usage: bare_spider.py BASE_URL [KEY=VALUE ...]; prints seconds and pages as JSON on stdout.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "hajar_scraper.settings")

from scrapy.crawler import CrawlerProcess  # noqa: E402
from scrapy.utils.project import get_project_settings  # noqa: E402

from hajar_scraper.sites import get_profile  # noqa: E402
from hajar_scraper.spiders.news import NewsSpider  # noqa: E402


class BareSpider(NewsSpider):
    name = "bare"
    profile = get_profile("hajarnews")

    def parse_page(self, response):
        self.crawler.stats.inc_value("bench/pages")
        return ()


def main(base_url: str, overrides: list[str]) -> None:
    settings = get_project_settings()
    settings.set("ITEM_PIPELINES", {}, priority="cmdline")
    settings.set("HAJAR_PARSE_PROCESSES", 0, priority="cmdline")  # nothing to parse
    for override in overrides:
        key, _, value = override.partition("=")
        settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    started = time.monotonic()  # timed as `hajar crawl` times itself, so the two rates compare
    process.crawl(crawler, base_url=base_url)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"seconds": time.monotonic() - started, "pages": stats.get("bench/pages", 0),
                      "finish_reason": stats.get("finish_reason")}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
