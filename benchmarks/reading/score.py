"""Precision and recall of a reading against labels: pure arithmetic, no parsing, no git.

A labelled incident and a read one are the same incident when they start on the same line, or
failing that when their titles are the same words; each pairs at most once. Facts (alert,
priority, targets, step roles) are then compared on the pairs only, so a fact of a missed
incident counts as missed and a fact read on a false incident counts as false.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from labels import Incident, LabelledFile

# What the reader made of one incident, in the label's terms: the same shape as a label.
Reading = Incident


@dataclass
class Tally:
    """Counts for one measure: right, read (anything said), and labelled."""

    right: int = 0
    read: int = 0
    labelled: int = 0

    @property
    def precision(self) -> float | None:
        return self.right / self.read if self.read else None

    @property
    def recall(self) -> float | None:
        return self.right / self.labelled if self.labelled else None

    def add(self, other: Tally) -> None:
        self.right += other.right
        self.read += other.read
        self.labelled += other.labelled


MEASURES = ("incidents", "alerts", "priorities", "restore", "respond", "steps")


@dataclass
class Score:
    tallies: dict[str, Tally] = field(default_factory=lambda: {m: Tally() for m in MEASURES})
    misses: list[str] = field(default_factory=list)  # one line per disagreement, for a person

    def add(self, other: Score) -> None:
        for name, tally in other.tallies.items():
            self.tallies[name].add(tally)
        self.misses.extend(other.misses)


def _words(title: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", title.lower()))


def pair(
    labelled: Iterable[Incident], read: Iterable[Reading]
) -> list[tuple[Incident | None, Reading | None]]:
    """Labelled and read incidents paired by line, then by title; the rest alone.

    Each reading pairs once; two incidents with the same title pair with two readings of
    that title, in order.
    """
    left = list(labelled)
    right = list(read)
    pairs: list[tuple[Incident | None, Reading | None]] = []
    keys: tuple[Callable[[Incident], object], ...] = (lambda x: x.line, lambda x: _words(x.title))
    for key in keys:
        waiting: dict[object, list[Reading]] = {}
        for reading in right:
            if key(reading) != "":
                waiting.setdefault(key(reading), []).append(reading)
        rest = []
        for incident in left:
            candidates = waiting.get(key(incident), [])
            if candidates and key(incident) != "":
                match = candidates.pop(0)
                pairs.append((incident, match))
                right.remove(match)
            else:
                rest.append(incident)
        left = rest
    pairs.extend((i, None) for i in left)
    pairs.extend((None, r) for r in right)
    return pairs


def _same_text(a: str, b: str) -> bool:
    return _words(a) == _words(b)


def _same_seconds(a: float, b: float) -> bool:
    return abs(a - b) <= 0.01 * max(a, b)


def _fact(tally: Tally, want: object, got: object, same: object) -> bool:
    """Count one fact; whether it disagreed."""
    if want is not None:
        tally.labelled += 1
    if got is not None:
        tally.read += 1
    if want is not None and got is not None and same(want, got):  # type: ignore[operator]
        tally.right += 1
        return False
    return want is not None or got is not None


def _facts(incident: Incident) -> tuple[tuple[str, object], ...]:
    return (
        ("alerts", incident.alert),
        ("priorities", incident.priority),
        ("restore", incident.restore_s),
        ("respond", incident.respond_s),
    )


def score_file(path: str, labelled: LabelledFile, read: list[Reading]) -> Score:
    score = Score()
    t = score.tallies
    t["incidents"].labelled += len(labelled.incidents)
    t["incidents"].read += len(read)
    for incident, reading in pair(labelled.incidents, read):
        if incident is None:
            assert reading is not None
            score.misses.append(f"{path}:{reading.line}: false incident {reading.title!r}")
            for name, got in _facts(reading):
                t[name].read += got is not None
            continue
        if reading is None:
            score.misses.append(f"{path}:{incident.line}: missed incident {incident.title!r}")
            for name, want in _facts(incident):
                t[name].labelled += want is not None
            t["steps"].labelled += len(incident.steps)
            continue
        t["incidents"].right += 1
        for name, want, got, same in (
            ("alerts", incident.alert, reading.alert, lambda a, b: a.strip("`") == b),
            ("priorities", incident.priority, reading.priority, _same_text),
            ("restore", incident.restore_s, reading.restore_s, _same_seconds),
            ("respond", incident.respond_s, reading.respond_s, _same_seconds),
        ):
            if _fact(t[name], want, got, same):
                score.misses.append(f"{path}:{incident.line}: {name} {want!r} read as {got!r}")
        _steps(score, path, incident, reading)
    return score


def _steps(score: Score, path: str, incident: Incident, reading: Reading) -> None:
    tally = score.tallies["steps"]
    tally.labelled += len(incident.steps)
    if not incident.steps:
        return
    tally.read += sum(1 for line in incident.steps if line in reading.steps)
    for line, role in sorted(incident.steps.items()):
        got = reading.steps.get(line)
        if got == role:
            tally.right += 1
        else:
            score.misses.append(f"{path}:{line}: step {role} read as {got or 'no step'}")
