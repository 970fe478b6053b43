"""Result: the verdict of one drill, with its measurement and timeline."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from drillbook.observe.measurement import Measurement
from drillbook.observe.timeline import Timeline


class Verdict(enum.Enum):
    PASSED = "passed"
    NO_STEADY_STATE = "no steady state"
    NOT_DETECTED = "not detected"
    NOT_RECOVERED = "not recovered within target"
    STEP_NOT_EXECUTABLE = "step not executable"
    DEGRADED_BEYOND_BOUNDS = "SLO breached while degraded"
    DATA_LOST = "data lost"


@dataclass(frozen=True)
class Result:
    name: str
    verdict: Verdict
    measurement: Measurement | None
    target_s: float
    timeline: Timeline
    ended_at: float | None = None  # when a transient fault ended

    @property
    def recovery_after_end_s(self) -> float | None:
        m = self.measurement
        if self.ended_at is None or m is None or m.recovered_at is None:
            return None
        return max(0.0, m.recovered_at - self.ended_at)

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASSED

    def figures(self) -> str:
        """TTD, TTR and the target, as one short phrase."""
        m = self.measurement
        ttd = "-" if m is None or m.ttd_s is None else f"{m.ttd_s:.2f} s"
        ttr = "-" if m is None or m.ttr_s is None else f"{m.ttr_s:.2f} s"
        return f"TTD {ttd}, TTR {ttr}, target {self.target_s:g} s"

    def reason(self) -> str:
        """One line saying why the drill passed or failed, with the figures."""
        return f"{self.name}: {self.verdict.value} ({self.figures()})"

    def as_json(self) -> dict[str, Any]:
        m = self.measurement
        origin = m.injected_at if m else None
        return {
            "name": self.name,
            "verdict": self.verdict.value,
            "passed": self.passed,
            "target_s": self.target_s,
            "ttd_s": None if m is None else m.ttd_s,
            "ttr_s": None if m is None else m.ttr_s,
            "stability_s": None if m is None else m.stability_s,
            "timeline": self.timeline.as_json(relative_to=origin),
        }


def assert_recovered(result: Result) -> None:
    """Raise AssertionError with the one-line reason unless the drill passed."""
    if not result.passed:
        raise AssertionError(result.reason())
