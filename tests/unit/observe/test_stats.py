from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drillbook.load import Request
from drillbook.observe.stats import percentile, summarize


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 1) == 7.0
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError, match=r"0\.\.100"):
        percentile(values, 101)


@given(st.lists(st.floats(0, 1e6), min_size=1), st.floats(0, 100))
def test_a_percentile_is_one_of_the_values_and_monotonic(values: list[float], q: float) -> None:
    p = percentile(values, q)
    assert p in values
    assert percentile(values, min(100.0, q + 1)) >= p


def test_summary_per_name_and_overall() -> None:
    reqs = [
        Request(float(i), float(i) + 0.1, "GET", "a" if i % 2 else "b", 200, i != 3, 10.0 * i)
        for i in range(10)
    ]
    rows = {s.name: s for s in summarize(reqs, span_s=10.0)}
    assert rows["all"].count == 10 and rows["all"].failures == 1 and rows["all"].rps == 1.0
    assert rows["a"].count == 5 and rows["a"].failures == 1
    assert rows["b"].p50_ms == 40.0
    assert summarize([]) == []
