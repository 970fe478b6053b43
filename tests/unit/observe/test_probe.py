"""The probe on its event loop: on schedule whatever earlier requests do, dated as documented,
and stopped cleanly (its in-flight requests cancelled) from sync and async code."""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import Iterator

import pytest

from drillbook.errors import DrillbookError
from drillbook.observe.loop import observation_loop
from drillbook.observe.probe import Probe
from tests.switch import Switch


@pytest.fixture
def switch() -> Iterator[Switch]:
    s = Switch()
    yield s
    s.close()


def probe_tasks() -> list[str]:
    return [name for name in observation_loop().running() if name.startswith("probe ")]


def test_requests_go_out_on_schedule_while_earlier_ones_hang(switch: Switch) -> None:
    switch.hanging.set()
    with Probe(switch.url, period_s=0.05, timeout_s=0.5) as probe:
        time.sleep(1.2)
        assert probe_tasks() == [f"probe {switch.url}"]
    # A request every period was sent although none answered; those past their timeout
    # are failing samples dated at their send, one period apart.
    assert len(switch.arrivals) >= 18
    failed = probe.samples()
    assert len(failed) >= 10 and not any(s.ok for s in failed)
    assert all(s.error == "TimeoutError" for s in failed)
    gaps = [b.t - a.t for a, b in itertools.pairwise(failed)]
    assert statistics.median(gaps) < 0.075, gaps
    assert probe_tasks() == []


def test_stop_cancels_requests_in_flight_at_once(switch: Switch) -> None:
    switch.hanging.set()
    with Probe(switch.url, period_s=0.05, timeout_s=5.0) as probe:
        time.sleep(0.3)
        stopping = time.monotonic()
    stopped_in = time.monotonic() - stopping
    # Ten requests were waiting out a 5 s timeout: they are cancelled, not waited for.
    assert stopped_in < 0.5, stopped_in
    assert probe.samples() == [] and probe_tasks() == []


def test_a_pass_is_dated_at_its_answer_a_failure_at_its_send(switch: Switch) -> None:
    switch.delay_s = 0.2
    with Probe(switch.url, period_s=0.13, timeout_s=1.0) as probe:
        time.sleep(0.6)
        switch.healthy = False
        time.sleep(0.5)
    samples = probe.samples()
    passes = [s for s in samples if s.ok]
    failures = [s for s in samples if s.status == 503]
    assert passes and failures

    def arrived(lo: float, hi: float) -> bool:
        return any(lo - 0.001 <= a <= hi + 0.001 for a in switch.arrivals)

    # Causality, whatever the machine's load: the server answers 0.2 s after a request
    # arrives, and a request arrives after its send. A pass dated at its send, or a failure
    # at its answer, would put its request's arrival on the wrong side of the sample.
    assert all(arrived(s.t - s.latency_s, s.t - 0.2) for s in passes)
    assert all(arrived(s.t, s.t + s.latency_s - 0.2) for s in failures)
    assert [s.t for s in samples] == sorted(s.t for s in samples)


def test_send_lags_stay_within_a_few_milliseconds(switch: Switch) -> None:
    with Probe(switch.url, period_s=0.02) as probe:
        time.sleep(1.0)
    lags = sorted(probe.send_lags())
    assert len(lags) >= 40
    assert lags[0] >= 0 and lags[len(lags) // 2] < 0.01, lags


def test_a_broken_judge_fails_the_sample_not_the_probe(switch: Switch) -> None:
    def judge(response: object) -> bool:
        raise ValueError("cannot judge")

    with Probe(switch.url, period_s=0.05, ok=judge) as probe:
        time.sleep(0.3)
        assert probe.watching
    samples = probe.samples()
    assert samples and all(not s.ok and "cannot judge" in (s.error or "") for s in samples)


@pytest.mark.asyncio
async def test_async_with_runs_the_probe_on_the_callers_loop(switch: Switch) -> None:
    async with Probe(switch.url, period_s=0.05) as probe:
        assert await probe.wait_steady_async(0.3, timeout_s=5) is not None
        tasks = [t for t in asyncio.all_tasks() if t.get_name() == f"probe {switch.url}"]
        assert tasks
        switch.healthy = False
        assert await probe.wait_failure_async(time.monotonic(), timeout_s=5) is not None
        with pytest.raises(DrillbookError, match="stop it with `await stop_async"):
            probe.stop()
    assert all(t.done() for t in tasks) and not probe.watching
    assert probe_tasks() == []  # nothing went to the observation loop
