"""A drill interrupted by Ctrl-C or SIGTERM, in a real process: the fault is reverted and every
observation task is cancelled before the process ends, in the sync and the async API.

A drill started as a background job (SIGINT ignored, as a shell's `cmd &` leaves it) keeps
that ignore, as the shell asked, and SIGTERM (`kill`, a CI runner's cancel) still unwinds it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.processes import SRC, as_a_background_job, at_a_terminal

ROOT = Path(__file__).resolve().parents[3]

COMMON = """
    import asyncio, time
    from drillbook import DrillPlan, Events, Probe, run_drill, run_drill_async
    from drillbook.drills.events import printer
    from drillbook.drills.interrupt import unwind_on_sigterm
    from drillbook.observe.loop import observation_loop
    from tests.switch import Switch

    unwind_on_sigterm()
    switch, reverted = Switch(), []
    events = Events(printer(lambda line: print(line, flush=True)))

    def inject():
        switch.healthy = False

    def plan(remediate):
        return DrillPlan("stuck", inject, lambda: reverted.append(1), remediate, target_s=60,
                         stability_s=0.3)
"""

SYNC = """
    try:
        with Probe(switch.url, period_s=0.05) as probe:
            run_drill(plan(lambda: time.sleep(60)), probe, events)
    finally:
        print("reverted", len(reverted), "tasks", observation_loop().running(), flush=True)
"""

ASYNC = """
    async def main():
        try:
            async with Probe(switch.url, period_s=0.05) as probe:
                await run_drill_async(plan(lambda: asyncio.sleep(60)), probe, events)
        finally:
            others = asyncio.all_tasks() - {asyncio.current_task()}
            print("reverted", len(reverted), "tasks", [t.get_name() for t in others], flush=True)

    asyncio.run(main())
"""


def start(api: str, launch: Callable[[list[str]], list[str]]) -> subprocess.Popen[str]:
    script = textwrap.dedent(COMMON) + textwrap.dedent(SYNC if api == "sync" else ASYNC)
    return subprocess.Popen(
        launch([sys.executable, "-c", script]),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{ROOT}"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: a signal to it reaches it alone
    )


def until_remediating(child: subprocess.Popen[str]) -> list[str]:
    assert child.stdout is not None
    lines = []
    for line in child.stdout:
        lines.append(line)
        if "remediation started" in line:
            break
    return lines


@pytest.mark.parametrize("api", ["sync", "async"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_drill_reverts_and_cancels_its_observation(api: str, signum: int) -> None:
    child = start(api, at_a_terminal)
    try:
        lines = until_remediating(child)
        child.send_signal(signum)
        out = "".join(lines) + child.communicate(timeout=20)[0]
    finally:
        child.kill()
    assert "remediation started" in out, out
    assert "reverted 1 tasks []" in out, out
    assert child.returncode != 0  # the interruption still ends the process as one


@pytest.mark.parametrize("api", ["sync", "async"])
def test_a_background_drill_ignores_sigint_and_unwinds_on_sigterm(api: str) -> None:
    child = start(api, as_a_background_job)
    try:
        lines = until_remediating(child)
        child.send_signal(signal.SIGINT)
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=1.0)  # the inherited ignore is honoured: still drilling
        child.send_signal(signal.SIGTERM)
        out = "".join(lines) + child.communicate(timeout=20)[0]
    finally:
        child.kill()
    assert "reverted 1 tasks []" in out, out
    assert child.returncode != 0


def test_sigterm_handling_is_put_back_as_it_was() -> None:
    from drillbook.drills.interrupt import unwind_on_sigterm, unwinding

    before = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with unwinding():
            assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN)
            with pytest.raises(KeyboardInterrupt):
                os.kill(os.getpid(), signal.SIGTERM)
                signal.sigtimedwait([], 0.5)  # let the handler run
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
        # someone else's handling is theirs: not replaced, not "restored" over
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        unwind_on_sigterm()()
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGTERM, before)
