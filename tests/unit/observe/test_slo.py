from __future__ import annotations

from drillbook.load import Request
from drillbook.observe.measurement import Sample
from drillbook.observe.slo import Slo, judge


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
