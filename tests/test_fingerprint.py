"""The simhash votes in integer lanes; it must equal the plain per-bit vote it replaced, bit for bit."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

from hypothesis import given, settings, strategies as st

from hajar_scraper import fingerprint


def per_bit_vote(text: str) -> int:
    """The textbook simhash: every distinct word adds or takes its count on each of the 64 bits."""
    weights = [0] * 64
    for word, count in Counter(re.findall(r"\w+", text.lower())).items():
        value = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            weights[bit] += count if value >> bit & 1 else -count
    return sum(1 << bit for bit in range(64) if weights[bit] > 0)


def test_known_values():
    assert fingerprint.simhash("") == 0
    assert fingerprint.simhash("jambi") == int.from_bytes(hashlib.blake2b(b"jambi", digest_size=8).digest(), "big")
    assert fingerprint.simhash("Jambi jambi JAMBI") == fingerprint.simhash("jambi")
    # two words that disagree on a bit tie it (0 votes net), and a tie is not set
    a, b = (int.from_bytes(hashlib.blake2b(w, digest_size=8).digest(), "big") for w in (b"kuala", b"tungkal"))
    assert fingerprint.simhash("kuala tungkal") == a & b


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["pemkab", "tanjab", "barat", "jambi", "yang", "dan", "Kualatungkal", "öl",
                                 "2021", "bupati", "kerjasama"]), max_size=400).map(" ".join))
def test_equals_the_per_bit_vote(text):
    assert fingerprint.simhash(text) == per_bit_vote(text)
