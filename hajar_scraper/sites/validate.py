"""A profile file checked against the keys a profile may have, before any default fills a gap.

A misspelt key (`pubished:`) used to load silently and leave the outlet on the default selectors; a string
where a list belongs was read letter by letter. Here each is an error naming the file, the key and the
nearest valid key.
"""

from __future__ import annotations

import difflib
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

STR, STRINGS = "a string", "a list of strings"
ANY_KEY = "*"  # a mapping whose keys are data (a place's code), not names from a fixed set


class ProfileError(ValueError):
    """A site profile file that does not follow the profile schema; the message names file and key."""


def _kind(value) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "empty" if value is None else type(value).__name__


def check(data, schema: dict, source: str) -> None:
    """Raise `ProfileError` at the first key `schema` does not know or value of the wrong type.

    `schema` maps each key to `STR`, `STRINGS` or a nested schema (a mapping); `ANY_KEY` stands for
    keys that are data."""
    if not isinstance(data, dict):
        raise ProfileError(f"{source}: a profile is a mapping of keys, not {_kind(data)}")
    _check_mapping(data, schema, "", source)


def _check_mapping(data: dict, schema: dict, prefix: str, source: str) -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if not isinstance(key, str):
            raise ProfileError(f"{source}: key {key!r} under {prefix.rstrip('.') or 'the top level'} must be"
                               f" a string: quote it")
        expected = schema.get(key, schema.get(ANY_KEY))
        if expected is None:
            raise ProfileError(f"{source}: unknown key {name!r}; {_nearest(key, schema, prefix)}")
        _check_value(value, expected, name, source)


def _nearest(key: str, schema: dict, prefix: str) -> str:
    valid = sorted(schema)
    close = difflib.get_close_matches(key, valid, n=1, cutoff=0.6)
    if close:
        return f"did you mean {prefix + close[0]!r}?"
    return "valid keys" + (f" under {prefix.rstrip('.')}" if prefix else "") + ": " + ", ".join(valid)


def _check_value(value, expected, name: str, source: str) -> None:
    if isinstance(expected, dict):
        if not isinstance(value, dict):
            raise ProfileError(f"{source}: {name!r} must be a mapping, not {_kind(value)}")
        _check_mapping(value, expected, name + ".", source)
    elif expected == STR:
        if not isinstance(value, str):
            raise ProfileError(f"{source}: {name!r} must be a string, not {_kind(value)}")
    elif not isinstance(value, list):
        raise ProfileError(f"{source}: {name!r} must be a list of strings, not {_kind(value)}")
    else:
        for position, item in enumerate(value, 1):
            if not isinstance(item, str):
                raise ProfileError(f"{source}: {name!r} must be a list of strings; item {position} is"
                                   f" {_kind(item)}" + (": quote it" if isinstance(item, (int, float)) else ""))


def check_values(data: dict, source: str) -> None:
    """What the types alone do not catch: a zone Python does not know, a pattern that does not compile."""
    zone = data.get("timezone")
    if zone is not None:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ProfileError(f"{source}: 'timezone' {zone!r} is not an IANA time zone (e.g. Asia/Jakarta)") from None
    for position, pattern in enumerate(data.get("signature_patterns") or (), 1):
        try:
            re.compile(pattern)
        except re.error as error:
            raise ProfileError(f"{source}: 'signature_patterns' item {position} {pattern!r} is not a regular"
                               f" expression ({error})") from None
