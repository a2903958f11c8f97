"""What the archive already knows about a site, handed to the spider as plain values (no SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class CrawlState:
    """Held copies (canonical URL → newest publish/modify time, UTC), when each was last seen,
    the discovery plan, and the start of the last complete run."""

    held: dict[str, datetime] = field(default_factory=dict)
    last_seen: dict[str, datetime] = field(default_factory=dict)
    plan: dict | None = None
    last_complete_start: datetime | None = None
