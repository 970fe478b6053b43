"""A scenario's result in Allure (allure-pytest): phases and runbook steps, attachments, severity.

Called from inside the scenario test once the scenario has run, through allure's public API
only; without `--alluredir` every call here is a no-op of allure's. Allure times a step by
when it was reported, so each step's title and parameters carry the measured times (seconds
since the fault was injected, and how long it took).
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import allure

from drillbook.report.format import offset, seconds

# Runbook severities (PagerDuty/Prometheus words) onto Allure's scale.
_SEVERITY = {
    "blocker": allure.severity_level.BLOCKER,
    "critical": allure.severity_level.CRITICAL,
    "high": allure.severity_level.CRITICAL,
    "major": allure.severity_level.NORMAL,
    "warning": allure.severity_level.NORMAL,
    "normal": allure.severity_level.NORMAL,
    "minor": allure.severity_level.MINOR,
    "low": allure.severity_level.MINOR,
    "info": allure.severity_level.TRIVIAL,
    "trivial": allure.severity_level.TRIVIAL,
}


class StepFailed(AssertionError):
    """Raised inside an Allure step so that allure marks the step failed; caught right there."""


def severity(runbook_severity: str | None) -> allure.severity_level:
    """The Allure severity of a runbook severity (normal when unknown or missing)."""
    return _SEVERITY.get((runbook_severity or "").strip().lower(), allure.severity_level.NORMAL)


def report(result: dict[str, Any], load_dir: Path | None, plot: Path | None) -> None:
    """Describe one scenario's result in the running Allure test."""
    runbook = result.get("runbook") or {}
    allure.dynamic.severity(severity(runbook.get("severity")))
    allure.dynamic.label("scenario", result["scenario"])
    if runbook:
        allure.dynamic.label("runbook", str(runbook["id"]))
    allure.dynamic.description(result["reason"])
    steps = list(result.get("steps", []))
    for event in result.get("timeline", []):
        title = f"t{offset(event['t'])}  {event['kind']}" + (
            f": {event['detail']}" if event["detail"] else ""
        )
        with allure.step(title):
            if event["kind"] == "remediation started":
                for step in steps:
                    _runbook_step(step)
                steps = []
    for step in steps:  # steps run without a "remediation started" mark (before_fault)
        _runbook_step(step)
    with allure.step(_figures(result)):
        pass
    allure.attach(
        json.dumps(result, indent=2),
        name=f"{result['scenario']}.json",
        attachment_type=allure.attachment_type.JSON,
    )
    allure.attach(
        json.dumps(result.get("timeline", []), indent=2),
        name="timeline.json",
        attachment_type=allure.attachment_type.JSON,
    )
    if plot is not None and plot.is_file():
        allure.attach.file(
            str(plot), name="timeline.png", attachment_type=allure.attachment_type.PNG
        )
    if load_dir is not None:
        for name in ("locust_stats.csv", "locust_failures.csv", "locust_stats_history.csv"):
            if (load_dir / name).is_file():
                allure.attach.file(
                    str(load_dir / name), name=name, attachment_type=allure.attachment_type.CSV
                )


def _runbook_step(step: dict[str, Any]) -> None:
    title = (
        f"line {step['line']}: {' '.join(str(step['text']).split())}  "
        f"[{step['status']}, t+{step['start_s']:.2f} s, took {step['duration_s']:.2f} s]"
    )
    with contextlib.suppress(StepFailed), allure.step(title):
        output = step.get("output") or step.get("detail") or ""
        if output:
            allure.attach(str(output), name="output", attachment_type=allure.attachment_type.TEXT)
        if step["status"] in ("failed", "not executable", "refused"):
            raise StepFailed(step.get("detail") or step["status"])


def _figures(result: dict[str, Any]) -> str:
    return (
        f"{result['verdict']}: TTD {seconds(result.get('ttd_s'))}, "
        f"TTR {seconds(result.get('ttr_s'))}, "
        f"target {result['target_s']:g} s"
    )
