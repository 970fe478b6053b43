"""Durations as people write them: "2 minutes", "30 s", "1h", "an hour", "1m30s"."""

from __future__ import annotations

import re

_UNITS = {
    "ms": 0.001,
    "millisecond": 0.001,
    "s": 1.0,
    "sec": 1.0,
    "second": 1.0,
    "m": 60.0,
    "min": 60.0,
    "minute": 60.0,
    "h": 3600.0,
    "hr": 3600.0,
    "hour": 3600.0,
    "d": 86400.0,
    "day": 86400.0,
}
_WORDS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "five": 5, "ten": 10, "half an": 0.5}
_UNIT = r"(ms|milliseconds?|secs?|seconds?|s|mins?|minutes?|m|hours?|hrs?|h|days?|d)(?![a-z])"
_LONG_UNIT = r"(seconds?|minutes?|hours?|days?)\b"
_WORD = r"(half an|an?|one|two|three|five|ten)"
_NUMBER = r"(\d+(?:\.\d+)?)"
# Digits may touch their unit ("30s"); a word amount needs a spelled-out unit ("an hour").
DURATION = re.compile(rf"(?i)(?<![\d.]){_NUMBER}\s*{_UNIT}|\b{_WORD}\s+{_LONG_UNIT}")
_PLAIN_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_WHOLE = re.compile(rf"(?i)^\s*(?:(?:{_NUMBER}\s*{_UNIT}|{_WORD}\s+{_LONG_UNIT})\s*)+$")


def _pairs(text: str) -> list[tuple[str, str]]:
    return [(m[0] or m[2], m[1] or m[3]) for m in DURATION.findall(text)]


def _unit_seconds(unit: str) -> float:
    unit = unit.lower()
    if unit in _UNITS:
        return _UNITS[unit]
    return _UNITS[unit.rstrip("s")]


def _amount(text: str) -> float:
    text = text.lower()
    return float(_WORDS[text]) if text in _WORDS else float(text)


def parse_duration(text: str) -> float | None:
    """Seconds in a text that is only a duration ("5 minutes", "1m30s"), else None."""
    if not _WHOLE.match(text):
        return None
    return sum(_amount(a) * _unit_seconds(u) for a, u in _pairs(text))


def sleep_seconds(arg: str) -> float | None:
    """Seconds `sleep ARG` waits: a plain number ("30", "0.5") or a duration ("30s", "1m30s")."""
    if _PLAIN_NUMBER.fullmatch(arg):
        return float(arg)
    return parse_duration(arg)


def find_durations(text: str) -> list[float]:
    """Every duration written in a sentence, in seconds, in order."""
    return [_amount(a) * _unit_seconds(u) for a, u in _pairs(text)]


def format_duration(seconds: float) -> str:
    """A duration the way a runbook writes it: "90 s", "2 min", "1 h"."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"
