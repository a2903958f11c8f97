"""Editors' notes on a changed story ("Ralat:", "Catatan Redaksi:", "Artikel ini telah diperbarui")."""

from __future__ import annotations

import re
from datetime import datetime

from hajar_scraper import dates

_NOTE = re.compile(
    r"^\W*(?:ralat|koreksi|catatan\s+redaksi|catatan\s+editor|editor'?s note)\s*[:(—–-]"
    r"|^\W*(?:artikel|berita|tulisan)\s+ini\s+(?:telah\s+|sudah\s+)?(?:mengalami\s+)?"
    r"(?:diperbarui|diperbaharui|direvisi|diralat|dikoreksi|diubah|perubahan|revisi|pembaruan)",
    re.I,
)
# Where a note says when it was written: "… pada Rabu, 26 Mei 2021 pukul 10.15 WIB", "Ralat (26/5/2021):".
_WHEN = re.compile(r"(?:\bpada\b|\btanggal\b|\bper\b|^\W*\w+(?:\s+\w+)?\s*\()\s*(?P<when>.{6,60})", re.I)


def is_correction(text: str) -> bool:
    return bool(_NOTE.match(text))


def correction(text: str, tz: str, now: datetime | None = None) -> dict:
    """`{"text", "date"}`: the note as printed and the time it gives for itself (ISO with offset), else None."""
    return {"text": text, "date": _note_date(text, tz, now)}


def _note_date(text: str, tz: str, now: datetime | None) -> str | None:
    for match in _WHEN.finditer(text):
        clause = re.split(r"(?<=\d)\)|\.\s|;", match["when"], maxsplit=1)[0]
        try:
            return dates.parse_date(clause, tz, now=now)
        except dates.DateError:
            continue
    return None
