from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drillbook.observe.measurement import Sample, measure


def series(pattern: str, period: float = 0.1, t0: float = 100.0) -> list[Sample]:
    """'+' is a passing probe, '-' a failing one, one per period from t0."""
    return [Sample(t0 + i * period, c == "+") for i, c in enumerate(pattern)]


def test_ttd_and_ttr_from_probe_samples() -> None:
    # injected at t=100.25; fails from sample 5 (100.5); passes from sample 12 (101.2)
    samples = series("+" * 5 + "-" * 7 + "+" * 30)
    m = measure(samples, injected_at=100.25, stability_s=1.0)
    assert m.detected_at == 100.5
    assert m.recovered_at is not None and abs(m.recovered_at - 101.2) < 1e-9
    assert m.ttd_s is not None and abs(m.ttd_s - 0.25) < 1e-9
    assert m.ttr_s is not None and abs(m.ttr_s - 0.95) < 1e-9
    assert m.outage_s is not None and abs(m.outage_s - 0.7) < 1e-9


def test_flapping_recovery_counts_from_the_last_streak() -> None:
    samples = series("+-----+++--" + "+" * 30)
    m = measure(samples, injected_at=100.0, stability_s=1.0)
    assert m.recovered_at is not None and abs(m.recovered_at - 101.1) < 1e-9


def test_no_failure_means_not_detected() -> None:
    m = measure(series("+" * 50), injected_at=100.0, stability_s=1.0)
    assert m.detected_at is None and m.recovered_at is None and m.ttd_s is None


def test_failures_before_injection_are_not_detection() -> None:
    m = measure(series("---" + "+" * 50), injected_at=100.3, stability_s=1.0)
    assert m.detected_at is None


def test_a_streak_shorter_than_the_window_is_not_recovery() -> None:
    # passing for 0.9 s at the end: the window of 1 s was never seen to hold
    m = measure(series("+---" + "+" * 10), injected_at=100.0, stability_s=1.0)
    assert m.detected_at is not None and m.recovered_at is None and m.ttr_s is None


def _streak_lasts(samples: list[Sample], stability_s: float) -> bool:
    for x in samples:
        if not x.ok:
            return False
        if x.t - samples[0].t >= stability_s:
            return True
    return False


@given(st.lists(st.booleans(), min_size=1, max_size=200), st.integers(0, 199), st.floats(0.05, 3.0))
def test_measurement_invariants(oks: list[bool], inject_index: int, stability_s: float) -> None:
    samples = [Sample(i * 0.1, ok) for i, ok in enumerate(oks)]
    injected_at = min(inject_index, len(oks) - 1) * 0.1
    m = measure(samples, injected_at, stability_s)
    if m.detected_at is None:
        assert all(s.ok for s in samples if s.t >= injected_at)
        assert m.recovered_at is None
        return
    assert m.detected_at >= injected_at
    assert not next(s for s in samples if s.t == m.detected_at).ok
    if m.recovered_at is not None:
        assert m.recovered_at > m.detected_at
        window = [s for s in samples if m.recovered_at <= s.t <= m.recovered_at + stability_s]
        assert all(s.ok for s in window)
        assert samples[-1].t - m.recovered_at >= stability_s - 1e-9
        # and it is the first: from no earlier start was a passing streak seen to last the
        # window (a failure, or the end of the samples, came before a sample that far on)
        for i, s in enumerate(samples):
            if m.detected_at <= s.t < m.recovered_at:
                assert not _streak_lasts(samples[i:], stability_s)
