"""pytest collection of scenario files: each `scenarios/*.yaml` becomes one test, marked chaos.

    pytest -m chaos -k redis        # the scenarios whose name has "redis"

A scenario file with an error fails at collection, with its file and line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drillbook.errors import SourceError
from drillbook.outcome.gate import Regression
from drillbook.outcome.result import Result
from drillbook.outcome.schema import to_json
from drillbook.pytest_plugin import session
from drillbook.scenarios.loader import load_scenario
from drillbook.scenarios.model import Scenario


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        try:
            scenario = load_scenario(self.path)
        except SourceError as exc:
            raise self.CollectError(str(exc)) from None
        repeats = int(self.config.getoption("drillbook_repeat") or 1)
        for run in range(1, repeats + 1):
            name = scenario.name if repeats == 1 else f"{scenario.name}[{run}/{repeats}]"
            yield ScenarioItem.from_parent(
                self, name=name, callobj=run_scenario_test, scenario=scenario
            )


class ScenarioItem(pytest.Function):
    """A scenario run as a test function, so it gets fixtures like any test."""

    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        self.scenario = scenario
        super().__init__(**kwargs)
        self.add_marker(pytest.mark.chaos)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.scenario.line - 1, f"scenario {self.scenario.name}"


def run_scenario_test(request: pytest.FixtureRequest, drillbook_stack: Any) -> None:
    """The body of every scenario test: run it, fail with its one-line reason.

    It runs as `drillbook_run_scenario` does (results, history, gate), on the session's stack.
    Its figures and failure reason become the test's properties (JUnit XML `<property>`s),
    and, with `--alluredir`, its phases, steps and attachments an Allure report.
    """
    item = request.node
    assert isinstance(item, ScenarioItem)
    result, regression = session.run_and_record(request.config, drillbook_stack, item.scenario)
    failure = failure_of(result, regression)
    item.user_properties.extend(junit_properties(result, failure))
    if request.config.getoption("allure_report_dir", default=None):
        _allure(result, session.project(request.config).results)
    if failure:
        pytest.fail(failure, pytrace=False)


def failure_of(result: Result, regression: Regression | None) -> str:
    """Why the scenario's test fails: its reason, its regression, or both ('' if it passes)."""
    failure = "" if result.passed else result.reason
    if regression is not None:
        failure = f"{failure}; regression: {regression.message}" if failure else regression.message
    return failure


def junit_properties(result: Result, failure: str) -> list[tuple[str, object]]:
    """The scenario's figures as JUnit XML `<property>`s."""
    data = to_json(result)  # rounded as in the result JSON
    closest = result.thinnest
    return [(key, data[key]) for key in ("verdict", "ttd_s", "ttr_s", "target_s")] + [
        ("failure_reason", failure),
        ("thinnest_margin", "" if closest is None else closest.describe()),
        ("thin", result.thin),
    ]


def _allure(result: Result, results: Path) -> None:
    from drillbook.pytest_plugin import allure
    from drillbook.report import plots

    with tempfile.TemporaryDirectory(prefix="drillbook-allure-") as tmp:
        plot = plots.timeline_png(result, Path(tmp) / "timeline.png")
        allure.report(result, results / f"{result.scenario}-load", plot)
