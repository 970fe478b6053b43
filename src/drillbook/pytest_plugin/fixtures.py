"""The plugin's fixtures: the session's stack, load, faults and scenario runs.

The sync fixtures serve sync and async tests alike (pytest-asyncio runs a sync fixture
before the test's event loop is involved). The async ones (`drillbook_probe`,
`drillbook_fault_async`) are declared with `pytest_asyncio.fixture`, so they work in its
strict and auto modes; they run on the loop of `asyncio_default_fixture_loop_scope`
(function unless configured), which must be the loop the test runs on (pytest-asyncio's
`asyncio_default_test_loop_scope` or the test's `asyncio(loop_scope=...)` mark): a probe
started on another loop would not run while the test awaits, and is refused.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio

from drillbook.errors import DrillbookError
from drillbook.pytest_plugin import session

if TYPE_CHECKING:
    from drillbook.faults import Fault
    from drillbook.load import LoadRun
    from drillbook.observe.probe import Probe
    from drillbook.outcome.result import Result
    from drillbook.scenarios.model import Scenario
    from drillbook.stack import Stack


@pytest.fixture(scope="session")
def drillbook_stack(pytestconfig: pytest.Config) -> Iterator[Stack]:
    """The stack, built if needed and started once for the session; removed at its end."""
    from drillbook.stack.open import reference_stack

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
    revert_all(made)


def revert_all(made: list[Fault[Any]]) -> None:
    """Revert every fault, last made first; then report every one that could not be."""
    failed: list[str] = []
    for fault in reversed(made):
        try:
            fault.revert()
        except Exception as exc:  # revert the others anyway, then report every failure
            failed.append(f"{fault.describe()}: {exc}")
    if failed:
        raise RuntimeError("could not revert: " + "; ".join(failed))


@pytest_asyncio.fixture
async def drillbook_fault_async(
    drillbook_stack: Stack,
) -> AsyncIterator[Callable[..., Awaitable[Fault[Any]]]]:
    """`await drillbook_fault_async("kill", service="redis")`: `drillbook_fault` for async
    tests. Injecting and reverting are Docker calls: they run in a worker thread, so the
    test's probes keep their schedule. Every fault is reverted after the test."""
    from drillbook.faults import make_fault

    made: list[Fault[Any]] = []

    async def inject(kind: str, **params: Any) -> Fault[Any]:
        fault = make_fault(drillbook_stack, kind, **params)
        made.append(fault)
        await asyncio.to_thread(fault.inject)
        return fault

    yield inject
    await asyncio.to_thread(revert_all, made)


@pytest_asyncio.fixture
async def drillbook_probe() -> AsyncIterator[Callable[..., Awaitable[Probe]]]:
    """`probe = await drillbook_probe(api.url + "/ready", period_s=0.1)`: a Probe polling as
    a task of the test's event loop (arguments as `Probe`'s), stopped after the test."""
    from drillbook.observe.probe import Probe

    fixture_loop = asyncio.get_running_loop()
    probes: list[Probe] = []

    async def start(url: str, **options: Any) -> Probe:
        if asyncio.get_running_loop() is not fixture_loop:
            raise DrillbookError(
                "drillbook_probe runs on another event loop than this test: set "
                "asyncio_default_fixture_loop_scope to the tests' loop scope (or mark the "
                "test asyncio(loop_scope=...) to match it)"
            )
        probe = Probe(url, **options)
        probes.append(probe)
        return await probe.start_async()

    yield start
    for probe in probes:
        await probe.stop_async()
