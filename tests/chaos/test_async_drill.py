"""Redis down, drilled from an async test: the async API against the reference stack.

The probe and the reader of the load's request log are tasks of the test's own event loop
(pytest-asyncio); the Docker calls of the fault and the remediation run in worker threads, so
the probe keeps its schedule through them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from drillbook import DrillPlan, LoadRun, Probe, assert_recovered, run_drill_async
from drillbook.faults import Fault
from drillbook.observe.probe import fully_ready
from drillbook.observe.slo import Slo, SloSignal
from drillbook.observe.stats import percentile
from drillbook.stack import Stack

pytestmark = [pytest.mark.selfcheck, pytest.mark.asyncio]


async def test_redis_down_drilled_from_an_async_test(
    drillbook_stack: Stack,
    drillbook_load: Callable[..., LoadRun],
    drillbook_probe: Callable[..., Awaitable[Probe]],
    drillbook_fault_async: Callable[..., Awaitable[Fault[Any]]],
) -> None:
    api, redis = drillbook_stack.service("api"), drillbook_stack.service("redis")
    load = drillbook_load(api.url, users=5)
    probe = await drillbook_probe(api.url + "/ready", period_s=0.1, ok=fully_ready)
    faults: list[Fault[Any]] = []

    async def inject() -> None:
        faults.append(await drillbook_fault_async("kill", service="redis"))

    async def revert() -> None:
        for fault in faults:
            await asyncio.to_thread(fault.revert)

    def restart() -> None:  # the runbook's "restart Redis, check PING", a blocking call
        redis.start()
        redis.wait_ready()

    plan = DrillPlan(
        "redis-down", inject, revert, restart, target_s=30, detect_within_s=5, stability_s=3
    )
    async with SloSignal(probe, load, Slo()) as signal:
        assert any(t.get_name().startswith("request log") for t in asyncio.all_tasks())
        result = await run_drill_async(plan, signal)
    print(result.reason())

    assert_recovered(result)
    m = result.measurement
    assert m is not None and m.ttd_s is not None and m.ttd_s < 1.0
    assert redis.status() == "running"
    # The Docker calls of the remediation ran beside the loop, not on it: the probe went on
    # sending while they ran (blocking the loop, they would have stopped every send).
    marks = {e.kind: e.t for e in result.timeline.events}
    began, ended = marks["remediation started"], marks["remediation finished"]
    sent = [at for _, at in probe.sends() if began <= at <= ended]
    lags = probe.send_lags()
    print(
        f"remediation {ended - began:.2f} s, {len(sent)} probes sent meanwhile; send lag "
        f"p50 {percentile(lags, 50) * 1000:.1f} ms, p99 {percentile(lags, 99) * 1000:.1f} ms"
    )
    assert len(sent) >= (ended - began) / probe.period_s / 2
