"""Inputs a review found mis-read once; each test failed before its fix."""

from __future__ import annotations

import time

import pytest

from drillbook.runbooks.adapter import RUN, CommandAdapter
from drillbook.runbooks.parser import parse_text
from drillbook.stack.spec import StackSpec


@pytest.mark.parametrize(
    "line",
    [
        "sudo --user root redis-cli FLUSHALL",
        'sudo -p x docker compose exec postgres psql -c "DROP TABLE users"',
    ],
)
def test_sudo_options_hide_nothing_from_the_safety_check(spec: StackSpec, line: str) -> None:
    assert CommandAdapter(spec, refuse_destructive=True).translate(line).admission is not RUN
    assert CommandAdapter(spec).translate(line).destructive


@pytest.mark.parametrize("line", ["sudo -i", "sudo -u", "sudo --"])
def test_sudo_with_no_command_is_not_executable_not_a_crash(spec: StackSpec, line: str) -> None:
    assert not CommandAdapter(spec).translate(line).runnable


def test_code_under_an_overview_label_is_never_run() -> None:
    text = "# Redis down\n## Overview\n```bash\ndocker compose down -v\n```\n## Symptoms\nslow\n"
    assert [r.steps for r in parse_text(text, "x.md").runbooks] == [()]


def test_a_symptom_table_in_our_own_runbook_makes_no_incident() -> None:
    text = (
        "---\nid: x\nalert: A\nmttr: 5m\n---\n# X\n## Symptoms\n"
        "| Symptom | Check |\n|---|---|\n| slow | `docker compose ps` |\n"
        "## Resolution\n```bash\ndocker compose restart api\n```\n"
    )
    assert [r.id for r in parse_text(text, "x.md").runbooks] == ["x"]


def test_a_heading_in_a_quote_does_not_end_the_incident() -> None:
    text = "## DB down\n### Resolution\n> ## Warning\n> careful\n\n1. `docker compose restart db`\n"
    (runbook,) = parse_text(text, "x.md").runbooks
    assert [s.text for s in runbook.steps] == ["docker compose restart db"]


def test_an_escalation_time_is_no_mttr_and_a_warning_note_no_severity() -> None:
    text = (
        "## Payments down\n### Resolution\n"
        "If the issue is not resolved within 30 minutes, escalate to the payments lead.\n\n"
        "**Warning**: restarting drops in-flight requests.\n\n"
        "1. `docker compose restart payments`\n"
    )
    (runbook,) = parse_text(text, "x.md").runbooks
    assert (runbook.mttr_s, runbook.severity) == (None, None)


def test_a_word_and_a_colon_inside_a_sentence_is_no_label() -> None:
    text = (
        "## Redis down\n### Resolution\nIf the restart fails with\nError:\n"
        "run this instead:\n```bash\ndocker compose restart redis\n```\n"
    )
    (runbook,) = parse_text(text, "x.md").runbooks
    assert [s.text for s in runbook.steps] == ["docker compose restart redis"]


def test_a_long_front_matter_title_reads_in_linear_time() -> None:
    text = "---\ntitle: x" + " " * 20000 + "y\nweight: 1\n---\n\n## What to do\n"
    started = time.process_time()
    parse_text(text, "down.md")
    assert time.process_time() - started < 2.0


def test_lone_carriage_returns_end_lines() -> None:
    text = "# Redis down\r## Resolution\r- `docker compose restart redis`\r"
    (runbook,) = parse_text(text, "x").runbooks
    assert (runbook.title, [s.line for s in runbook.steps]) == ("Redis down", [3])
