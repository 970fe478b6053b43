"""The plugin under pytest-asyncio, as its users run it: strict and auto mode, our markers, our
async fixtures on the test's loop, and a clear error where the loop scopes disagree.

Each case is a real pytest run in a subprocess (pytester), against a loopback HTTP switch.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.processes import SRC

ROOT = Path(__file__).resolve().parents[3]

DRILL = """
import pytest
from drillbook import assert_recovered, run_drill_async
from tests.switch import Switch, switch_plan

pytestmark = pytest.mark.integration
stopped = []


@pytest.fixture
def switch():
    s = Switch()
    yield s
    s.close()


{mark}
async def test_an_async_drill(switch, drillbook_probe):
    probe = await drillbook_probe(switch.url, period_s=0.05)
    assert probe.watching
    stopped.append(probe)
    assert_recovered(await run_drill_async(switch_plan(switch, fix=True, reverted=[]), probe))


def test_the_fixture_stopped_the_probe():
    assert stopped and not stopped[0].watching
"""


@pytest.fixture
def run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTHONPATH", f"{SRC}{os.pathsep}{ROOT}")
    return pytester


@pytest.mark.parametrize(
    ("mode", "mark"),
    [("strict", "@pytest.mark.asyncio"), ("auto", ""), ("auto", "@pytest.mark.asyncio")],
)
def test_async_tests_run_drills_in_strict_and_auto_mode(
    run: pytest.Pytester, mode: str, mark: str
) -> None:
    run.makepyfile(test_drill=DRILL.format(mark=mark))
    args = ["-p", "no:locust", "--strict-markers", f"--asyncio-mode={mode}"]
    result = run.runpytest_subprocess(*args, "-o", "asyncio_default_fixture_loop_scope=function")
    result.assert_outcomes(passed=2)
    # Our markers are registered in either mode and select as usual.
    deselected = run.runpytest_subprocess(*args, "-m", "not integration")
    deselected.assert_outcomes(deselected=2)


def test_a_probe_on_another_loop_than_the_test_is_refused(run: pytest.Pytester) -> None:
    run.makepyfile(
        test_scopes="""
        import pytest

        @pytest.mark.asyncio(loop_scope="module")
        async def test_probe(drillbook_probe):
            await drillbook_probe("http://127.0.0.1:9/ready")
        """
    )
    result = run.runpytest_subprocess(
        "-p", "no:locust", "-o", "asyncio_default_fixture_loop_scope=function"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*drillbook_probe runs on another event loop than this test*"])
