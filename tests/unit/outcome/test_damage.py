"""The damage ledger's arithmetic: which falls are losses, and which step they are put on."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drillbook.outcome.damage import Ledger, Reading, is_loss, losses

KEYS, ROWS, FILES = (
    "redis keys (db0)",
    "postgres rows (app.public.documents)",
    "redis files (/data)",
)


def reading(label: str, line: int | None, **counts: int | None) -> Reading:
    names = {"keys": KEYS, "rows": ROWS, "files": FILES, "down": "redis redis (unreadable)"}
    return Reading(label, line, f"step {label}", {names[k]: v for k, v in counts.items()})


def test_a_flush_is_put_on_the_step_that_ran() -> None:
    ledger = Ledger()
    ledger.add(reading("before the fault", None, keys=1532, rows=40))
    ledger.add(reading("line 12", 12, keys=1532, rows=40))
    ledger.add(reading("line 14", 14, keys=0, rows=40))
    (loss,) = ledger.losses()
    assert (loss.what, loss.before, loss.after, loss.line) == (KEYS, 1532, 0, 14)
    assert loss.describe() == "line 14 `step line 14`: redis keys (db0) 1,532 -> 0"


def test_no_fall_no_loss() -> None:
    assert losses([reading("a", None, keys=5, rows=3), reading("b", 1, keys=9, rows=3)]) == ()


def test_an_unreadable_store_is_never_a_loss_and_the_next_reading_names_both_ends() -> None:
    found = losses(
        [
            reading("before the fault", None, keys=100),
            reading("line 3", 3, down=None),  # Redis down: unknown, not empty
            reading("line 5", 5, keys=0),
        ]
    )
    (loss,) = found
    assert loss.line is None and loss.since == "before the fault" and loss.by == "line 5"
    assert "since before the fault" in loss.describe()


def test_a_count_that_leaves_the_listing_is_zero() -> None:
    # FLUSHALL removes db0 from INFO keyspace; a dropped table leaves the catalogue
    (loss,) = losses([reading("a", None, keys=7), reading("b", 2, rows=4)])
    assert (loss.what, loss.after, loss.line) == (KEYS, 0, 2)


def test_kept_things_count_at_any_fall_churning_ones_only_when_half_goes() -> None:
    assert is_loss(ROWS, 40, 39)
    assert not is_loss(KEYS, 2, 0)  # a drained queue's keys
    assert is_loss(KEYS, 1532, 0)
    assert not is_loss(FILES, 10, 8)  # a temp file renamed away
    assert is_loss(FILES, 10, 4)
    assert not is_loss(FILES, 1, 0)  # a single file is churn
    assert not is_loss("redis expiring keys (db0)", 6, 2)  # under the floor of 5
    assert is_loss("redis expiring keys (db0)", 100, 10)


@given(st.lists(st.one_of(st.none(), st.integers(0, 10**6)), min_size=1, max_size=12))
def test_a_count_that_never_falls_has_no_loss(values: list[int | None]) -> None:
    rising, top = [], 0
    for v in values:
        top = top if v is None else top + v
        rising.append(reading(str(len(rising)), len(rising), rows=None if v is None else top))
    assert losses(rising) == ()
