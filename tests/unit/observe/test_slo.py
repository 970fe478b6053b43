from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from drillbook.load import LoadRun, Request
from drillbook.observe.loop import observation_loop
from drillbook.observe.measurement import Sample
from drillbook.observe.probe import Probe
from drillbook.observe.slo import RequestFeed, Slo, SloSignal, judge


def req(end: float, ok: bool = True, ms: float = 10.0) -> Request:
    return Request(end - ms / 1000, end, "GET", "x", 200 if ok else 503, ok, ms)


SLO = Slo(max_error_rate=0.2, max_p95_ms=500, window_s=1.0, min_requests=5)


def test_a_passing_probe_fails_when_the_load_breaks_the_error_budget() -> None:
    requests = [req(10 + i * 0.1, ok=i % 2 == 0) for i in range(10)]  # 50 % errors
    (s,) = judge([Sample(11.0, True)], requests, SLO)
    assert not s.ok and s.error == "error rate 56%"  # 5 of the 9 requests in (10, 11]


def test_slow_load_fails_on_p95() -> None:
    requests = [req(10 + i * 0.1, ms=900.0) for i in range(10)]
    (s,) = judge([Sample(11.0, True)], requests, SLO)
    assert not s.ok and s.error is not None and s.error.startswith("p95")


def test_only_the_window_before_the_sample_counts() -> None:
    bad = [req(5 + i * 0.1, ok=False) for i in range(10)]  # long before the window
    good = [req(10.1 + i * 0.1) for i in range(9)]
    (s,) = judge([Sample(11.0, True)], bad + good, SLO)
    assert s.ok


def test_too_few_requests_leave_the_probe_to_decide() -> None:
    requests = [req(10.5, ok=False)]
    assert judge([Sample(11.0, True)], requests, SLO)[0].ok
    assert not judge([Sample(11.0, False)], [], SLO)[0].ok


def test_the_request_log_is_read_by_a_task_while_the_signal_is_entered(tmp_path: Path) -> None:
    # A LoadRun not started: its request log is written here as Locust's locustfile would.
    locustfile = tmp_path / "locustfile.py"
    locustfile.write_text("")
    load = LoadRun(locustfile, "http://127.0.0.1:9", out_dir=tmp_path)
    load.request_log.write_text("")
    probe = Probe("http://127.0.0.1:9/ready")  # never started: only its samples are read

    def log(*requests: Request) -> None:
        with load.request_log.open("a") as f:
            for r in requests:
                f.write(json.dumps({"kind": "request", **dataclasses.asdict(r)}) + "\n")

    with SloSignal(probe, load, SLO) as signal:
        assert f"request log {load.request_log}" in observation_loop().running()
        log(req(3.0), req(1.0), req(2.0, ok=False))
        deadline = time.monotonic() + 2
        while len(signal.feed.ending_after(0)) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        # Read without anyone asking for samples, and kept in order of their end.
        assert [r.end for r in signal.feed.ending_after(0)] == [1.0, 2.0, 3.0]
        assert [r.end for r in signal.feed.ending_after(1.5)] == [2.0, 3.0]
        log(req(4.0))
        assert signal.samples() == []  # a look reads the last lines too
        assert [r.end for r in signal.feed.ending_after(3.5)] == [4.0]
    assert not signal.watching
    assert f"request log {load.request_log}" not in observation_loop().running()


class GrowingLog:
    """A load whose log grows by the batches given, as `LoadRun.requests(start)` reads it."""

    def __init__(self) -> None:
        self.logged: list[Request] = []

    def requests(self, start: int = 0) -> list[Request]:
        return self.logged[start:]


@given(
    st.lists(
        st.lists(st.floats(0, 100, allow_nan=False), max_size=30),
        max_size=8,
    )
)
def test_the_feed_keeps_every_request_in_order_of_its_end(batches: list[list[float]]) -> None:
    log = GrowingLog()
    feed = RequestFeed(log)  # type: ignore[arg-type]
    for batch in batches:
        log.logged += [req(e) for e in batch]
        feed.refresh()
    ends = [r.end for r in feed.ending_after(-1.0)]
    assert ends == sorted(e for batch in batches for e in batch)
    assert [r.end for r in feed.ending_after(50.0)] == [e for e in ends if e > 50.0]
