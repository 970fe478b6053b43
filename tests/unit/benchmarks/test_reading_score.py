"""The arithmetic of the reading measurement: pairs, facts and steps counted once each."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks" / "reading"))

from labels import Incident, LabelError, LabelledFile, load
from score import Reading, pair, score_file


def test_incidents_pair_by_line_then_by_title() -> None:
    labelled = [Incident(3, "Redis down"), Incident(10, "Disk full"), Incident(20, "Gone")]
    read = [Reading(3, "redis DOWN!"), Reading(12, "Disk Full"), Reading(30, "Extra")]
    pairs = pair(labelled, read)
    assert [(i and i.line, r and r.line) for i, r in pairs] == [
        (3, 3),
        (10, 12),
        (20, None),
        (None, 30),
    ]


def test_an_empty_title_never_pairs_by_title() -> None:
    assert pair([Incident(1, "")], [Reading(5, "")]) == [
        (Incident(1, ""), None),
        (None, Reading(5, "")),
    ]


def test_facts_of_missed_and_false_incidents_count_against_the_reader() -> None:
    labelled = LabelledFile(
        "a.md",
        (
            Incident(1, "A", alert="AlertA", restore_s=600, steps={5: "fix", 6: "verify"}),
            Incident(9, "B", alert="AlertB", priority="P1", respond_s=300),
        ),
    )
    read = [
        Reading(1, "A", alert="AlertA", restore_s=601, steps={5: "fix", 6: "fix"}),
        Reading(15, "C", alert="Invented", priority="p1"),
    ]
    t = score_file("a.md", labelled, read).tallies
    assert (t["incidents"].right, t["incidents"].read, t["incidents"].labelled) == (1, 2, 2)
    assert (t["alerts"].right, t["alerts"].read, t["alerts"].labelled) == (1, 2, 2)
    assert (t["priorities"].right, t["priorities"].read, t["priorities"].labelled) == (0, 1, 1)
    assert (t["restore"].right, t["restore"].read, t["restore"].labelled) == (1, 1, 1)
    assert (t["respond"].right, t["respond"].read, t["respond"].labelled) == (0, 0, 1)
    assert (t["steps"].right, t["steps"].labelled) == (1, 2)
    assert t["alerts"].precision == 0.5 and t["incidents"].recall == 0.5


def test_a_respond_time_read_as_restore_is_wrong_twice() -> None:
    labelled = LabelledFile("a.md", (Incident(1, "A", respond_s=300),))
    t = score_file("a.md", labelled, [Reading(1, "A", restore_s=300)]).tallies
    assert (t["restore"].right, t["restore"].read, t["restore"].labelled) == (0, 1, 0)
    assert (t["respond"].right, t["respond"].labelled) == (0, 1)


def test_a_label_file_with_an_unknown_role_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(
        "collection: x\nrepo: o/n\ncommit: abc\nsplit: dev\n"
        "files:\n  a.md:\n    incidents:\n      - line: 1\n        steps: {repair: [3]}\n"
    )
    with pytest.raises(LabelError, match="repair"):
        load(path)


def test_incidents_with_the_same_title_pair_one_to_one() -> None:
    labelled = [Incident(10, "Redis down"), Incident(30, "Redis down")]
    read = [Reading(11, "Redis down"), Reading(31, "Redis down")]
    assert [(i and i.line, r and r.line) for i, r in pair(labelled, read)] == [(10, 11), (30, 31)]
