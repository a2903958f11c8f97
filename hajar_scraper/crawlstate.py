"""What the archive already knows about a site, handed to the spider as plain values (no SQL)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class CrawlState:
    """Held copies (canonical URL → newest publish/modify time, UTC), the discovery plan, the last full run."""

    held: dict[str, datetime] = field(default_factory=dict)
    plan: dict | None = None
    last_complete_start: datetime | None = None
