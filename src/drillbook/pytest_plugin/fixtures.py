"""The plugin's fixtures: the session's stack, load, faults and scenario runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from drillbook.pytest_plugin import session

if TYPE_CHECKING:
    from drillbook.faults import Fault
    from drillbook.load import LoadRun
    from drillbook.outcome.result import Result
    from drillbook.scenarios.model import Scenario
    from drillbook.stack import Stack


@pytest.fixture(scope="session")
def drillbook_stack(pytestconfig: pytest.Config) -> Iterator[Stack]:
    """The stack, built if needed and started once for the session; removed at its end."""
    from drillbook.drills.session import reference_stack

    with reference_stack(
        session.project(pytestconfig).stack,
        pytestconfig.getoption("drillbook_profile"),
        session.progress(pytestconfig),
    ) as stack:
        yield stack


@pytest.fixture
def drillbook_run_scenario(
    drillbook_stack: Stack, pytestconfig: pytest.Config
) -> Callable[..., Result]:
    """Run a Scenario on the session's stack; its JSON goes to `--drillbook-results`.

    `run(scenario, remediate=False)`: nobody follows the runbook. Such a run is no figure of
    the runbook's: its JSON goes to `<results>/unremediated/`, and it is not recorded.
    """

    def run(scenario: Scenario, remediate: bool = True) -> Result:
        result, _ = session.run_and_record(
            pytestconfig, drillbook_stack, scenario, remediate=remediate
        )
        return result

    return run


@pytest.fixture
def drillbook_load(pytestconfig: pytest.Config, tmp_path: Path) -> Iterator[Callable[..., LoadRun]]:
    """Start Locust against a URL: `drillbook_load(url, users=5)`; stopped after the test."""
    from drillbook.load import LoadProfile, LoadRun

    runs: list[LoadRun] = []
    locustfile = session.project(pytestconfig).locustfile

    def start(host: str, users: int = 5, spawn_rate: float = 5.0) -> LoadRun:
        run = LoadRun(
            locustfile,
            host,
            LoadProfile(users=users, spawn_rate=spawn_rate),
            out_dir=tmp_path / f"load-{len(runs)}",
        )
        runs.append(run)
        return run.start()

    yield start
    for run in runs:
        run.stop()


@pytest.fixture
def drillbook_fault(drillbook_stack: Stack) -> Iterator[Callable[..., Fault[Any]]]:
    """Inject a fault: `drillbook_fault("latency", link="api-redis", latency_ms=300)`.

    Parameters are checked before anything is injected; every fault is reverted after the
    test, also when it fails or is interrupted.
    """
    from drillbook.faults import make_fault

    made: list[Fault[Any]] = []

    def inject(kind: str, **params: Any) -> Fault[Any]:
        fault = make_fault(drillbook_stack, kind, **params)
        made.append(fault)
        fault.inject()
        return fault

    yield inject
    failed: list[str] = []
    for fault in reversed(made):
        try:
            fault.revert()
        except Exception as exc:  # revert the others anyway, then report every failure
            failed.append(f"{fault.describe()}: {exc}")
    if failed:
        raise RuntimeError("could not revert: " + "; ".join(failed))
