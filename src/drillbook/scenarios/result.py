"""ScenarioResult: everything a scenario run established, and its JSON form.

The JSON written per scenario (`<results>/<scenario>.json`), schema version 3:

    schema          3 (2 added `series`, `drillbook` and the runbook's `severity`; 3 added
                    `injected_epoch_s`)
    drillbook       the drillbook version that ran it
    scenario        name; file: the scenario file
    verdict         "passed" | "no steady state" | "not detected" | "step not executable" |
                    "not recovered within target" | "SLO breached while degraded" | "data lost"
    passed          true | false
    reason          one line: why it passed or failed, with the figures
    runbook         {id, path, mttr_s, severity} or null
    target_s        the recovery target used (the runbook's MTTR unless the scenario set one)
    ttd_s, ttr_s    time to detect / recover, seconds since injection (null: did not happen)
    recovery_after_end_s   for a transient fault: recovery counted from its end
    remediation_s   time spent running the runbook's steps
    error_budget    {failed, total}: load requests from injection to recovery
    p95_ms          {before, during, after}: load latency around the incident
    writes          {acknowledged, missing: [ids]} or null when not checked
    steps           the runbook's steps as executed: line, text, status, start_s, duration_s,
                    written_wait_s, output
    timeline        [{t, kind, detail}] with t in seconds since injection
    series          the load per second, for plots: {bin_s, t: [window start, seconds since
                    injection], requests: [n], errors: [n], p95_ms: [ms or null]}, or null
                    when the fault was never injected
    started_at      wall-clock time (ISO 8601) the scenario started
    injected_epoch_s    wall-clock time (Unix seconds) of the injection, the zero of every `t`
                    and `start_s` above, or null when the fault was never injected
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drillbook import __version__
from drillbook.observe.series import Series
from drillbook.result import Result, Verdict
from drillbook.scenarios.model import Scenario

SCHEMA_VERSION = 3


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    drill: Result
    verdict: Verdict
    reason: str
    runbook: dict[str, Any] | None = None
    steps: list[dict[str, Any]] = field(default_factory=list)
    remediation_s: float = 0.0
    error_budget: dict[str, int] = field(default_factory=dict)
    p95_ms: dict[str, float | None] = field(default_factory=dict)
    writes: dict[str, Any] | None = None
    started_at: str = ""
    series: Series | None = None
    injected_epoch_s: float | None = None

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASSED

    def as_json(self) -> dict[str, Any]:
        m = self.drill.measurement
        origin = m.injected_at if m else None
        return {
            "schema": SCHEMA_VERSION,
            "drillbook": __version__,
            "scenario": self.scenario.name,
            "file": str(self.scenario.path),
            "verdict": self.verdict.value,
            "passed": self.passed,
            "reason": self.reason,
            "runbook": self.runbook,
            "target_s": self.drill.target_s,
            "ttd_s": _round(m.ttd_s if m else None),
            "ttr_s": _round(m.ttr_s if m else None),
            "recovery_after_end_s": _round(self.drill.recovery_after_end_s),
            "remediation_s": round(self.remediation_s, 3),
            "error_budget": self.error_budget,
            "p95_ms": self.p95_ms,
            "writes": self.writes,
            "steps": self.steps,
            "timeline": self.drill.timeline.as_json(relative_to=origin),
            "series": None if self.series is None else self.series.as_json(),
            "started_at": self.started_at,
            "injected_epoch_s": _round(self.injected_epoch_s),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
