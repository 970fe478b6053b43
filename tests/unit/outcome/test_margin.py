"""Margin: the room a run left of one bound (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drillbook.outcome.margin import THIN, Margin, thinnest


def test_room_is_the_share_of_the_bound_left() -> None:
    assert Margin("recover", 45.0, 60.0).room == pytest.approx(0.25)
    assert Margin("recover", 60.0, 60.0).room == 0.0
    assert Margin("recover", 90.0, 60.0).room == pytest.approx(-0.5)


def test_a_zero_bound_has_all_its_room_or_none() -> None:
    assert Margin("writes lost", 0, 0, "writes").room == 1.0
    assert Margin("writes lost", 3, 0, "writes").room == -1.0


def test_a_value_just_over_its_bound_is_over_not_held_at_zero() -> None:
    over = Margin("error rate", 0.05045, 0.05, "%")
    assert not over.held and over.describe().endswith("(over)")


def test_thin_is_a_held_bound_with_under_a_fifth_left() -> None:
    assert Margin("detect", 8.5, 10.0).thin
    assert not Margin("detect", 7.5, 10.0).thin
    assert not Margin("detect", 11.0, 10.0).thin  # broken, not thin


def test_each_unit_is_said_as_a_person_reads_it() -> None:
    assert Margin("recover", 43.0, 60.0).describe() == "recover 43 s of 60 s (28% left)"
    assert Margin("degraded p95", 1342.2, 1200, "ms").describe() == (
        "degraded p95 1,342 ms of 1,200 ms (over)"
    )
    assert Margin("error rate", 0.05, 0.5, "%").figures() == "5% of 50%"
    assert Margin("detect", 0.04, 10.0).figures() == "0.0 s of 10 s"


def test_thinnest_is_the_least_room_and_none_without_bounds() -> None:
    found = [Margin("recover", 10.0, 60.0), Margin("detect", 9.0, 10.0)]
    assert thinnest(found) == found[1]
    assert thinnest([]) is None


@given(
    st.floats(min_value=0, max_value=1e4, allow_nan=False),
    st.floats(min_value=0.001, max_value=1e4, allow_nan=False),
)
def test_more_observed_never_leaves_more_room(observed: float, limit: float) -> None:
    margin, worse = Margin("bound", observed, limit), Margin("bound", observed * 1.5 + 1, limit)
    assert worse.room < margin.room <= 1.0
    assert margin.held is (margin.observed <= margin.limit)
    # a thin pass is held with under a fifth of the bound left
    o, b = margin.observed, margin.limit
    assert margin.thin is (o <= b and (b - o) / b < THIN)
