"""drillbook's pytest plugin (registered through the `pytest11` entry point).

Markers:
    chaos        a drill: injects faults into a running stack (needs Docker)
    integration  runs against real containers (needs Docker)
    k8s          runs on drillbook's single-node Kubernetes cluster (needs root)

Fixtures (`drillbook.pytest_plugin.fixtures`):
    drillbook_stack   the stack of `--drillbook-stack`, started once per session
    drillbook_load    a factory starting Locust load on a URL, stopped after the test
    drillbook_fault   a factory injecting a fault (`drillbook_fault("latency", link=...)`),
                      reverted after the test whatever happens
    drillbook_run_scenario  runs a Scenario on the session's stack, results to
                      `--drillbook-results`, each run appended to the history; a run with
                      `remediate=False` goes to its `unremediated/` folder, unrecorded
    drillbook_cluster the single-node Kubernetes cluster (`ClusterInfo`), started once
                      per session if it was down, and then removed at the session's end
    drillbook_probe, drillbook_fault_async   for async tests (pytest-asyncio, strict or
                      auto mode): a probe on the test's loop, faults injected in a thread

Options `--drillbook-baseline FILE` and `--drillbook-max-regression PCT` gate the run: a
scenario fails when its TTR grew by more than PCT % over the baseline, or when it passed there
and fails now. The terminal summary ends with a table of every scenario's figures.

Every `scenarios/*.yaml` file is collected as a test marked chaos
(`drillbook.pytest_plugin.collect`). Unit tests that use none of these never touch Docker.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drillbook import project
from drillbook.drills.interrupt import unwind_on_sigterm
from drillbook.pytest_plugin import session as drill_session
from drillbook.pytest_plugin.fixtures import (
    drillbook_fault,
    drillbook_fault_async,
    drillbook_load,
    drillbook_probe,
    drillbook_run_scenario,
    drillbook_stack,
)
from drillbook.pytest_plugin.kubernetes import drillbook_cluster

__all__ = [
    "drillbook_cluster",
    "drillbook_fault",
    "drillbook_fault_async",
    "drillbook_load",
    "drillbook_probe",
    "drillbook_run_scenario",
    "drillbook_stack",
]

_RESTORE_SIGTERM = pytest.StashKey[Callable[[], None]]()

_MARKERS = {
    "chaos": "a drill that injects faults into a running stack (needs Docker)",
    "integration": "runs against real containers (needs Docker)",
    "k8s": "runs on drillbook's single-node Kubernetes cluster (needs root; built on first use)",
    "explore": "a search over schedules of faults with a budget (needs Docker; `-m explore`)",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("drillbook", "drillbook chaos drills")
    group.addoption(
        "--drillbook-results",
        metavar="DIR",
        default=project.RESULTS,
        help=f"where each scenario's result JSON is written (default: {project.RESULTS}/)",
    )
    group.addoption(
        "--drillbook-stack",
        metavar="PATH",
        default=None,
        help="stack definition to start (default: ini drillbook_stack)",
    )
    group.addoption(
        "--drillbook-profile",
        metavar="NAME",
        default=None,
        help="a profile of the stack definition to lay over it (e.g. qdrant)",
    )
    group.addoption(
        "--drillbook-locustfile",
        metavar="PATH",
        default=None,
        help="locustfile for load (default: ini drillbook_locustfile)",
    )
    group.addoption(
        "--drillbook-history",
        metavar="FILE",
        default=None,
        help=f"history every scenario run is appended to (default: <results>/{project.HISTORY})",
    )
    group.addoption(
        "--drillbook-baseline",
        metavar="FILE",
        default=None,
        help="baseline for the regression gate: a history, result JSON or results directory "
        "(default: each scenario's previous run in the history)",
    )
    group.addoption(
        "--drillbook-max-regression",
        metavar="PCT",
        type=float,
        default=None,
        help="fail a scenario whose TTR grew by more than PCT %% over the baseline, or that "
        "passed there and fails now",
    )
    group.addoption(
        "--drillbook-machine-only",
        action="store_true",
        default=False,
        help="judge recovery targets at the machine's pace, not a person's following the "
        "runbook as written (scenarios can also say expect: {judge: machine})",
    )
    group.addoption(
        "--drillbook-refuse-destructive",
        action="store_true",
        default=False,
        help="refuse runbook lines that destroy data instead of running them inside the "
        "drill's containers and reporting what they destroyed",
    )
    group.addoption(
        "--drillbook-repeat",
        metavar="N",
        type=int,
        default=1,
        help="run every scenario N times on the same stack; the summary gives TTD/TTR "
        "p50/p90/max and the pass rate",
    )
    group.addoption(
        "--drillbook-kubeconfig",
        metavar="PATH",
        default=None,
        help="run k8s tests on this existing cluster instead of drillbook's own (nothing is "
        "started or stopped there)",
    )
    group.addoption(
        "--drillbook-context",
        metavar="NAME",
        default=None,
        help="the context of --drillbook-kubeconfig (default: its current context)",
    )
    parser.addini("drillbook_stack", "stack definition file", default=project.STACK_FILE)
    parser.addini("drillbook_locustfile", "locustfile of the load", default=project.LOCUSTFILE)


def pytest_configure(config: pytest.Config) -> None:
    for name, text in _MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    # A SIGTERM (CI timeout, `kill`) must unwind like Ctrl-C so finalizers revert faults and
    # remove containers; put back as it was when the session ends.
    config.stash[_RESTORE_SIGTERM] = unwind_on_sigterm()


def pytest_unconfigure(config: pytest.Config) -> None:
    restore = config.stash.get(_RESTORE_SIGTERM, None)
    if restore is not None:
        restore()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if project.is_scenario_file(file_path):
        from drillbook.pytest_plugin.collect import ScenarioFile

        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def pytest_sessionstart(session: pytest.Session) -> None:
    # The gate's baseline is the history as it was before this run: read it now, before any
    # scenario (of this session, or of another xdist worker) appends to it.
    if session.config.getoption("drillbook_max_regression", None) is not None:
        drill_session.recorder(session.config)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from drillbook.pytest_plugin import workers

    # Repeated runs are gated as a whole, once they have all run.
    runs = drill_session.recorded(session.config)
    if runs is not None and runs.finish() and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if runs is not None and hasattr(session.config, "workerinput"):
        failed = session.exitstatus == pytest.ExitCode.TESTS_FAILED
        workers.hand_over(session.config, runs, failed=failed)
    # xdist's controller does not take a worker's exit status: it takes the gate's from here.
    got = workers.gathered(session.config)
    if got is not None and got.failed and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist: a worker ended; keep its records for the controller's table."""
    from drillbook.pytest_plugin import workers

    workers.gather(node.config, node)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    from drillbook.pytest_plugin import workers

    runs = drill_session.recorded(config)
    if runs is not None and runs.records:
        _summary(terminalreporter, runs.records, runs.regressions, str(runs.history))
    elif (got := workers.gathered(config)) is not None and got.records:
        _summary(terminalreporter, got.records, got.regressions, got.history)


def _summary(
    terminalreporter: Any, records: list[Any], regressions: list[Any], history: str
) -> None:
    from drillbook.outcome.recorder import format_table, spread_table

    terminalreporter.section("drillbook: time to detect and recover")
    for line in format_table(records, {r.scenario for r in regressions}):
        terminalreporter.write_line(line)
    spread = spread_table(records)
    if spread:
        terminalreporter.write_line("")
        for line in spread:
            terminalreporter.write_line(line)
    for regression in regressions:
        terminalreporter.write_line(f"regression: {regression.message}", red=True)
    terminalreporter.write_line(f"history: {history}")
