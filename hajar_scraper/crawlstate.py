"""What the archive already knows about a site, handed to the spider as plain values (no SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class CrawlState:
    """Held copies (canonical URL → newest publish/modify time, UTC), when each was last seen,
    the discovery plan, the start of the last complete run, and the archive file (parsing
    processes read the stems it knows from it)."""

    held: dict[str, datetime] = field(default_factory=dict)
    last_seen: dict[str, datetime] = field(default_factory=dict)
    plan: dict | None = None
    last_complete_start: datetime | None = None
    path: str | None = None
