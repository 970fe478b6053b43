"""What the plugin keeps per pytest session: the project, its Recorder and its progress lines."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from drillbook.drills.events import Listener, printer
from drillbook.project import Project

if TYPE_CHECKING:
    from drillbook.host.progress import Progress
    from drillbook.outcome.gate import Regression
    from drillbook.outcome.recorder import Recorder
    from drillbook.outcome.result import Result
    from drillbook.scenarios.model import Scenario
    from drillbook.stack.backend import StackBackend

_RECORDER = pytest.StashKey["Recorder"]()


def project(config: pytest.Config) -> Project:
    """The project of this run: rootdir, with the options and ini keys laid over it."""
    return Project.at(
        config.rootpath,
        stack=config.getoption("drillbook_stack") or config.getini("drillbook_stack"),
        locustfile=config.getoption("drillbook_locustfile")
        or config.getini("drillbook_locustfile"),
        results=_from_root(config, config.getoption("drillbook_results")),
    )


def _from_root(config: pytest.Config, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else config.rootpath / path


def progress(config: pytest.Config) -> Progress:
    """Progress lines on the terminal, also while output is captured; silent with -q."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    lock = threading.Lock()  # services start in parallel threads

    def write(message: str) -> None:
        if reporter is None or config.get_verbosity() < 0:
            return
        with lock:
            if capture is not None:
                with capture.global_and_fixture_disabled():
                    reporter.write_line(f"drillbook: {message}")
            else:
                reporter.write_line(f"drillbook: {message}")

    return write


def listener(config: pytest.Config) -> Listener:
    """The drill events of this session, written as progress lines."""
    return printer(progress(config))


def recorder(config: pytest.Config) -> Recorder:
    """The run's Recorder (history, gate, summary), made on first use."""
    from drillbook.outcome.recorder import Recorder

    if _RECORDER not in config.stash:
        config.stash[_RECORDER] = Recorder.for_results(
            project(config).results,
            history=config.getoption("drillbook_history"),
            baseline=config.getoption("drillbook_baseline"),
            max_regression_pct=config.getoption("drillbook_max_regression"),
            repeats=int(config.getoption("drillbook_repeat") or 1),
        )
    return config.stash[_RECORDER]


def recorded(config: pytest.Config) -> Recorder | None:
    """The Recorder if any scenario was recorded in this session."""
    return config.stash.get(_RECORDER, None)


def run_and_record(
    config: pytest.Config, stack: StackBackend, scenario: Scenario, *, remediate: bool = True
) -> tuple[Result, Regression | None]:
    """`drills.session.run_and_record` with the session's project, Recorder and progress."""
    from drillbook.drills import session

    return session.run_and_record(
        scenario,
        stack,
        recorder(config),
        project(config),
        [listener(config)],
        remediate=remediate,
        machine_only=bool(config.getoption("drillbook_machine_only")),
        refuse_destructive=bool(config.getoption("drillbook_refuse_destructive")),
    )
