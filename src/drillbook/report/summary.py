"""The figures of a report, per scenario: now, baseline, change and trend (pure; no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from drillbook.outcome.format import change, seconds
from drillbook.outcome.gate import Regression, check, comparable_ttrs, growth_pct
from drillbook.outcome.history import RunRecord, previous
from drillbook.outcome.result import Result

__all__ = ["ScenarioRow", "build_rows", "change", "seconds", "sparkline"]

_BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class ScenarioRow:
    """One scenario in a report.

    `baseline` is the user's baseline when one was given, else the previous run in the history;
    `trend` is every run of the scenario in the history, oldest first, ending with this one.
    """

    result: Result
    current: RunRecord
    baseline: RunRecord | None
    baseline_source: str
    trend: tuple[RunRecord, ...]
    regression: Regression | None

    @property
    def name(self) -> str:
        return self.current.scenario

    @property
    def ttr_change_pct(self) -> float | None:
        """TTR now against the baseline's, in percent (None when either has no TTR, or the
        two were counted from different origins: like is compared with like only)."""
        b, c = self.baseline, self.current
        if b is None:
            return None
        now, before = comparable_ttrs(c, b)
        return None if now is None or before is None else growth_pct(before, now)

    @property
    def target_used_pct(self) -> float | None:
        """The judged TTR as a share of the MTTR target, in percent."""
        c = self.current
        ttr = c.target_ttr_s
        return None if ttr is None or c.target_s <= 0 else ttr / c.target_s * 100


def build_rows(
    results: Sequence[Result],
    records: Mapping[str, RunRecord],
    history: Sequence[RunRecord],
    baseline: Mapping[str, RunRecord] | None = None,
    max_regression_pct: float | None = None,
) -> list[ScenarioRow]:
    """Rows for every result; `records` holds each result's history record by scenario."""
    rows = []
    for result in results:
        current = records[result.scenario]
        if baseline is not None:
            base, source = baseline.get(current.scenario), "baseline"
        else:
            base, source = previous(history, current), "previous run"
        trend = [r for r in history if r.scenario == current.scenario]
        if current not in trend:
            trend.append(current)
        else:
            trend = trend[: len(trend) - trend[::-1].index(current)]
        regression = (
            None if max_regression_pct is None else check(current, base, max_regression_pct)
        )
        rows.append(ScenarioRow(result, current, base, source, tuple(trend), regression))
    return rows


def sparkline(values: Sequence[float | None]) -> str:
    """Values as a line of block characters, lowest ▁ to highest █; a gap (·) for None."""
    present = [v for v in values if v is not None]
    if not present:
        return ""
    low, high = min(present), max(present)
    span = high - low
    out = []
    for v in values:
        if v is None:
            out.append("·")
        else:
            level = 0 if span == 0 else round((v - low) / span * (len(_BARS) - 1))
            out.append(_BARS[level])
    return "".join(out)


def judged_ttr(record: RunRecord) -> str:
    """The TTR the target was judged on, saying where it counts from when not the fault."""
    ttr = seconds(record.target_ttr_s)
    return (
        ttr
        if record.ttr_origin == "fault" or record.target_ttr_s is None
        else (f"{ttr} from the {record.ttr_origin}")
    )
