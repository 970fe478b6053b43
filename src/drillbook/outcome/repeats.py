"""Repeated drills: one run is an anecdote, several give percentiles (pure; no I/O).

    spreads(records)["redis-down"].ttr.p90

TTD and TTR are summarised over the runs that measured them (nearest-rank percentiles, as
the load's latencies are); the pass rate is over every run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from drillbook.observe.stats import percentile
from drillbook.outcome.format import align, seconds
from drillbook.outcome.gate import RESOLUTION_S, Regression, growth_pct
from drillbook.outcome.history import RunRecord


@dataclass(frozen=True)
class Figures:
    """p50, p90 and max of one figure over repeated runs (None: no run measured it)."""

    p50: float | None
    p90: float | None
    max: float | None

    @classmethod
    def of(cls, values: Iterable[float | None]) -> Figures:
        present = [v for v in values if v is not None]
        if not present:
            return cls(None, None, None)
        return cls(percentile(present, 50), percentile(present, 90), max(present))


@dataclass(frozen=True)
class Spread:
    """A scenario's repeated runs: how many, how many passed, TTD and TTR percentiles, and
    the worst margin (the least room any run left of any bound)."""

    scenario: str
    runs: int
    passed: int
    ttd: Figures
    ttr: Figures
    worst: RunRecord | None = None

    @property
    def pass_rate(self) -> float:
        return self.passed / self.runs if self.runs else 0.0


def spreads(records: Iterable[RunRecord]) -> dict[str, Spread]:
    """One Spread per scenario, in the order scenarios first appear."""
    grouped: dict[str, list[RunRecord]] = {}
    for record in records:
        grouped.setdefault(record.scenario, []).append(record)
    return {name: _spread(name, runs) for name, runs in grouped.items()}


def _spread(name: str, runs: Sequence[RunRecord]) -> Spread:
    return Spread(
        scenario=name,
        runs=len(runs),
        passed=sum(r.passed for r in runs),
        ttd=Figures.of(r.ttd_s for r in runs),
        ttr=Figures.of(r.ttr_s for r in runs),
        worst=min(
            (r for r in runs if r.margin_room is not None),
            key=lambda r: r.margin_room or 0.0,
            default=None,
        ),
    )


def check_spread(
    current: Spread, baseline: Spread | None, max_regression_pct: float
) -> Regression | None:
    """The gate on repeated runs: the pass rate fell, or the p90 TTR grew beyond the limit."""
    if baseline is None:
        return None
    name = current.scenario
    if current.pass_rate < baseline.pass_rate:
        return Regression(
            name,
            f"{name}: passed {current.passed} of {current.runs} runs, the baseline "
            f"{baseline.passed} of {baseline.runs}",
        )
    now, before = current.ttr.p90, baseline.ttr.p90
    if now is None or before is None:
        return None
    grown = growth_pct(before, now)
    if grown > max_regression_pct and now - before > RESOLUTION_S:
        return Regression(
            name,
            f"{name}: TTR p90 {seconds(now)} over {current.runs} runs is {grown:.0f}% above "
            f"the baseline's {seconds(before)} (allowed: {max_regression_pct:g}%)",
        )
    return None


def baseline_spreads(history: Sequence[RunRecord], runs: Mapping[str, int]) -> dict[str, Spread]:
    """Per scenario, the spread of its last `runs[scenario]` runs in `history`."""
    out = {}
    for name, count in runs.items():
        before = [r for r in history if r.scenario == name][-count:]
        if before:
            out[name] = _spread(name, before)
    return out


def format_spreads(found: Mapping[str, Spread]) -> list[str]:
    """Spreads as aligned text lines, header first."""
    rows = [
        (
            "scenario",
            "runs",
            "passed",
            "TTD p50",
            "TTD p90",
            "TTR p50",
            "TTR p90",
            "TTR max",
            "worst margin",
        )
    ]
    for s in found.values():
        rows.append(
            (
                s.scenario,
                str(s.runs),
                f"{s.pass_rate:.0%}",
                seconds(s.ttd.p50),
                seconds(s.ttd.p90),
                seconds(s.ttr.p50),
                seconds(s.ttr.p90),
                seconds(s.ttr.max),
                "-" if s.worst is None else s.worst.margin(),
            )
        )
    return align(rows)
