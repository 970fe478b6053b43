"""The async drill: the same lifecycle awaited, its probe on the test's own event loop."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Iterator

import pytest

from drillbook import (
    DrillbookError,
    DrillPlan,
    Probe,
    assert_recovered,
    run_drill,
    run_drill_async,
)
from drillbook.observe.loop import observation_loop
from tests.switch import Switch, switch_plan


@pytest.fixture
def switch() -> Iterator[Switch]:
    s = Switch()
    yield s
    s.close()


def async_plan(switch: Switch, reverted: list[str]) -> DrillPlan:
    """`switch_plan` whose inject is a coroutine function (awaited); its remediation blocks
    for 0.3 s (in a worker thread: the probe runs on meanwhile)."""

    async def inject() -> None:
        switch.healthy = False

    return dataclasses.replace(switch_plan(switch, fix=True, reverted=reverted), inject=inject)


def others() -> set[asyncio.Task[object]]:
    return asyncio.all_tasks() - {asyncio.current_task()}  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_an_async_drill_measures_a_real_outage(switch: Switch) -> None:
    reverted: list[str] = []
    async with Probe(switch.url, period_s=0.05) as probe:
        result = await run_drill_async(async_plan(switch, reverted), probe)
        # The probe's tasks (its schedule and its requests in flight) run on this loop.
        assert f"probe {switch.url}" in {t.get_name() for t in others()}
    assert_recovered(result)
    m = result.measurement
    assert m is not None and m.ttd_s is not None and m.ttr_s is not None
    assert m.ttd_s < 0.2
    assert 0.3 <= m.ttr_s < 1.5
    # The probe went on sampling while the blocking remediation slept in its thread.
    (started,) = [e.t for e in result.timeline.events if e.kind == "remediation started"]
    assert [s for s in probe.samples(started + 0.15) if not s.ok]
    assert reverted == ["yes"]
    assert others() == set()


@pytest.mark.asyncio
async def test_a_cancelled_async_drill_reverts_and_its_probe_stops(switch: Switch) -> None:
    reverted: list[str] = []
    plan = dataclasses.replace(async_plan(switch, reverted), remediate=None, target_s=60)
    async with Probe(switch.url, period_s=0.05) as probe:
        drill = asyncio.create_task(run_drill_async(plan, probe))
        assert await probe.wait_failure_async(time.monotonic(), timeout_s=5) is not None
        drill.cancel()
        with pytest.raises(asyncio.CancelledError):
            await drill
        assert reverted == ["yes"] and switch.healthy
    assert others() == set()


@pytest.mark.asyncio
async def test_an_async_drill_whose_remediation_raises_reverts(switch: Switch) -> None:
    reverted: list[str] = []

    async def broken() -> None:
        raise RuntimeError("step failed")

    plan = dataclasses.replace(async_plan(switch, reverted), remediate=broken)
    with pytest.raises(RuntimeError, match="step failed"):
        async with Probe(switch.url, period_s=0.05) as probe:
            await run_drill_async(plan, probe)
    assert reverted == ["yes"] and switch.healthy and not probe.watching
    assert others() == set()


def test_the_sync_drill_refuses_a_coroutine_function_and_still_reverts(switch: Switch) -> None:
    reverted: list[str] = []
    with Probe(switch.url, period_s=0.05) as probe, pytest.raises(DrillbookError, match="async"):
        run_drill(async_plan(switch, reverted), probe)
    assert reverted == ["yes"]


def test_an_interrupted_sync_drill_stops_its_probe(switch: Switch) -> None:
    reverted: list[str] = []

    def interrupted() -> None:
        raise KeyboardInterrupt  # Ctrl-C in the middle of the remediation

    plan = dataclasses.replace(
        switch_plan(switch, fix=True, reverted=reverted), remediate=interrupted
    )
    with pytest.raises(KeyboardInterrupt), Probe(switch.url, period_s=0.05) as probe:
        run_drill(plan, probe)
    assert reverted == ["yes"] and not probe.watching
    assert [n for n in observation_loop().running() if n.startswith("probe")] == []


@pytest.mark.asyncio
async def test_a_plain_function_returning_a_coroutine_is_awaited(switch: Switch) -> None:
    async def heal() -> None:
        await asyncio.sleep(0.3)
        switch.healthy = True

    plan = dataclasses.replace(async_plan(switch, []), remediate=lambda: heal())
    async with Probe(switch.url, period_s=0.05) as probe:
        result = await run_drill_async(plan, probe)
    assert_recovered(result)  # the coroutine it returned ran: the switch healed
    assert result.measurement is not None and (result.measurement.ttr_s or 0) >= 0.3
