"""What the politeness tests set and read: answers scripted to fail, and a log of every request as the site saw it.

A crawler's manners are only visible from the server's side: which paths it asked for, with which
User-Agent, and when a retried request came back after a 429 or 503 that said `Retry-After`.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Callable

from aiohttp import web


@dataclass(frozen=True)
class Failure:
    """One scripted answer: its status and what its `Retry-After` says (seconds, `date+N`, or nothing)."""

    status: int
    retry_after: str | None = None

    def response(self) -> web.Response:
        headers = {"Retry-After": retry_after_value(self.retry_after)} if self.retry_after else {}
        return web.Response(status=self.status, text=f"scripted {self.status}", headers=headers)


def retry_after_value(spec: str) -> str:
    """`date+N` is the HTTP date N whole seconds after the next full second (RFC 9110 dates have no fraction)."""
    if spec.startswith("date+"):
        moment = math.ceil(time.time()) + int(spec.removeprefix("date+"))
        return format_datetime(datetime.fromtimestamp(moment, timezone.utc), usegmt=True)
    return spec


def parse_failures(specs: list[str]) -> dict[str, list[Failure]]:
    """`PATH=STATUS[:RETRY_AFTER],…` options as each path's answers to serve, in order, before the real one."""
    script = {}
    for spec in specs:
        path, _, answers = spec.partition("=")
        if not path.startswith("/") or not answers:
            raise ValueError(f"--fail wants PATH=STATUS[:RETRY_AFTER],…, not {spec!r}")
        script[path] = [Failure(int(status), after or None) for status, _, after in
                        (answer.partition(":") for answer in answers.split(","))]
    return script


def scripted_failures(script: dict[str, list[Failure]]) -> Callable:
    """A middleware serving each path's scripted answers first; a path's later requests get the page."""

    @web.middleware
    async def fail_first(request: web.Request, handler: Callable) -> web.StreamResponse:
        answers = script.get(request.path)
        if answers:
            return answers.pop(0).response()
        return await handler(request)

    return fail_first


def request_log(path: Path) -> Callable:
    """A middleware appending one JSON line per request: arrival (monotonic and wall clock), method, path
    with query, User-Agent, the requests being answered at its arrival counting itself (`in_flight`),
    status and the `Retry-After` it was answered with."""
    answering = [0]

    @web.middleware
    async def log(request: web.Request, handler: Callable) -> web.StreamResponse:
        answering[0] += 1
        entry = {"at": time.monotonic(), "wall": time.time(), "method": request.method, "path": request.path_qs,
                 "user_agent": request.headers.get("User-Agent"), "in_flight": answering[0], "status": 500,
                 "retry_after": None}
        try:
            # The site's handlers never wait, so without a pause requests sent together would still be
            # answered one by one and `in_flight` could not tell a crawler that sends them together.
            await asyncio.sleep(0.01)
            response = await handler(request)
            entry.update(status=response.status, retry_after=response.headers.get("Retry-After"))
            return response
        except web.HTTPException as error:
            entry["status"] = error.status
            raise
        finally:
            answering[0] -= 1
            with path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(entry) + "\n")

    return log


def read_log(path: Path) -> list[dict]:
    """The logged requests, in the order they arrived."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
