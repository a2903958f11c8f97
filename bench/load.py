"""A closed-loop HTTP load generator: `clients` concurrent aiohttp clients share a bounded list of URLs.

Each client sends its next request as soon as its last answer is read, as a browser tab would, so
latency includes the queueing that many readers at once cause.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp


async def _load(urls: list[str], clients: int, budget: float) -> tuple[list[float], dict[int, int], float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    queue = iter(urls)
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        async def client():
            for url in queue:
                if time.perf_counter() > deadline:  # a bounded run: slow pages get fewer requests
                    break
                started = time.perf_counter()
                try:
                    async with session.get(url) as response:
                        await response.read()
                        status = response.status
                except (aiohttp.ClientError, asyncio.TimeoutError):
                    status = 0
                latencies.append(time.perf_counter() - started)
                statuses[status] = statuses.get(status, 0) + 1

        started = time.perf_counter()
        deadline = started + budget
        await asyncio.gather(*(client() for _ in range(clients)))
        return latencies, statuses, time.perf_counter() - started


def load(urls: list[str], clients: int = 20, budget: float = 600) -> tuple[list[float], dict[int, int], float]:
    """(latency of each request in seconds, count by HTTP status (0: failed), wall seconds);
    no request starts after `budget` seconds."""
    return asyncio.run(_load(urls, clients, budget))
