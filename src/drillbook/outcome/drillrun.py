"""DrillRun: what the drill lifecycle itself established — its verdict, measurement, timeline.

A scenario's judge turns a DrillRun into a `Result` (adding the runbook's steps, the load's
impact and the writes check); a drill written by hand in a test reads the DrillRun directly:

    run = run_drill(plan, probe)
    assert_recovered(run)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drillbook.observe.measurement import Measurement
from drillbook.observe.timeline import Timeline
from drillbook.outcome.result import Result, TtrOrigin, Verdict, figures


@dataclass(frozen=True)
class DrillRun:
    """One run of the lifecycle. Its verdict is one of PASSED, NO_STEADY_STATE, NOT_DETECTED
    and NOT_RECOVERED: the others need what only a scenario knows."""

    name: str
    verdict: Verdict
    measurement: Measurement | None
    target_s: float
    timeline: Timeline
    ended_at: float | None = None  # when a transient fault ended
    # Where the recovery target was counted from: the injection ("fault"), the page ("page",
    # scenario `clock: page`) or a transient fault's end ("fault end"); `origin` its time.
    origin: float | None = None
    origin_kind: TtrOrigin = "fault"

    @property
    def judged_ttr_s(self) -> float | None:
        """Recovery counted from the origin the target was judged from."""
        m = self.measurement
        if self.origin is None or m is None or m.recovered_at is None:
            return None
        return max(0.0, m.recovered_at - self.origin)

    @property
    def target_ttr_s(self) -> float | None:
        """The TTR to compare with `target_s` (as `Result.target_ttr_s`)."""
        return self.judged_ttr_s if self.origin_kind != "fault" else self.ttr_s

    @property
    def recovery_after_end_s(self) -> float | None:
        m = self.measurement
        if self.ended_at is None or m is None or m.recovered_at is None:
            return None
        return max(0.0, m.recovered_at - self.ended_at)

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASSED

    @property
    def ttd_s(self) -> float | None:
        return None if self.measurement is None else self.measurement.ttd_s

    @property
    def ttr_s(self) -> float | None:
        return None if self.measurement is None else self.measurement.ttr_s

    def figures(self) -> str:
        """TTD, TTR and the target, as one short phrase."""
        return figures(self.ttd_s, self.ttr_s, self.target_s)

    def reason(self) -> str:
        """One line saying why the drill passed or failed, with the figures."""
        return f"{self.name}: {self.verdict.value} ({self.figures()})"

    def as_json(self) -> dict[str, Any]:
        m = self.measurement
        return {
            "name": self.name,
            "verdict": self.verdict.value,
            "passed": self.passed,
            "target_s": self.target_s,
            "ttd_s": self.ttd_s,
            "ttr_s": self.ttr_s,
            "stability_s": None if m is None else m.stability_s,
            "timeline": self.timeline.as_json(relative_to=None if m is None else m.injected_at),
        }


def assert_recovered(run: DrillRun | Result) -> None:
    """Raise AssertionError with the one-line reason unless the drill (or scenario) passed."""
    if not run.passed:
        raise AssertionError(run.reason() if isinstance(run, DrillRun) else run.reason)
