"""A step's role from what its command does: a look is no fix."""

from __future__ import annotations

import pytest

from drillbook.runbooks.effect import CHANGES, LOOKS, UNKNOWN, effect
from drillbook.runbooks.model import Section, StepKind
from drillbook.runbooks.parser import parse_text
from drillbook.runbooks.roles import roles


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("kubectl -n rag get pods -l app=api", LOOKS),
        ("kubectl rollout status deploy/api", LOOKS),
        ("kubectl rollout restart deploy/api", CHANGES),
        ("kubectl exec -it db-0 -- rm -rf /tmp/x", CHANGES),
        ("docker compose exec redis redis-cli INFO memory", LOOKS),
        ("docker compose restart redis", CHANGES),
        ("oc exec pod/dns-0 -n openshift-dns -- dig example.com", LOOKS),
        ("docker run --rm busybox ls", CHANGES),
        ("sudo systemctl status gitaly", LOOKS),
        ("sudo systemctl restart gitaly", CHANGES),
        ('psql -c "SELECT count(*) FROM pg_stat_activity"', LOOKS),
        ('psql -c "SELECT pg_terminate_backend(42)"', CHANGES),
        ("redis-cli -h redis CONFIG SET maxmemory 1gb", CHANGES),
        ("curl -fsS http://localhost:8000/health", LOOKS),
        ("curl -X POST http://localhost:8000/admin/reindex", CHANGES),
        ("ps aux | grep receive-pack | wc -l", LOOKS),
        ("journalctl -u api > /tmp/api.log", CHANGES),  # it writes a file
        ("find /var/log -mtime +2 -delete", CHANGES),
        ("./scripts/fix-it.sh", UNKNOWN),
    ],
)
def test_a_command_looks_or_changes(command: str, expected: str) -> None:
    assert effect(command) == expected


PAGE = """# Redis is down

## What to do

1. Check it: `docker compose ps redis`
2. Restart it: `docker compose restart redis`
3. The cache refills over a few minutes.
4. Confirm: `redis-cli -h redis ping`
"""


def test_a_page_with_no_labels_gets_its_sections_from_what_each_step_does() -> None:
    doc = parse_text(PAGE, "redis.md")
    (runbook,) = doc.runbooks
    role = roles(runbook.steps)
    assert [(s.line, s.section, role[s]) for s in runbook.steps] == [
        (5, Section.DIAGNOSIS, "diagnose"),
        (6, Section.RESOLUTION, "fix"),
        (8, Section.VERIFICATION, "verify"),
    ]
    assert any("placed by what they do" in n.message for n in doc.notes)


LABELLED = """# API down

## Immediate Actions

- `docker compose ps api`
- `docker compose restart api`
- `curl -fsS http://localhost:8000/health`
"""


def test_a_look_under_a_fix_label_diagnoses_before_the_fix_and_verifies_after() -> None:
    (runbook,) = parse_text(LABELLED, "api.md").runbooks
    assert [s.section for s in runbook.steps] == [Section.RESOLUTION] * 3  # as written
    assert list(roles(runbook.steps).values()) == ["diagnose", "fix", "verify"]
    assert all(s.kind is StepKind.COMMAND for s in runbook.steps)
