"""A scenario's result in Allure (allure-pytest): phases and runbook steps, attachments, severity.

Called from inside the scenario test once the scenario has run; without `--alluredir` every
call here is a no-op of allure's. Allure dates a step when it is reported, which is after the
fact here, so each step is then re-dated with the times the drill measured: phases run from
their mark on the timeline to the next one, runbook steps from their start for as long as they
took. Re-dating reaches into allure-pytest's reporter (it has no public way to do it); should
that ever change, steps keep report-time dates and their titles still say when they happened.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import allure
import allure_commons

from drillbook.outcome.format import offset, seconds
from drillbook.outcome.result import Result, StepRecord
from drillbook.outcome.schema import to_json

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


def report(result: Result, load_dir: Path | None, plot: Path | None) -> None:
    """Describe one scenario's result in the running Allure test."""
    runbook = result.runbook
    allure.dynamic.severity(severity(runbook.severity if runbook else None))
    allure.dynamic.label("scenario", result.scenario)
    if runbook:
        allure.dynamic.label("runbook", runbook.id)
    allure.dynamic.description(result.reason)
    at = _Clock(result.injected_epoch_s)
    steps = list(result.steps)
    events = list(result.timeline)
    for index, event in enumerate(events):
        title = f"t{offset(event.t)}  {event.kind}" + (f": {event.detail}" if event.detail else "")
        ends = events[index + 1].t if index + 1 < len(events) else event.t
        with _dated_step(title, at(event.t), at(ends)):
            if event.kind == "remediation started":
                for step in steps:
                    _runbook_step(step, at)
                steps = []
    for step in steps:  # steps run without a "remediation started" mark (before_fault)
        _runbook_step(step, at)
    with allure.step(_figures(result)):
        pass
    allure.attach(
        json.dumps(to_json(result), indent=2),
        name=f"{result.scenario}.json",
        attachment_type=allure.attachment_type.JSON,
    )
    allure.attach(
        json.dumps(to_json(result)["timeline"], indent=2),
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


def _runbook_step(step: StepRecord, at: _Clock) -> None:
    title = (
        f"line {step.line}: {' '.join(step.text.split())}  "
        f"[{step.status}, t+{step.start_s:.2f} s, took {step.duration_s:.2f} s]"
    )
    dated = _dated_step(title, at(step.start_s), at(step.start_s + step.duration_s))
    with contextlib.suppress(StepFailed), dated:
        output = step.output or step.detail
        if output:
            allure.attach(output, name="output", attachment_type=allure.attachment_type.TEXT)
        if step.status in ("failed", "not executable", "refused"):
            raise StepFailed(step.detail or step.status)


class _Clock:
    """Seconds since the injection -> Unix milliseconds, Allure's time (None: not known)."""

    def __init__(self, zero_epoch_s: float | None) -> None:
        self.zero = zero_epoch_s

    def __call__(self, t: float) -> int | None:
        return None if self.zero is None else round((self.zero + t) * 1000)


@contextlib.contextmanager
def _dated_step(title: str, start_ms: int | None, stop_ms: int | None) -> Iterator[None]:
    """An Allure step dated from `start_ms` to `stop_ms` rather than when it is reported."""
    context = allure.step(title)
    item = None
    try:
        with context:
            item = _reported(context.uuid)
            yield
    finally:
        # After the step ended: allure stamps `stop` as it ends, failed or not.
        if item is not None and start_ms is not None and stop_ms is not None:
            item.start, item.stop = start_ms, max(stop_ms, start_ms)


def _reported(uuid: Any) -> Any:
    """allure-pytest's record of the step `uuid`, or None (no --alluredir, or not found)."""
    for plugin in allure_commons.plugin_manager.get_plugins():
        reporter = getattr(plugin, "allure_logger", None)
        if reporter is not None and hasattr(reporter, "get_item"):
            return reporter.get_item(uuid)
    return None


def _figures(result: Result) -> str:
    return (
        f"{result.verdict.value}: TTD {seconds(result.ttd_s)}, TTR {seconds(result.ttr_s)}, "
        f"target {result.target_s:g} s"
    )
