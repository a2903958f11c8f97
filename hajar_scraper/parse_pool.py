"""Pages parsed in worker processes, so a crawl's parsing runs beside Scrapy and the archive on another core.

The parser is pure (page bytes in, record out), so a page crosses to a worker as bytes and comes back
as a plain outcome tuple, with the record's write prepared there too (hash, sanitised HTML,
fingerprint, stems, places: `prepared.Prepared`), so the crawl process only fetches and writes. A worker
imports nothing of the archive (no sqlite-utils, warcio or migrations). Exceptions
are not sent back: a `Rejected` subclass built with its own arguments (`MissingField(field)`) does
not survive pickling with its message intact.
"""

from __future__ import annotations

import asyncio
import collections
import multiprocessing
import multiprocessing.connection
import os
import threading
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from hajar_scraper.encoding import decode_page
from hajar_scraper.prepared import Prepared
from hajar_scraper.record import Rejected
from hajar_scraper.sites import get_profile

# ("record", Prepared) | ("rejected", reason, detail) | ("parser_error", detail, traceback)
Outcome = tuple


def parse_bytes(body: bytes, content_type: str, url: str, site: str, fetched_at: str, listed_at: str | None = None,
                complete: bool = False, stems_from: str | None = None) -> Outcome:
    """Decode and parse one fetched page; every way it can end, as a value. `listed_at`: the publication
    time its listing gave. `complete`: prepare the whole write here (a worker; `Prepared.complete`);
    else the writer computes what it needs."""
    from hajar_scraper.parsers import parse_article  # here: a crawl whose workers parse never loads the parsers

    try:
        prepared = Prepared(parse_article(decode_page(body, content_type), url, site=site, fetched_at=fetched_at,
                                          listed_at=listed_at))
        if complete:
            prepared.complete(stems_from)
    except Rejected as error:
        return ("rejected", error.reason, error.detail)
    except Exception as error:  # a parser bug costs its page, filed with the reason
        return ("parser_error", f"{type(error).__name__}: {error}", traceback.format_exc())
    return ("record", prepared)


def _warm(site: str) -> None:
    get_profile(site)  # imports the parsers and reads the profile
    from hajar_scraper import places

    places.tagger()  # the places matcher (~1.5 s to build), while the crawl discovers


def _exit_with_parent() -> None:
    """A worker ends when the crawl process does, even killed: nothing else would tell it."""
    parent = multiprocessing.parent_process()

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class ParsePool:
    """`processes` worker processes, started at the first page (0: parse in the calling process).

    Workers are spawned, not forked: the crawl process runs threads (Twisted's resolver pool), and a
    fork copies their locks in whatever state they are; so a script that starts a crawl needs the
    usual `if __name__ == "__main__":` guard. A worker that dies (killed, out of memory) fails the
    pages it held, each filed as a `parser_error`; the next page starts a new pool. Workers exit with
    the crawl process, even when it is killed.
    """

    def __init__(self, processes: int, stems_from: str | None = None):
        self.processes = max(0, processes)
        self.stems_from = stems_from  # the archive whose known stems workers read instead of stemming again
        self._executor: ProcessPoolExecutor | None = None

    async def parse(self, body: bytes, content_type: str, url: str, site: str, fetched_at: str,
                    listed_at: str | None = None) -> Outcome:
        if not self.processes:
            return parse_bytes(body, content_type, url, site, fetched_at, listed_at)
        executor = self._executor or self._start()
        try:
            return await asyncio.wrap_future(executor.submit(parse_bytes, body, content_type, url, site, fetched_at,
                                                             listed_at, True, self.stems_from))
        except BrokenProcessPool as error:
            if self._executor is executor:
                self._executor = None
            return ("parser_error", f"BrokenProcessPool: the parsing process died ({error})", "")

    def start(self, site: str, stems_from: str | None = None) -> None:
        """Start the workers now, while the crawl discovers, so the first pages do not wait for them."""
        self.stems_from = stems_from
        if self.processes and self._executor is None:
            executor = self._start()
            for _ in range(self.processes):
                executor.submit(_warm, site)

    def _start(self) -> ProcessPoolExecutor:
        self._executor = ProcessPoolExecutor(self.processes, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_exit_with_parent)
        return self._executor

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def parse_in_order(jobs: Iterable[tuple], processes: int, stems_from: str | None = None) -> Iterator[Outcome]:
    """`parse_bytes(*job)` of each job (body, content type, URL, site, fetched_at[, listed_at]), in the jobs' order;
    with `processes`, in that many workers, reading at most a few pages ahead (an offline reparse).
    A worker that dies stops the run with BrokenProcessPool: its pages were not parsed."""
    if not processes:
        yield from (parse_bytes(*job) for job in jobs)
        return
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_exit_with_parent) as executor:
        ahead: collections.deque = collections.deque()
        for job in jobs:
            ahead.append(executor.submit(parse_bytes, *job, complete=True, stems_from=stems_from))
            if len(ahead) >= 4 * processes:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()
