from __future__ import annotations

from pathlib import Path

from drillbook.runbooks.model import Section, StepKind
from drillbook.runbooks.parser import parse_file, parse_text

OURS = """---
id: redis-down
alert: RedisDown
severity: critical
mttr: 2m
services: [redis]
names: {cache: redis}
---
# Redis down

## Symptoms
- writes fail

## Resolution
```bash
docker compose up -d redis
```
Wait 20 seconds.
1. Check it by hand

## Verification
```sh
redis-cli -h redis ping
sleep 5
```

## Escalation
Escalate after 1 minute.
"""


def test_front_matter_gives_the_machine_fields() -> None:
    (rb,) = parse_text(OURS, "x.md").runbooks
    assert (rb.id, rb.alert, rb.severity, rb.mttr_s) == ("redis-down", "RedisDown", "critical", 120)
    assert rb.services == ("redis",) and rb.names == {"cache": "redis"}
    assert rb.alert_line == 3 and rb.mttr_line == 5
    steps = [(s.line, s.section, s.kind, s.wait_s) for s in rb.steps]
    assert steps == [
        (16, Section.RESOLUTION, StepKind.COMMAND, None),
        (18, Section.RESOLUTION, StepKind.WAIT, 20.0),
        (19, Section.RESOLUTION, StepKind.MANUAL, None),
        (23, Section.VERIFICATION, StepKind.COMMAND, None),
        (24, Section.VERIFICATION, StepKind.WAIT, 5.0),
    ]
    assert rb.written_wait_s == 25.0
    assert rb.escalation_s == ((60.0, 28),)


def test_bad_front_matter_is_a_note_not_a_crash() -> None:
    doc = parse_text("---\nmttr: [\n---\n# T\n", "x.md")
    assert doc.runbooks and any("front matter" in n.message for n in doc.notes)
    doc = parse_text("---\nid: a\nmttr: soon\nfoo: 1\n---\n# T\n", "x.md")
    messages = {(n.line, n.message) for n in doc.notes}
    assert (3, "cannot read mttr 'soon'") in messages
    assert (4, "unknown front matter key 'foo'") in messages


def test_incidents_are_found_under_headings_with_bold_labels() -> None:
    text = "\n".join(
        [
            "# Ops",  # 1
            "## Quick commands",  # 2
            "```bash",  # 3
            "docker ps",  # 4
            "```",  # 5
            "### 1. Service Down",  # 6
            "**Symptoms**: nothing answers",  # 7
            "**Immediate Actions**:",  # 8
            "1. Restart: `docker-compose restart api`",  # 9
            "2. Wait 2 minutes and verify: `curl http://localhost:8000/health`",  # 10
            "**Escalation**: after 10 minutes call someone",  # 11
            "### Procedure 2: Slow",  # 12
            "- Alert: HighLatency triggered",  # 13
            "**Resolution Steps**",  # 14
            "1. Scale up",  # 15
        ]
    )
    doc = parse_text(text, "ops.md")
    assert [r.id for r in doc.runbooks] == ["service-down", "slow"]
    down, slow = doc.runbooks
    assert [(s.line, s.kind) for s in down.steps] == [
        (9, StepKind.COMMAND),
        (10, StepKind.WAIT),
        (10, StepKind.COMMAND),
    ]
    assert down.escalation_s == ((600.0, 11),) and down.alert is None
    assert slow.alert == "HighLatency" and slow.steps[0].kind is StepKind.MANUAL
    assert any("could not infer" in n.message for n in doc.notes)


def test_alert_table_rows_fill_mttr_and_severity() -> None:
    text = "\n".join(
        [
            "| Alert | Severity | Runbook | MTTR Target |",
            "|---|---|---|---|",
            "| RedisDown | 🔴 Critical | [x](#redis-down) | 10 minutes |",
            "",
            "## Redis Down",
            "### Resolution",
            "```bash",
            "docker restart redis",
            "```",
        ]
    )
    doc = parse_text(text, "t.md")
    (row,) = doc.alerts
    assert (row.alert, row.severity, row.mttr_s, row.line) == ("RedisDown", "critical", 600, 3)
    (rb,) = doc.runbooks
    assert (rb.alert, rb.severity, rb.mttr_s, rb.mttr_line) == ("RedisDown", "critical", 600, 3)


def test_mis_encoded_characters_are_repaired_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "m.md"
    path.write_text("# \u00f0\u0178\u0161\u00a8 Production\n", encoding="utf-8")
    doc = parse_file(path)
    assert doc.text_lines[0] == "# 🚨 Production"
    assert doc.notes[0].line == 1 and "mis-encoded" in doc.notes[0].message


def test_every_seed_runbook_parses(seeds: Path) -> None:
    found = {p.name: parse_file(p) for p in sorted(seeds.glob("*.md"))}
    assert len(found) >= 3
    obsidian = found["obsidian-data-pipeline.md"]
    ids = [r.id for r in obsidian.runbooks]
    assert ids[:5] == [
        "service-down",
        "high-error-rate",
        "high-response-time",
        "memory-issues",
        "disk-space-issues",
    ]
    down = obsidian.runbooks[0]
    assert any(s.kind is StepKind.WAIT and s.wait_s == 120 for s in down.steps)
    assert (600.0, 50) in down.escalation_s
    rag7 = found["rag7-langgraph-api.md"]
    assert {r.alert for r in rag7.runbooks} >= {"HighErrorRate", "HighLatency"}
    undo = [s for r in rag7.runbooks for s in r.steps if "rollout undo" in s.text]
    assert undo and rag7.text_lines[undo[0].line - 1].strip() == undo[0].text
    structured = found["structured-prompt-service.md"]
    assert len(structured.alerts) == 9
    assert {a.alert: a.mttr_s for a in structured.alerts}["RedisDown"] == 600


def test_sleep_with_a_unit_is_a_wait_as_the_adapter_reads_it() -> None:
    text = "---\nid: x\n---\n# X\n## Resolution\n```bash\nsleep 30\nsleep 1m\nsleep 2x\n```\n"
    (rb,) = parse_text(text, "x.md").runbooks
    steps = [(s.kind, s.wait_s) for s in rb.steps]
    assert steps == [(StepKind.WAIT, 30.0), (StepKind.WAIT, 60.0), (StepKind.COMMAND, None)]
    assert rb.written_wait_s == 90.0


CORPUS = Path(__file__).parent / "corpus"


def test_one_alert_per_file_collections_are_read() -> None:
    doc = parse_file(CORPUS / "VectorStoreLatencyHigh.md")
    (rb,) = doc.runbooks
    assert rb.alert == "VectorStoreLatencyHigh" and rb.alert_line == 6
    assert not [n for n in doc.notes if "front matter" in n.message]  # title, weight tolerated
    assert {Section.SYMPTOMS, Section.DIAGNOSIS, Section.RESOLUTION} <= rb.sections
    commands = [(s.line, s.section, s.text) for s in rb.steps if s.kind is StepKind.COMMAND]
    assert commands == [
        (19, Section.DIAGNOSIS, "kubectl -n rag get pods -l app=vectordb"),
        (22, Section.DIAGNOSIS, "kubectl -n rag logs deploy/vectordb --tail=50"),
        (28, Section.RESOLUTION, "kubectl -n rag rollout restart deployment/vectordb"),
    ]
    assert parse_file(CORPUS / "_index.md").runbooks == ()


def test_team_handbook_vocabulary_and_severity_targets() -> None:
    doc = parse_file(CORPUS / "team-handbook.md")
    by_title = {r.title: r for r in doc.runbooks}
    assert set(by_title) == {"Cache unavailable", "Queue backlog"}  # no review, no reference
    cache = by_title["Cache unavailable"]
    # The table's times are times to respond: no MTTR target is made of them.
    assert (cache.severity, cache.respond_s, cache.respond_line) == ("p0", 900.0, 7)
    assert cache.mttr_s is None
    sections = [(s.section, s.text) for s in cache.steps]
    assert sections == [
        (Section.DIAGNOSIS, "docker compose ps redis"),
        (Section.RESOLUTION, "BACKUP_DIR=/backups"),
        (Section.RESOLUTION, "docker compose restart redis"),
        (Section.VERIFICATION, "redis-cli -h redis ping"),
    ]
    queue = by_title["Queue backlog"]
    assert (queue.respond_s, queue.respond_line, queue.mttr_s) == (1800.0, 33, None)
    assert [s.section for s in queue.steps] == [Section.DIAGNOSIS, Section.RESOLUTION]
