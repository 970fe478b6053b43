"""Recorder: what every run of scenarios keeps (pytest, `drillbook run`, `drillbook drill`).

Each result is appended to the history and, with a gate, judged against the baseline; at the
end the run prints one table of what it measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from drillbook.outcome.format import align, seconds
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
from drillbook.outcome.repeats import baseline_spreads, check_spread, format_spreads, spreads
from drillbook.outcome.result import Result
from drillbook.project import HISTORY


@dataclass
class Recorder:
    """Appends each scenario's result to `history`; with `max_regression_pct`, gates it.

    The baseline is `baseline` (a history, result JSON or results directory) or, without
    one, each scenario's last run in the history from before this run started.

    With `repeats` above 1 each scenario runs several times: every run is kept, and the gate
    waits for `finish()`, which judges each scenario's pass rate and p90 TTR over its runs
    against its last as many runs in the baseline history.
    """

    history: Path
    baseline: Path | None = None
    max_regression_pct: float | None = None
    repeats: int = 1
    identity: Identity = field(default_factory=identify)
    records: list[RunRecord] = field(default_factory=list)
    regressions: list[Regression] = field(default_factory=list)
    _baseline: dict[str, RunRecord] = field(default_factory=dict)
    _before: list[RunRecord] = field(default_factory=list)  # the history as it was

    def __post_init__(self) -> None:
        if self.max_regression_pct is not None and self.max_regression_pct < 0:
            raise ValueError(f"max regression must be 0 % or more, got {self.max_regression_pct}")
        if self.repeats < 1:
            raise ValueError(f"repeats must be 1 or more, got {self.repeats}")
        if self.baseline is not None:
            self._baseline = load_baseline(self.baseline)
            if self.baseline.is_file() and self.baseline.suffix != ".json":
                self._before = read_history(self.baseline)
        elif self.max_regression_pct is not None and self.history.exists():
            self._before = read_history(self.history)
            self._baseline = latest(self._before)
        if not self._before:
            self._before = list(self._baseline.values())

    @classmethod
    def for_results(
        cls,
        results: Path,
        *,
        history: str | Path | None = None,
        baseline: str | Path | None = None,
        max_regression_pct: float | None = None,
        repeats: int = 1,
    ) -> Recorder:
        """The Recorder of a run writing to `results`: its history defaults to the one there.

        `history` and `baseline` are as the user gave them (None or "": not given).
        """
        return cls(
            history=Path(history) if history else results / HISTORY,
            baseline=Path(baseline) if baseline else None,
            max_regression_pct=max_regression_pct,
            repeats=repeats,
        )

    def record(self, result: Result) -> Regression | None:
        """Keep one scenario's result; its regression when the gate is on and it fails."""
        record = record_from_result(result, self.identity)
        append_history(self.history, [record])
        self.records.append(record)
        if self.max_regression_pct is None or self.repeats > 1:
            return None
        regression = check(record, self._baseline.get(record.scenario), self.max_regression_pct)
        if regression is not None:
            self.regressions.append(regression)
        return regression

    def finish(self) -> list[Regression]:
        """With repeats, gate each scenario's runs as a whole; the regressions found."""
        if self.max_regression_pct is None or self.repeats == 1:
            return []
        now = spreads(self.records)
        before = baseline_spreads(self._before, {name: s.runs for name, s in now.items()})
        found = [
            r
            for name, spread in now.items()
            if (r := check_spread(spread, before.get(name), self.max_regression_pct))
        ]
        self.regressions.extend(found)
        return found

    def spread_table(self) -> list[str]:
        """TTD and TTR percentiles and pass rate per scenario; empty when each ran once."""
        return spread_table(self.records)

    def table(self) -> list[str]:
        """The run's scenarios as an aligned text table: scenario, TTD, TTR, target, verdict."""
        return format_table(self.records, {r.scenario for r in self.regressions})


def spread_table(records: list[RunRecord]) -> list[str]:
    """TTD and TTR percentiles, pass rate and worst margin per scenario; empty when each
    scenario ran once."""
    found = spreads(records)
    if all(s.runs == 1 for s in found.values()):
        return []
    return format_spreads(found)


def format_table(records: list[RunRecord], regressed: set[str] | None = None) -> list[str]:
    """Records as text lines, header first; a regression is flagged after its verdict. The
    margin is the room left of the bound the run came closest to (`thin:` under 20 %)."""
    regressed = regressed or set()
    rows = [("scenario", "TTD", "TTR", "target", "margin", "verdict")]
    for r in records:
        verdict = r.verdict + ("  (regression)" if r.scenario in regressed else "")
        rows.append(
            (
                r.scenario,
                seconds(r.ttd_s),
                seconds(r.ttr_s),
                f"{r.target_s:g} s",
                r.margin(),
                verdict,
            )
        )
    return align(rows, last_free=True)
