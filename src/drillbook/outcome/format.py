"""How figures read in reports, tables and messages: one spelling everywhere."""

from __future__ import annotations


def seconds(value: float | None) -> str:
    """A duration: '4.47 s'; '-' when it did not happen."""
    return "-" if value is None else f"{value:.2f} s"


def change(value: float | None) -> str:
    """A relative change: '+12%', '-3%'; '' when unknown."""
    if value is None:
        return ""
    if value == float("inf"):
        return "+∞"
    return f"{value:+.0f}%"


def offset(t: float) -> str:
    """A time relative to the injection: '+2.10 s', '-5.00 s'; never '-0.00 s'."""
    return f"{round(t, 2) + 0.0:+.2f} s"
