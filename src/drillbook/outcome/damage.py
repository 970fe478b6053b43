"""The damage ledger: what a stack keeps, counted before the fault and after every step, and
what each step destroyed.

    ledger = Ledger()
    ledger.add(Reading("before the fault", None, "", counts))
    ledger.add(Reading("line 252", 252, "redis-cli flushall", counts_after))
    for loss in ledger.losses(): print(loss.describe())
    # line 252 `redis-cli flushall`: redis keys (db0) 1,532 -> 0

A count is a number of things a store keeps (rows of a table, keys of a Redis database,
points of a collection, files and bytes of a mounted folder), named `service kind (where)`.
None means the store could not be read at that moment (down, paused, refusing): that is
never a loss, the next reading is compared with the last one that could be read, and the
loss then names where it was last counted ("line 12 `...`: ... (since before the fault)").

Counts are net: a step that deletes 3 rows while the load inserts 10 shows no loss. What a
system of record keeps (rows, points) is counted as lost at any drop; what churns by design
(Redis keys: a drained queue's key goes, a cached one expires; files and bytes of a folder)
only when at least half of it, and more than a few, went at once, which the stack's own churn
over one step does not do. Who removed it is not known: the step is named because it ran
then. The same drill without the step says whether it was the step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Kinds whose counts a running system only adds to (or removes one by one, on purpose).
KEPT = frozenset({"rows", "points"})
# Kinds that churn by design: only a drop of at least this share of them is a loss.
CHURN_SHARE = 0.5
# ... and of at least this much, so that a drained queue's key or a temp file is not a finding.
CHURN_FLOOR = {"keys": 5, "expiring keys": 5, "files": 2, "bytes": 64 * 1024}


@dataclass(frozen=True)
class Reading:
    """The counts of every store at one moment: before the fault, or after a step (`line`)."""

    label: str
    line: int | None
    text: str
    counts: Mapping[str, int | None]
    t: float = 0.0  # monotonic
    took_s: float = 0.0  # what taking it cost (it delays the next step)

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "line": self.line,
            "text": self.text,
            "took_s": round(self.took_s, 3),
            "counts": dict(self.counts),
        }


@dataclass(frozen=True)
class Loss:
    """A count that fell between two readings, and the step that ran between them."""

    what: str
    before: int
    after: int
    since: str  # the reading it is compared with
    by: str  # the reading that saw it fall
    line: int | None  # the step's line, when one step alone ran between the two readings
    text: str = ""

    def describe(self) -> str:
        where = f"line {self.line} `{self.text}`" if self.line is not None else self.by
        between = "" if self.line is not None else f" (since {self.since})"
        return f"{where}: {self.what} {self.before:,} -> {self.after:,}{between}"

    def as_json(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "before": self.before,
            "after": self.after,
            "since": self.since,
            "by": self.by,
            "line": self.line,
            "text": self.text,
        }


def kind_of(name: str) -> str:
    """`redis expiring keys (db0)` -> `expiring keys`: the words between service and place."""
    head = name.split(" (", 1)[0]
    return head.split(" ", 1)[1] if " " in head else head


def is_loss(name: str, before: int, after: int) -> bool:
    """Whether a fall from `before` to `after` of this count is damage (see the module)."""
    if after >= before:
        return False
    kind = kind_of(name)
    if kind in KEPT:
        return True
    floor = CHURN_FLOOR.get(kind, 1)
    return before - after >= max(floor, CHURN_SHARE * before)


@dataclass
class Ledger:
    """Readings in time order, and the losses they show."""

    readings: list[Reading] = field(default_factory=list)

    def add(self, reading: Reading) -> None:
        self.readings.append(reading)

    def losses(self) -> tuple[Loss, ...]:
        return losses(self.readings)

    @property
    def took_s(self) -> float:
        return sum(r.took_s for r in self.readings)


def losses(readings: Iterable[Reading]) -> tuple[Loss, ...]:
    """Every count's falls, each compared with the last reading that could count it."""
    last: dict[str, tuple[int, Reading]] = {}
    previous: Reading | None = None
    found: list[Loss] = []
    for reading in readings:
        for name, value in _with_gone(reading.counts, last).items():
            if value is None:
                continue
            if name in last:
                before, since = last[name]
                if is_loss(name, before, value):
                    alone = since is previous and reading.line is not None
                    found.append(
                        Loss(
                            name,
                            before,
                            value,
                            since.label,
                            reading.label,
                            reading.line if alone else None,
                            reading.text if alone else "",
                        )
                    )
            last[name] = (value, reading)
        previous = reading
    return tuple(found)


def service_of(name: str) -> str:
    return name.split(" ", 1)[0]


def _with_gone(
    counts: Mapping[str, int | None], seen: Mapping[str, object]
) -> dict[str, int | None]:
    """`counts`, with 0 for what a service counted before and no longer lists (a Redis
    database emptied leaves INFO keyspace, a dropped table leaves the catalogue), unless that
    service could not be read at all this time."""
    unreadable = {service_of(n) for n, v in counts.items() if v is None}
    gone = {n: 0 for n in seen if n not in counts and service_of(n) not in unreadable}
    return {**counts, **gone}
