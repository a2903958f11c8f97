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


def test_keys_are_the_21_pairs_of_7_blocks():
    value = (1 << 10) - 1  # block 0 (the lowest 10 bits) all ones, the rest zero
    keys = fingerprint.keys(value)
    assert [n for n, _ in keys] == list(range(21))
    # pairs (0, j) put block 0's 10 bits above block j's 9; pairs without block 0 are all zero here
    assert keys[:6] == [(n, 1023 << 9) for n in range(6)]
    assert {key for _, key in keys[6:]} == {0}
    assert fingerprint.keys(2**64 - 1)[0] == (0, 2**19 - 1) and fingerprint.keys(2**64 - 1)[-1] == (20, 2**18 - 1)


@settings(max_examples=2000, deadline=None)
@given(st.integers(0, 2**64 - 1), st.sets(st.integers(0, 63), max_size=fingerprint.MAX_DISTANCE))
def test_near_duplicates_share_a_key(value, flipped):
    other = value
    for bit in flipped:
        other ^= 1 << bit
    assert set(fingerprint.keys(value)) & set(fingerprint.keys(other))


def test_six_flipped_bits_can_share_no_key():
    """The keys find what MAX_DISTANCE allows, no more: one bit in each of six blocks breaks every pair."""
    value = 0x0123456789ABCDEF
    other = value ^ sum(1 << offset for offset in (0, 10, 19, 28, 37, 46))
    assert not set(fingerprint.keys(value)) & set(fingerprint.keys(other))
