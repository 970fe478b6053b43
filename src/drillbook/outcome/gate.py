"""The regression gate: a run fails when a scenario recovers more slowly than its baseline.

A scenario regressed when

- it passed in the baseline and does not pass now, or
- its TTR grew by more than `max_regression_pct` percent of the baseline's TTR, and by more
  than the measurement's resolution (probes every 100 ms: a 0.1 s to 0.2 s step is noise,
  not a slower recovery), or
- the error budget it burned grew by more than `max_regression_pct` percent, and by more than
  3 s of full outage (the users felt it, not the noise of a few requests).

Scenarios missing from either side are not compared: a new scenario has no baseline yet, and a
run of a subset (`-k`) says nothing about the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from drillbook.outcome.format import seconds
from drillbook.outcome.history import RunRecord

RESOLUTION_S = 0.2  # two probe periods
BURN_RESOLUTION_MIN = 0.05  # 3 s of full outage


@dataclass(frozen=True)
class Regression:
    scenario: str
    message: str


def growth_pct(baseline_s: float, current_s: float) -> float:
    """How much larger `current_s` is than `baseline_s`, in percent (inf from a zero base)."""
    if baseline_s <= 0:
        return 0.0 if current_s <= 0 else float("inf")
    return (current_s - baseline_s) / baseline_s * 100


def check(
    current: RunRecord,
    baseline: RunRecord | None,
    max_regression_pct: float,
    resolution_s: float = RESOLUTION_S,
) -> Regression | None:
    """The regression of one scenario against its baseline, or None."""
    if baseline is None:
        return None
    name = current.scenario
    if baseline.passed and not current.passed:
        now = f"TTR {seconds(current.ttr_s)}" if current.ttr_s is not None else "no TTR"
        return Regression(
            name,
            f"{name}: passed in the baseline (TTR {seconds(baseline.ttr_s)}), now "
            f"{current.verdict} ({now}, target {current.target_s:g} s)",
        )
    # like with like: the judged TTRs where both count from the same origin, else (a page
    # that did not come this time, a baseline recorded before origins were) both from the fault
    origin = current.ttr_origin if current.ttr_origin == baseline.ttr_origin else "fault"
    ttr_now, ttr_before = comparable_ttrs(current, baseline)
    if ttr_now is not None and ttr_before is not None:
        grown = growth_pct(ttr_before, ttr_now)
        if grown > max_regression_pct and ttr_now - ttr_before > resolution_s:
            counted = "" if origin == "fault" else f" from the {origin}"
            return Regression(
                name,
                f"{name}: TTR{counted} {seconds(ttr_now)} is {_pct(grown)} above the baseline's "
                f"{seconds(ttr_before)} (allowed: {max_regression_pct:g}%)",
            )
    return _burn_regression(current, baseline, max_regression_pct)


def comparable_ttrs(current: RunRecord, baseline: RunRecord) -> tuple[float | None, float | None]:
    """The TTRs of two runs that can be compared: the judged ones when both count from the
    same origin, else both from the fault."""
    if current.ttr_origin == baseline.ttr_origin:
        return current.target_ttr_s, baseline.target_ttr_s
    return current.ttr_s, baseline.ttr_s


def _burn_regression(
    current: RunRecord, baseline: RunRecord, max_regression_pct: float
) -> Regression | None:
    now, before = current.error_budget.get("burned_min"), baseline.error_budget.get("burned_min")
    if now is None or before is None:
        return None
    grown = growth_pct(before, now)
    if grown > max_regression_pct and now - before > BURN_RESOLUTION_MIN:
        name = current.scenario
        return Regression(
            name,
            f"{name}: burned {now:.2f} min of error budget, {_pct(grown)} above the "
            f"baseline's {before:.2f} min (allowed: {max_regression_pct:g}%)",
        )
    return None


def check_all(
    current: Mapping[str, RunRecord],
    baseline: Mapping[str, RunRecord],
    max_regression_pct: float,
) -> list[Regression]:
    """Every regression of `current` against `baseline`, by scenario name."""
    found = (
        check(record, baseline.get(name), max_regression_pct)
        for name, record in sorted(current.items())
    )
    return [r for r in found if r is not None]


def _pct(value: float) -> str:
    return "infinitely" if value == float("inf") else f"{value:.0f}%"
