"""A runbook line that never ends on its own is stopped at its time limit, inside its
container, and the step says so; nothing of it is left running."""

from __future__ import annotations

import time

import pytest

from drillbook.runbooks.executor import Executor
from drillbook.runbooks.status import StepStatus
from drillbook.stack import Stack
from drillbook.stack.backend import STOPPED

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    "line",
    [
        "docker exec redis sh -c 'while true; do echo tick; sleep 0.2; done'",
        "docker exec redis tail -f /dev/null",
    ],
)
def test_a_line_that_never_ends_is_stopped_and_said_to_be(
    drillbook_stack: Stack, line: str
) -> None:
    start = time.monotonic()
    execution = Executor(drillbook_stack, line_timeout_s=2.0).run_commands([line], "forever")
    took = time.monotonic() - start
    (result,) = execution.results
    assert result.status is StepStatus.FAILED
    assert "ran until stopped after 2 s" in result.output
    assert took < 10, took
    every = 'for p in /proc/[0-9]*; do tr "\\0" " " < "$p/cmdline"; echo; done'  # no ps here
    code, processes = drillbook_stack.service("redis").exec(["sh", "-c", every])
    assert code == 0 and "sleep 0.2" not in processes and "tail -f" not in processes, processes


def test_a_line_within_its_limit_is_untouched(drillbook_stack: Stack) -> None:
    code, output = drillbook_stack.service("redis").exec(["redis-cli", "ping"], timeout_s=5)
    assert (code, output.strip()) == (0, "PONG")
    code, _ = drillbook_stack.service("redis").exec(["sleep", "3"], timeout_s=1)
    assert code == STOPPED
