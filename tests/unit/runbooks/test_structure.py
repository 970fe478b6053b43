"""Incidents read by the document's structure where no heading owns incident sections."""

from __future__ import annotations

from drillbook.runbooks.model import Section
from drillbook.runbooks.parser import parse_text

NO_TITLE = """## Steps to check

1. Look at the pod: `kubectl -n monitoring get pods`
2. Restart it: `kubectl -n monitoring delete pod prometheus-0`
"""

FRONT_TITLE = """---
title: Checkout errors high
weight: 3
---

## What to do

```bash
kubectl rollout restart deploy/checkout
```
"""

GUIDE = """# How to write a runbook

## Layout

```bash
mkdir docs/my-service
```
"""

TABLE = """# Worker

## When it breaks

| Symptom | Fix |
|---------|-----|
| Worker errors | Restart it: `docker compose restart worker` |
| Queue stuck | Check `redis-cli llen jobs` |

| Task | Schedule |
|------|----------|
| cleanup | daily |
"""


def test_a_page_named_after_a_failure_that_asks_for_actions_is_one_incident() -> None:
    doc = parse_text(NO_TITLE, "docs/prometheus-is-down.md")
    (runbook,) = doc.runbooks
    assert (runbook.title, runbook.line) == ("prometheus is down", 1)
    assert any("whole page is read as one incident" in n.message for n in doc.notes)


def test_the_front_matter_title_names_the_page() -> None:
    (runbook,) = parse_text(FRONT_TITLE, "checkout.md").runbooks
    assert (runbook.title, runbook.line) == ("Checkout errors high", 2)


def test_a_guide_with_commands_is_no_incident() -> None:
    assert parse_text(GUIDE, "docs/writing.md").runbooks == ()


def test_each_row_of_a_symptom_table_is_an_incident_with_its_steps() -> None:
    doc = parse_text(TABLE, "worker.md")
    rows = [r for r in doc.runbooks if r.line in (7, 8)]
    assert [(r.title, r.line) for r in rows] == [("Worker errors", 7), ("Queue stuck", 8)]
    assert [(s.text, s.section) for s in rows[0].steps] == [
        ("docker compose restart worker", Section.RESOLUTION)
    ]
    assert all(r.line not in (12,) for r in doc.runbooks)  # a table of tasks is no incident


PLAIN_LABELS = """# Worker

## On-call playbook

### Worker down

Detection:

```bash
railway logs -s worker
```

First response:

1. Redeploy it: `railway redeploy -s worker`
"""


def test_a_label_alone_on_its_line_opens_a_section_as_a_bold_one_does() -> None:
    (runbook,) = parse_text(PLAIN_LABELS, "worker.md").runbooks
    assert (runbook.title, runbook.line) == ("Worker down", 5)
    assert [(s.line, s.section) for s in runbook.steps] == [(15, Section.RESOLUTION)]


HANDBOOK = """# Kubernetes alerts

### Group: apps

##### Alert Name: "KubePodCrashLooping"
+ *Severity*: warning
+ *Action*: Check the pod with `kubectl describe pod <pod>`.

##### Alert Name: KubeJobFailed
+ *Severity*: critical
"""

SNAPSHOT = """# Scenario 3: Credential compromise

## Incident snapshot

| Field | Value |
|---|---|
| Default severity | **Critical** - adjust using the matrix |

## Runbook

1. Deactivate the key: `aws iam update-access-key --status Inactive --access-key-id <id>`
"""


def test_sibling_headings_that_name_alerts_are_each_an_incident() -> None:
    doc = parse_text(HANDBOOK, "runbook.md")
    assert [(r.line, r.alert, r.severity) for r in doc.runbooks] == [
        (5, "KubePodCrashLooping", "warning"),
        (9, "KubeJobFailed", "critical"),
    ]
    assert [(s.line, s.section) for s in doc.runbooks[0].steps] == [(7, Section.DIAGNOSIS)]


def test_a_key_value_table_row_gives_the_severity() -> None:
    (runbook,) = parse_text(SNAPSHOT, "03-credential-compromise.md").runbooks
    assert (runbook.line, runbook.severity) == (1, "critical")
