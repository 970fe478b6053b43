"""Recorder: what every run of scenarios keeps (pytest, `drillbook run`, `drillbook drill`).

Each result is appended to the history and, with a gate, judged against the baseline; at the
end the run prints one table of what it measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from drillbook.outcome.format import seconds
from drillbook.outcome.gate import Regression, check
from drillbook.outcome.history import (
    Identity,
    RunRecord,
    append_history,
    identify,
    latest,
    load_baseline,
    read_history,
    record_from_result,
)
from drillbook.outcome.result import Result
from drillbook.project import HISTORY


@dataclass
class Recorder:
    """Appends each scenario's result to `history`; with `max_regression_pct`, gates it.

    The baseline is `baseline` (a history, result JSON or results directory) or, without
    one, each scenario's last run in the history from before this run started.
    """

    history: Path
    baseline: Path | None = None
    max_regression_pct: float | None = None
    identity: Identity = field(default_factory=identify)
    records: list[RunRecord] = field(default_factory=list)
    regressions: list[Regression] = field(default_factory=list)
    _baseline: dict[str, RunRecord] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.max_regression_pct is not None and self.max_regression_pct < 0:
            raise ValueError(f"max regression must be 0 % or more, got {self.max_regression_pct}")
        if self.baseline is not None:
            self._baseline = load_baseline(self.baseline)
        elif self.max_regression_pct is not None and self.history.exists():
            self._baseline = latest(read_history(self.history))

    @classmethod
    def for_results(
        cls,
        results: Path,
        *,
        history: str | Path | None = None,
        baseline: str | Path | None = None,
        max_regression_pct: float | None = None,
    ) -> Recorder:
        """The Recorder of a run writing to `results`: its history defaults to the one there.

        `history` and `baseline` are as the user gave them (None or "": not given).
        """
        return cls(
            history=Path(history) if history else results / HISTORY,
            baseline=Path(baseline) if baseline else None,
            max_regression_pct=max_regression_pct,
        )

    def record(self, result: Result) -> Regression | None:
        """Keep one scenario's result; its regression when the gate is on and it fails."""
        record = record_from_result(result, self.identity)
        append_history(self.history, [record])
        self.records.append(record)
        if self.max_regression_pct is None:
            return None
        regression = check(record, self._baseline.get(record.scenario), self.max_regression_pct)
        if regression is not None:
            self.regressions.append(regression)
        return regression

    def table(self) -> list[str]:
        """The run's scenarios as an aligned text table: scenario, TTD, TTR, target, verdict."""
        return format_table(self.records, {r.scenario for r in self.regressions})


def format_table(records: list[RunRecord], regressed: set[str] | None = None) -> list[str]:
    """Records as text lines, header first; a regression is flagged after its verdict."""
    regressed = regressed or set()
    rows = [("scenario", "TTD", "TTR", "target", "verdict")]
    for r in records:
        verdict = r.verdict + ("  (regression)" if r.scenario in regressed else "")
        rows.append((r.scenario, seconds(r.ttd_s), seconds(r.ttr_s), f"{r.target_s:g} s", verdict))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return [
        "  ".join(
            [
                row[0].ljust(widths[0]),
                *(c.rjust(w) for c, w in zip(row[1:4], widths[1:], strict=True)),
                row[4],
            ]
        )
        for row in rows
    ]
