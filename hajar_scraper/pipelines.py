"""The one pipeline: writes what the spider hands over into the archive and keeps the run's books."""

from __future__ import annotations

import logging
import os
import signal
from collections import Counter
from pathlib import Path

from scrapy import signals
from scrapy.exceptions import CloseSpider
from twisted.internet import task

from hajar_scraper.archive import Archive
from hajar_scraper.items import ArticleItem, FetchErrorItem, GoneItem, PageItem, RejectItem
from hajar_scraper.lock import AlreadyRunning, ArchiveLock
from hajar_scraper.record import Rejected
from hajar_scraper.warc import WarcLog

logger = logging.getLogger(__name__)

# The run's fill rates, the alarm for a changed site layout (archive.finish_run compares them with the site's
# earlier runs): for each of FILL_FIELDS, the share of the run's articles with that field filled; and
# PROFILE_BODY, the share whose story the profile's own selectors found (provenance body_text == "selector",
# not "generic"). When a theme changes, the generic finder still reads the story, so the fields may stay
# filled: `profile_body` falling is what shows the change.
FILL_FIELDS = ("published_at", "modified_at", "description", "authors", "categories", "tags", "images",
               "dateline", "signature")
PROFILE_BODY = "profile_body"


def archive_path(settings, site: str) -> Path:
    """`HAJAR_DB` if set, else `<HAJAR_ARCHIVE_DIR>/<site>.db`."""
    explicit = settings.get("HAJAR_DB")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("HAJAR_ARCHIVE_DIR") or settings.get("HAJAR_ARCHIVE_DIR")) / f"{site}.db"


class ArchivePipeline:
    """Open the archive when the spider opens, file every item, close the run with its figures.

    Items are written in batches, one transaction per `HAJAR_WRITE_BATCH` items or per
    `HAJAR_WRITE_SECONDS`, whichever comes first: a commit makes FTS5 write its index segments, which
    cost more than the article itself. A killed crawl loses at most the open batch, whose pages the
    next run fetches again (they are not in the archive, so nothing is skipped). Each item keeps its own
    savepoint, so one that fails costs itself only.

    The run is closed on `spider_closed`, the signal that says why the crawl ended: Scrapy closes the
    pipelines before it, when the stats have no finish reason yet, so a crawl cut short by
    CLOSESPIDER_TIMEOUT or a shutdown was recorded `finished`, and later runs took it for a complete one.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.archive: Archive | None = None  # until open_spider opens it (it may fail before)
        self.counts: Counter = Counter()
        self.filled: Counter = Counter()
        self.pending: list = []
        self.batch_size = crawler.settings.getint("HAJAR_WRITE_BATCH", 64)
        self.batch_seconds = crawler.settings.getfloat("HAJAR_WRITE_SECONDS", 2.0)
        self.stop_at = crawler.settings.getint("HAJAR_TEST_STOP_AT_ARTICLE", 0)  # test-only, see settings.py
        self.articles_seen = 0

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        spider = self.crawler.spider
        profile = spider.profile
        self.site = profile.slug
        path = archive_path(self.crawler.settings, self.site)
        self.lock = ArchiveLock(path)
        try:
            self.lock.acquire()
        except AlreadyRunning as error:
            self.archive = None
            raise CloseSpider(str(error)) from None
        self.archive = Archive(path)
        self.archive.ensure_site(profile.slug, profile.name, profile.base_url, profile.region, profile.timezone,
                                 profile.places_home)
        interrupted = self.archive.close_interrupted_runs(self.site)
        if interrupted:
            logger.warning("%s earlier run(s) of %s were interrupted; this run resumes them", interrupted, self.site)
        spider.use_state(self.archive.crawl_state(self.site))
        self.run_id = self.archive.start_run(self.site, spider.run_arguments())
        self.warc = WarcLog(self.archive.path.parent, f"warc/{self.site}/{self.run_id}.warc.gz",
                            self.crawler.settings.get("USER_AGENT"), {"run": self.run_id, **spider.run_arguments()})
        self.page_ids: dict[str, int] = {}
        self.flusher = task.LoopingCall(self.flush)
        self.flusher.start(self.batch_seconds, now=False)
        logger.info("archiving into %s (run %s)", self.archive.path, self.run_id)

    def close_spider(self) -> None:
        """Write what is pending, and file every URL that got no answer (`not_fetched`: the crawl ended first,
        counted apart from the failures)."""
        if self.archive is None:
            return
        self.flusher.stop()
        self.flush()
        for url, (reason, detail) in self.crawler.spider.unaccounted().items():
            self._count("not_fetched" if reason == "not_fetched" else "failed")
            self.archive.record_fetch_error(self.run_id, self.site, url, reason, detail)

    def spider_closed(self, spider, reason: str) -> None:
        """Close the run with the reason the crawl ended for, its figures and what needs a look."""
        if self.archive is None:
            return
        stats = {**self.crawler.stats.get_stats(), "finish_reason": reason}
        self.counts["skipped"] = stats.get("hajar/skipped", 0)
        articles = self.counts["new"] + self.counts["updated"] + self.counts["unchanged"]
        fill = {f: round(100 * self.filled[f] / articles, 1) if articles else 0.0
                for f in (*FILL_FIELDS, PROFILE_BODY)}
        report = spider.discovery_report()
        if report["probed"] and report["strategy"] and reason == "finished":  # a run cut short listed less
            self.archive.save_plan(self.site, report)
        warning = spider.nothing_allowed()
        alarm = self.archive.finish_run(self.run_id, reason, stats, dict(self.counts), fill, warning)
        if alarm:
            logger.warning("run %s of %s: %s", self.run_id, self.site, alarm)
        self.warc.close()
        self.archive.close()
        self.lock.release()
        logger.info("run %s: %s", self.run_id, dict(self.counts))

    def process_item(self, item):
        self.pending.append(item)
        if len(self.pending) >= self.batch_size:
            self.flush()
        return item

    def flush(self) -> None:
        """Write the pending items, in the order they came, in one transaction."""
        items, self.pending = self.pending, []
        if not items:
            return
        with self.archive.db.atomic():
            for position, item in enumerate(items):
                if self.stop_at and isinstance(item, ArticleItem):
                    self._arm_test_stop(position, len(items))
                try:
                    self._file(item)
                except Exception as error:  # a write that fails costs its item, filed with the reason
                    url = item.record.get("url", "?") if isinstance(item, ArticleItem) else item.url
                    logger.exception("could not archive %s of %s", type(item).__name__, url)
                    self._reject(url, "archive_error", f"{type(error).__name__}: {error}")

    def _file(self, item) -> None:
        match item:
            case ArticleItem(record=record):
                try:
                    outcome = self.archive.save_article(item.prepared or record, self.run_id,
                                                        self.page_ids.pop(item.page_url, None))
                except Rejected as error:
                    self._reject(record.get("url", "?"), error.reason, error.detail)
                    return
                self._count("updated" if outcome == "refreshed" else outcome)
                self.filled.update(f for f in FILL_FIELDS if record.get(f))
                if (record.get("provenance") or {}).get("body_text") == "selector":
                    self.filled[PROFILE_BODY] += 1
            case PageItem():
                capture = self.warc.write(item.url, item.status, item.headers, item.body, item.fetched_at,
                                          item.request_headers)
                self.page_ids[item.url] = self.archive.record_page(
                    self.run_id, item.url, item.status, item.headers, item.fetched_at, len(item.body), capture,
                    item.listed_at)
            case GoneItem():
                self.archive.mark_gone(item.url, item.reason)
                self._count("gone")
            case RejectItem():
                self._reject(item.url, item.reason, item.detail)
            case FetchErrorItem():
                self._count("failed")
                self.archive.record_fetch_error(self.run_id, self.site, item.url, item.reason, item.detail)

    def _arm_test_stop(self, position: int, batch: int) -> None:
        """Test-only (HAJAR_TEST_STOP_AT_ARTICLE = N): from the N-th article on, the first one that is not the
        first item of its batch stops this process inside its savepoint, with the batch's earlier items
        written and not committed, for the kill test to SIGKILL it there (a kill from outside lands there
        by chance only). Off, the default, it is never called."""
        self.articles_seen += 1
        if self.articles_seen < self.stop_at or position == 0 or self.archive.after_row is not None:
            return

        def stop(url: str) -> None:
            logger.warning("test stop: inside the savepoint of %s, item %d of a batch of %d", url, position + 1, batch)
            os.kill(os.getpid(), signal.SIGSTOP)

        self.archive.after_row = stop

    def _count(self, outcome: str) -> None:
        self.counts[outcome] += 1
        self.crawler.stats.inc_value(f"hajar/{outcome}")

    def _reject(self, url: str, reason: str, detail: str) -> None:
        self._count("rejected")
        logger.warning("rejected %s: %s", url, detail)
        self.archive.record_reject(self.run_id, self.site, url, reason, detail)
