"""How figures read in reports, tables and messages: one spelling everywhere."""

from __future__ import annotations

from collections.abc import Sequence


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


def align(rows: Sequence[tuple[str, ...]], *, last_free: bool = False) -> list[str]:
    """Text table lines: the first column left-aligned, figures right-aligned under their
    header; with `last_free` the last column (a verdict, say) is left as it is."""
    figures = len(rows[0]) - (2 if last_free else 1)
    widths = [max(len(row[i]) for row in rows) for i in range(figures + 1)]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [c.rjust(w) for c, w in zip(row[1 : figures + 1], widths[1:], strict=True)]
        lines.append("  ".join(cells + ([row[-1]] if last_free else [])))
    return lines
