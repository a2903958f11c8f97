"""Scrapy settings: polite by default, on purpose."""

BOT_NAME = "hajar_scraper"
SPIDER_MODULES = ["hajar_scraper.spiders"]
NEWSPIDER_MODULE = "hajar_scraper.spiders"

USER_AGENT = "hajar-scraper/0.1 (+https://github.com/hajar-scraper/hajar-scraper; news archive bot)"
ROBOTSTXT_OBEY = True

# One request at a time per site, paced by AutoThrottle from a one-second start.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
# 429 and 5xx: retried after the server's Retry-After, else 1, 2, 4 … seconds (at most a minute). Scrapy's
# offsite, robots.txt and meta-refresh middlewares are replaced, at their places, by ones that check scheme
# and port as well as the host (origins.py), give every waiting request robots.txt's rules and fetch it
# once (robots.py), and follow a refresh only from a page's head (refresh.py).
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "hajar_scraper.origins.OriginMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "hajar_scraper.robots.EveryRequestRobotsTxt": 100,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "hajar_scraper.refresh.HeadRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "hajar_scraper.retry.BackoffRetryMiddleware": 550,
}
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0

ITEM_PIPELINES = {"hajar_scraper.pipelines.ArchivePipeline": 300}
# The pipeline is synchronous (it buffers items and writes them in batches), so a response's items gain
# nothing from being handled concurrently, while Scrapy starts CONCURRENT_ITEMS asyncio tasks for every
# response's output: 100 by default, ~3 ms of CPU a page.
CONCURRENT_ITEMS = 1
HAJAR_ARCHIVE_DIR = "archive"
HAJAR_DB = None
# Pages are parsed in this many worker processes beside the crawl (0: in the crawl process itself).
HAJAR_PARSE_PROCESSES = 1
# Test-only (tests/test_crash_safety.py): the crawl stops itself (SIGSTOP) inside the savepoint of its N-th
# article that is not the first item of its write batch, for the test to SIGKILL it there. 0, the default,
# is off; nothing else reads it.
HAJAR_TEST_STOP_AT_ARTICLE = 0

TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
