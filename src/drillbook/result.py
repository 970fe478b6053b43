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


@dataclass(frozen=True)
class Result:
    name: str
    verdict: Verdict
    measurement: Measurement | None
    target_s: float
    timeline: Timeline

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASSED

    def reason(self) -> str:
        """One line saying why the drill passed or failed, with the figures."""
        m = self.measurement
        ttd = "-" if m is None or m.ttd_s is None else f"{m.ttd_s:.2f} s"
        ttr = "-" if m is None or m.ttr_s is None else f"{m.ttr_s:.2f} s"
        return (
            f"{self.name}: {self.verdict.value} (TTD {ttd}, TTR {ttr}, target {self.target_s:g} s)"
        )

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
