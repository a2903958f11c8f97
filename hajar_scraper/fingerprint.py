"""Near-duplicate fingerprints: a 64-bit simhash of the words, and the bands that find candidates fast.

Words, not shingles: on tests/fixtures/releases a lightly edited press release is 3 bits from its source
(9 with word pairs, 12 with triples) while unrelated stories are 31-32 bits apart.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter

BITS = 64
BANDS = 6  # a distance of at most BANDS - 1 bits leaves at least one band identical (pigeonhole)
MAX_DISTANCE = 5
_WORD = re.compile(r"\w+", re.UNICODE)


def simhash(text: str) -> int:
    """Each distinct word votes on every bit, weighted by how often it occurs."""
    weights = [0] * BITS
    for word, count in Counter(_WORD.findall(text.lower())).items():
        value = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
        for bit in range(BITS):
            weights[bit] += count if value >> bit & 1 else -count
    return sum(1 << bit for bit in range(BITS) if weights[bit] > 0)


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def bands(value: int) -> list[tuple[int, str]]:
    """(band number, bits of that band) pairs; near duplicates share at least one."""
    size = -(-BITS // BANDS)
    return [(band, format(value >> (band * size) & ((1 << size) - 1), "x")) for band in range(BANDS)]
