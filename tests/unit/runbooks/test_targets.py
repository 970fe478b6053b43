"""Times to respond and to restore, told apart wherever a runbook writes them."""

from __future__ import annotations

import pytest

from drillbook.runbooks.parser import parse_text
from drillbook.runbooks.targets import RESPOND, RESTORE, WrittenTarget, find_targets


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("**Response Time**: < 5 minutes", [WrittenTarget(RESPOND, 300)]),
        ("Acknowledge within 5 min", [WrittenTarget(RESPOND, 300)]),
        ("MTTR target: 10 minutes 30 seconds", [WrittenTarget(RESTORE, 630)]),
        ("Resolve within 1 hour, then escalate", [WrittenTarget(RESTORE, 3600)]),
        ("Resolution Target (P1): 2 hours", [WrittenTarget(RESTORE, 7200)]),
        (
            "- P0: respond within 15 minutes, resolve within 4 hours",
            [WrittenTarget(RESPOND, 900), WrittenTarget(RESTORE, 14400)],
        ),
        # A time that bounds no kind is no target.
        ("Recovery: restart it and wait 2 minutes", []),
        ("Wait 30 seconds and verify recovery", []),
        ("The alert fires when lag is above 5 minutes", []),
        ("the fix takes 5 minutes", []),
    ],
)
def test_a_target_has_the_kind_its_words_give(line: str, expected: list[WrittenTarget]) -> None:
    assert find_targets(line) == expected


PRIORITIES = """# Service runbooks

- **P0 (Critical)**: respond within 15 minutes, resolve within 4 hours
- P1: respond within 1 hour

### Database down
**Severity**: P0
**Resolution**:
1. `docker compose restart postgres`

### Slow queries
**Severity**: P1
**Response Time**: < 30 minutes
**Resolution**:
1. `docker compose restart api`
"""


def test_a_priority_list_gives_each_incident_of_that_priority_its_targets() -> None:
    database, slow = parse_text(PRIORITIES, "p.md").runbooks
    assert (database.respond_s, database.mttr_s, database.respond_line) == (900, 14400, 3)
    assert database.respond_from == database.mttr_from == "severity table"
    # Its own line wins over the list; the list gives P1 no time to restore.
    assert (slow.respond_s, slow.respond_line, slow.mttr_s) == (1800, 13, None)


SPLIT = """# RAG service runbook

- P0: respond within 15 minutes, resolve within 1 hour
- P1: respond within 1 hour

### P0: Vector store down

Restore within 30 minutes.

**Store unreachable**
1. `docker compose restart qdrant`

**Replica lag high**
1. `docker compose up -d qdrant-replica`
"""


def test_a_bold_sub_procedure_keeps_its_headings_priority_and_targets() -> None:
    a, b = parse_text(SPLIT, "rag.md").runbooks
    assert [a.title, b.title] == ["Store unreachable", "Replica lag high"]
    for runbook in (a, b):
        assert runbook.severity == "p0"
        assert (runbook.mttr_s, runbook.mttr_line) == (1800, 8)  # its heading's own line
        assert (runbook.respond_s, runbook.respond_from) == (900, "severity table")
