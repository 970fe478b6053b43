from __future__ import annotations

import dataclasses
import io
import os
import socket
import time
from collections.abc import Iterator

import pytest

from drillbook import DrillPlan, Verdict, assert_recovered, run_drill
from drillbook.cli.live import confirmed
from drillbook.errors import DrillbookError
from drillbook.observe.probe import Probe, require_loopback
from drillbook.observe.timeline import Timeline
from drillbook.stack import labels
from tests.switch import Switch
from tests.switch import switch_plan as plan


@pytest.fixture
def switch() -> Iterator[Switch]:
    s = Switch()
    yield s
    s.close()


def test_drill_measures_a_real_outage(switch: Switch) -> None:
    reverted: list[str] = []
    with Probe(switch.url, period_s=0.05) as probe:
        result = run_drill(plan(switch, fix=True, reverted=reverted), probe)
    assert_recovered(result)
    m = result.measurement
    assert m is not None and m.ttd_s is not None and m.ttr_s is not None
    assert m.ttd_s < 0.2
    assert 0.3 <= m.ttr_s < 1.0  # the remediation took 0.3 s
    assert reverted == ["yes"]
    kinds = [e["kind"] for e in result.timeline.as_json()]
    assert kinds == [
        "steady state",
        "fault injected",
        "detected",
        "remediation started",
        "remediation finished",
        "recovered",
        "fault reverted",
    ]


def test_drill_without_remediation_fails_and_still_reverts(switch: Switch) -> None:
    reverted: list[str] = []
    with Probe(switch.url, period_s=0.05) as probe:
        result = run_drill(plan(switch, fix=False, reverted=reverted), probe)
    assert result.verdict is Verdict.NOT_RECOVERED
    assert "not recovered within target" in result.reason()
    with pytest.raises(AssertionError):
        assert_recovered(result)
    assert reverted == ["yes"]


def transient(switch: Switch, *, takes: bool, may_absorb: bool) -> DrillPlan:
    """A fault that ends by itself after 0.6 s, and that does nothing unless `takes`."""
    reverted: list[str] = []

    def inject() -> None:
        switch.healthy = not takes

    return dataclasses.replace(
        plan(switch, fix=False, reverted=reverted),
        inject=inject,
        lasts_s=0.6,
        may_absorb=may_absorb,
    )


def test_a_transient_fault_nobody_noticed_fails_unless_it_may_be_absorbed(
    switch: Switch,
) -> None:
    with Probe(switch.url, period_s=0.05) as probe:
        unnoticed = run_drill(transient(switch, takes=False, may_absorb=False), probe)
        absorbed = run_drill(transient(switch, takes=False, may_absorb=True), probe)
        noticed = run_drill(transient(switch, takes=True, may_absorb=False), probe)
    assert unnoticed.verdict is Verdict.NOT_DETECTED
    assert absorbed.verdict is Verdict.PASSED
    assert "absorbed" in [e["kind"] for e in absorbed.timeline.as_json()]
    # Noticed, then over by itself: recovery timed from its end.
    assert noticed.verdict is Verdict.PASSED, noticed.reason()
    assert noticed.recovery_after_end_s is not None


def test_fault_is_reverted_when_the_remediation_raises(switch: Switch) -> None:
    reverted: list[str] = []

    def broken() -> None:
        raise RuntimeError("step failed")

    p = plan(switch, fix=True, reverted=reverted)
    p = DrillPlan(
        p.name,
        p.inject,
        p.revert,
        broken,
        p.target_s,
        p.detect_within_s,
        p.stability_s,
        p.steady_timeout_s,
    )
    with Probe(switch.url, period_s=0.05) as probe, pytest.raises(RuntimeError):
        run_drill(p, probe)
    assert reverted == ["yes"] and switch.healthy


def test_unreachable_endpoint_is_a_failing_sample() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with Probe(f"http://127.0.0.1:{port}/ready", period_s=0.05, timeout_s=0.2) as probe:
        time.sleep(0.3)
    samples = probe.samples()
    assert samples and not any(s.ok for s in samples)
    assert all(s.error for s in samples)


@pytest.mark.parametrize(
    "url", ["http://10.0.0.1/ready", "https://example.com/", "http://127.0.0.2:80/"]
)
def test_traffic_only_goes_to_loopback(url: str) -> None:
    with pytest.raises(DrillbookError, match=r"only targets 127\.0\.0\.1"):
        require_loopback(url)


def test_timeline_is_relative_to_injection() -> None:
    timeline = Timeline()
    t0 = timeline.mark("fault injected", t=10.0)
    timeline.mark("recovered", t=12.5)
    assert timeline.as_json(relative_to=t0) == [
        {"t": 0.0, "kind": "fault injected", "detail": ""},
        {"t": 2.5, "kind": "recovered", "detail": ""},
    ]


def test_owner_alive_reads_the_labels() -> None:
    mine = labels.run_labels("r1", "s", "session")
    assert labels.owner_alive(mine)
    dead = {**mine, labels.OWNER_PID: "999999999"}
    assert not labels.owner_alive(dead)
    elsewhere = {**dead, labels.OWNER_HOST: "another-host"}
    assert labels.owner_alive(elsewhere)
    assert mine[labels.OWNER_PID] == str(os.getpid())


def test_a_target_drill_asks_only_where_someone_can_answer() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = io.StringIO()
    assert confirmed("Go on?", Terminal("yes\n"), out) and out.getvalue() == "Go on? [y/N] "
    assert confirmed("Go on?", Terminal("Y\n"), io.StringIO())
    assert not confirmed("Go on?", Terminal("\n"), io.StringIO())
    assert not confirmed("Go on?", Terminal("sure\n"), io.StringIO())
    with pytest.raises(DrillbookError, match="needs a confirmation"):
        confirmed("Go on?", io.StringIO("yes\n"), io.StringIO())


def test_the_lifecycle_announces_typed_events_in_order(switch: Switch) -> None:
    from drillbook.drills import events as ev

    seen: list[ev.Event] = []
    bus = ev.Events(seen.append)
    with Probe(switch.url, period_s=0.05) as probe:
        run = run_drill(plan(switch, fix=True, reverted=[]), probe, bus)
    assert [type(e) for e in seen] == [
        ev.SteadyState,
        ev.FaultInjected,
        ev.Detected,
        ev.RemediationStarted,
        ev.RemediationFinished,
        ev.Recovered,
        ev.FaultReverted,
    ]
    assert all(e.drill == "switch-off" for e in seen)
    injected, detected = seen[1].t, seen[2].t
    assert run.measurement is not None and run.measurement.injected_at == injected
    assert run.measurement.detected_at == detected
    # The timeline is the bus's own record of the same events.
    assert [e.kind for e in bus.timeline.events] == [e.kind for e in seen]


def test_the_live_view_starts_its_clock_from_the_event_not_from_text() -> None:
    import io

    from drillbook.cli.live import LiveStatus, live_listener
    from drillbook.drills.events import FaultInjected, Recovered

    status = LiveStatus("http://127.0.0.1:9/ready", out=io.StringIO())
    lines: list[str] = []
    listen = live_listener(status, lines.append)
    listen(FaultInjected(drill="redis-down", t=123.0))
    assert status.injected_at == 123.0 and not status.ended
    listen(Recovered(drill="redis-down", t=130.0, stability_s=5.0))
    assert status.ended
    assert lines[-1] == "redis-down: recovered (steady for 5 s)"


def test_with_the_page_clock_the_responder_starts_at_the_page(switch: Switch) -> None:
    # The page comes 2.5 s after the fault: later than the 2 s target counted from the fault,
    # in time counted from the page, which is what the runbook's target promises.
    reverted: list[str] = []

    def await_page(injected_at: float) -> float:
        time.sleep(max(0.0, injected_at + 2.5 - time.monotonic()))
        return time.monotonic()

    paged = dataclasses.replace(plan(switch, fix=True, reverted=reverted), await_page=await_page)
    with Probe(switch.url, period_s=0.05) as probe:
        result = run_drill(paged, probe)
    assert_recovered(result)
    marks = {e["kind"]: e["t"] for e in result.timeline.as_json()}
    assert marks["remediation started"] - marks["fault injected"] >= 2.5
    assert marks["paged"] <= marks["remediation started"]
    m = result.measurement
    assert m is not None and m.ttr_s is not None and m.ttr_s > 2.5  # TTR still from the fault
    # ... and the TTR the target was judged on counts from the page, and says so
    assert result.origin_kind == "page"
    paged_after_s = marks["paged"] - marks["fault injected"]
    assert result.judged_ttr_s == pytest.approx(m.ttr_s - paged_after_s, abs=2e-3)  # marks: ms


def test_without_the_page_clock_the_target_counts_from_the_fault(switch: Switch) -> None:
    with Probe(switch.url, period_s=0.05) as probe:
        result = run_drill(plan(switch, fix=True, reverted=[]), probe)
    assert_recovered(result)
    assert result.origin_kind == "fault" and result.judged_ttr_s == result.ttr_s
