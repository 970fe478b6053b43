"""Margin: how close to one of its bounds a drill came (pure).

A verdict is taken on bounds (detect within 10 s, recover within the target, p95 under
1,200 ms while degraded...). A pass at 9.8 s of a 10 s bound and a pass at 2 s are the same
verdict and not the same news: the first one flips on the next noisy run. Every Result keeps,
for each bound it was judged on, what was observed and the room left:

    Margin("detect", observed=9.8, limit=10.0, unit="s").room   # 0.02: thin
    Margin("recover", observed=43.0, limit=180.0, unit="s").room  # 0.76

`room` is the share of the bound left unused (1: none of it used, 0: exactly at the bound,
below 0: broken). A passing drill whose thinnest margin has less than `THIN` of its bound left
is flagged as a thin pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Less room than this (a share of the bound) makes a pass thin: the noise between two runs
# of one scenario on a busy machine is of that order (see benchmarks/stability.py).
THIN = 0.2


@dataclass(frozen=True)
class Margin:
    """One bound a verdict was judged on: the value observed, the bound, in `unit`.

    Every bound is an upper one (a time, a latency, a rate, a count that must not exceed
    `limit`)."""

    bound: str
    observed: float
    limit: float
    unit: str = "s"

    def __post_init__(self) -> None:
        # Both kept to 6 decimals, as the JSON keeps them (rounding both keeps their order):
        # an error rate of 0.05045 against a bound of 0.05 is over, as the verdict judged it.
        object.__setattr__(self, "observed", round(self.observed, 6))
        object.__setattr__(self, "limit", round(self.limit, 6))

    @property
    def room(self) -> float:
        """The share of the bound left unused: 1 none used, 0 at the bound, < 0 broken.

        A bound of zero (no write may be lost) has all its room or none."""
        if self.limit > 0:
            return (self.limit - self.observed) / self.limit
        return 1.0 if self.observed <= self.limit else -1.0

    @property
    def held(self) -> bool:
        return self.observed <= self.limit

    @property
    def thin(self) -> bool:
        """Held, with less than `THIN` of the bound left."""
        return self.held and self.room < THIN

    def figures(self) -> str:
        """'43 s of 60 s'."""
        return f"{_value(self.observed, self.unit)} of {_value(self.limit, self.unit)}"

    def describe(self) -> str:
        """'recover 43 s of 60 s (28% left)', or '(over)' for a broken bound."""
        left = "over" if not self.held else f"{self.room:.0%} left"
        return f"{self.bound} {self.figures()} ({left})"


def thinnest(margins: Iterable[Margin]) -> Margin | None:
    """The margin with the least room (a broken one first); None when nothing was bounded."""
    return min(margins, key=lambda m: m.room, default=None)


def _value(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.0%}"
    if unit == "ms":
        return f"{value:,.0f} ms"
    if unit == "s":
        return f"{value:.1f} s" if value < 10 else f"{value:.0f} s"
    return f"{value:g}{' ' + unit if unit else ''}"
