"""drillbook's pytest plugin (registered through the `pytest11` entry point).

Markers:
    chaos        a drill: injects faults into a running stack (needs Docker)
    integration  runs against real containers (needs Docker)

Fixtures:
    drillbook_stack   the stack of `--drillbook-stack`, started once per session
    drillbook_load    a factory starting Locust load on a URL, stopped after the test
    drillbook_fault   a factory injecting a fault (`drillbook_fault("latency", link=...)`),
                      reverted after the test whatever happens

    drillbook_run_scenario  runs a Scenario on the session's stack, results to
                      `--drillbook-results`, each run appended to the history; a run with
                      `remediate=False` goes to its `unremediated/` folder, unrecorded

Options `--drillbook-baseline FILE` and `--drillbook-max-regression PCT` gate the run: a
scenario fails when its TTR grew by more than PCT % over the baseline, or when it passed there
and fails now. The terminal summary ends with a table of every scenario's figures.

Every `scenarios/*.yaml` file is collected as a test marked chaos. Unit tests that use none
of these never touch Docker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from drillbook.interrupt import unwind_on_sigterm
from drillbook.runner import DEFAULT_LOCUSTFILE

if TYPE_CHECKING:
    from drillbook.faults import Fault
    from drillbook.load import LoadRun
    from drillbook.report.gate import Regression
    from drillbook.report.recorder import Recorder
    from drillbook.scenarios import Scenario, ScenarioResult
    from drillbook.stack import Stack

_MARKERS = {
    "chaos": "a drill that injects faults into a running stack (needs Docker)",
    "integration": "runs against real containers (needs Docker)",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("drillbook", "drillbook chaos drills")
    group.addoption(
        "--drillbook-results",
        metavar="DIR",
        default="results",
        help="where each scenario's result JSON is written (default: results/)",
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
        help="history every scenario run is appended to (default: <results>/history.jsonl)",
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
    parser.addini("drillbook_stack", "stack definition file", default="fixtures/stack.yaml")
    parser.addini("drillbook_locustfile", "locustfile of the load", default=DEFAULT_LOCUSTFILE)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    from drillbook.scenarios.collect import ScenarioFile, is_scenario_file

    if is_scenario_file(file_path):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


@pytest.fixture
def drillbook_run_scenario(
    drillbook_stack: Stack, pytestconfig: pytest.Config
) -> Callable[..., ScenarioResult]:
    """Run a Scenario on the session's stack; its JSON goes to `--drillbook-results`.

    `run(scenario, remediate=False)`: nobody follows the runbook. Such a run is no figure of
    the runbook's: its JSON goes to `<results>/unremediated/`, and it is not recorded.
    """

    def run(scenario: Scenario, remediate: bool = True) -> ScenarioResult:
        result, _ = run_and_record(pytestconfig, drillbook_stack, scenario, remediate=remediate)
        return result

    return run


def run_and_record(
    config: pytest.Config, stack: Stack, scenario: Scenario, *, remediate: bool = True
) -> tuple[ScenarioResult, Regression | None]:
    """`runner.run_and_record` with the session's options and Recorder."""
    from drillbook import runner

    return runner.run_and_record(
        scenario,
        stack,
        recorder(config),
        results=results_dir(config),
        locustfile=_path(config, "drillbook_locustfile", "drillbook_locustfile"),
        progress=_progress(config),
        remediate=remediate,
    )


def pytest_configure(config: pytest.Config) -> None:
    for name, text in _MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    # A SIGTERM (CI timeout, `kill`) must unwind like Ctrl-C so finalizers revert faults and
    # remove containers.
    unwind_on_sigterm()


def _progress(config: pytest.Config) -> Callable[[str], None]:
    """Progress lines on the terminal, also while output is captured; silent with -q."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    lock = threading.Lock()  # services start in parallel threads

    def progress(message: str) -> None:
        if reporter is None or config.get_verbosity() < 0:
            return
        with lock:
            if capture is not None:
                with capture.global_and_fixture_disabled():
                    reporter.write_line(f"drillbook: {message}")
            else:
                reporter.write_line(f"drillbook: {message}")

    return progress


def results_dir(config: pytest.Config) -> Path:
    """The `--drillbook-results` directory, relative to the rootdir."""
    results = Path(config.getoption("drillbook_results"))
    return results if results.is_absolute() else config.rootpath / results


_RECORDER = pytest.StashKey["Recorder"]()


def recorder(config: pytest.Config) -> Recorder:
    """The run's Recorder (history, gate, summary), made on first use."""
    from drillbook.report.recorder import Recorder

    if _RECORDER not in config.stash:
        config.stash[_RECORDER] = Recorder.for_results(
            results_dir(config),
            history=config.getoption("drillbook_history"),
            baseline=config.getoption("drillbook_baseline"),
            max_regression_pct=config.getoption("drillbook_max_regression"),
        )
    return config.stash[_RECORDER]


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _RECORDER not in config.stash or not config.stash[_RECORDER].records:
        return
    runs = config.stash[_RECORDER]
    terminalreporter.section("drillbook: time to detect and recover")
    for line in runs.table():
        terminalreporter.write_line(line)
    for regression in runs.regressions:
        terminalreporter.write_line(f"regression: {regression.message}", red=True)
    terminalreporter.write_line(f"history: {runs.history}")


def _path(config: pytest.Config, option: str, ini: str) -> Path:
    value = config.getoption(option) or config.getini(ini)
    path = Path(value)
    return path if path.is_absolute() else config.rootpath / path


@pytest.fixture(scope="session")
def drillbook_stack(pytestconfig: pytest.Config) -> Iterator[Stack]:
    """The stack, built if needed and started once for the session; removed at its end."""
    from drillbook.runner import reference_stack

    with reference_stack(
        str(_path(pytestconfig, "drillbook_stack", "drillbook_stack")),
        pytestconfig.getoption("drillbook_profile"),
        _progress(pytestconfig),
    ) as stack:
        yield stack


@pytest.fixture
def drillbook_load(pytestconfig: pytest.Config, tmp_path: Path) -> Iterator[Callable[..., LoadRun]]:
    """Start Locust against a URL: `drillbook_load(url, users=5)`; stopped after the test."""
    from drillbook.load import LoadProfile, LoadRun

    runs: list[LoadRun] = []
    locustfile = _path(pytestconfig, "drillbook_locustfile", "drillbook_locustfile")

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
