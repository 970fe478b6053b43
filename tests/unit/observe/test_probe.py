"""The probe on its event loop: on schedule whatever earlier requests do, dated as documented,
and stopped cleanly (its in-flight requests cancelled) from sync and async code."""

from __future__ import annotations

import asyncio
import itertools
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
    assert max(gaps) < 0.1, gaps
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
    # Sends 0.13 s apart, answers 0.2 s after their send: no answer comes near a send.
    with Probe(switch.url, period_s=0.13, timeout_s=1.0) as probe:
        time.sleep(0.6)
        switch.healthy = False
        time.sleep(0.5)
    samples = probe.samples()
    passes = [s for s in samples if s.ok]
    failures = [s for s in samples if s.status == 503]
    assert passes and failures

    def near_an_arrival(t: float) -> bool:  # loopback: a request arrives as it is sent
        return any(abs(t - a) < 0.03 for a in switch.arrivals)

    assert all(near_an_arrival(s.t - 0.2) and not near_an_arrival(s.t) for s in passes)
    assert all(near_an_arrival(s.t) for s in failures)
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
        (task,) = [t for t in asyncio.all_tasks() if t.get_name() == f"probe {switch.url}"]
        switch.healthy = False
        assert await probe.wait_failure_async(time.monotonic(), timeout_s=5) is not None
        with pytest.raises(DrillbookError, match="stop it with `await stop_async"):
            probe.stop()
    assert task.done() and not probe.watching
    assert probe_tasks() == []  # nothing went to the observation loop
