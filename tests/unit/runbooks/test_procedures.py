"""Bold-label procedures: `**High Latency**` followed by steps is an incident of its own."""

from __future__ import annotations

from pathlib import Path

from drillbook.runbooks.model import Section, Step, StepKind
from drillbook.runbooks.parser import parse_file, parse_text

CORPUS = Path(__file__).parent / "corpus"


def commands(steps: tuple[Step, ...]) -> list[tuple[int, str, str]]:
    return [(s.line, s.section.value, s.text) for s in steps if s.kind is StepKind.COMMAND]


def test_each_bold_label_procedure_is_an_incident_with_its_steps() -> None:
    doc = parse_file(CORPUS / "troubleshooting-guide.md")
    by_title = {r.title: r for r in doc.runbooks}
    # Not incidents: the page's title, "Recent Logs" under Common Operations, "API down"
    # under Quick Reference, "Check the queue" (an order: a step of the backlog procedure).
    assert list(by_title) == [
        "High Latency",
        "Redis connection refused",
        "Database connection errors",
        "Worker stuck",
        "Ingestion backlog",
        "Database won't start",
    ]
    assert commands(by_title["High Latency"].steps) == [
        (21, "resolution", "docker stats --no-stream"),
        (22, "resolution", "docker compose restart api"),
    ]
    assert commands(by_title["Redis connection refused"].steps) == [
        (26, "resolution", "docker compose restart redis")
    ]
    database = by_title["Database connection errors"]
    assert database.severity == "critical"
    assert commands(database.steps) == [
        (31, "resolution", "docker compose ps postgres"),
        (33, "resolution", "docker compose restart postgres"),
    ]
    assert commands(by_title["Ingestion backlog"].steps)[-1] == (
        57,
        "resolution",
        "docker compose up -d --scale worker=3",
    )


def test_labels_inside_a_procedure_place_its_steps() -> None:
    doc = parse_file(CORPUS / "troubleshooting-guide.md")
    worker = next(r for r in doc.runbooks if r.title == "Worker stuck")
    assert commands(worker.steps) == [
        (38, "diagnosis", "docker compose logs worker"),
        (41, "resolution", "docker compose restart worker"),
        (45, "verification", "docker compose ps worker"),
    ]
    # Error / Cause / Solution, as troubleshooting pages label them, are sections too.
    start = next(r for r in doc.runbooks if r.title == "Database won't start")
    assert {Section.SYMPTOMS, Section.DIAGNOSIS, Section.RESOLUTION} <= start.sections
    assert commands(start.steps) == [(74, "resolution", "docker compose up -d postgres")]


def test_the_guessed_section_is_said_in_a_note() -> None:
    doc = parse_file(CORPUS / "troubleshooting-guide.md")
    guesses = [n.line for n in doc.notes if "taken as resolution" in n.message]
    assert guesses == [19, 24, 29, 50]  # not 36: "Worker stuck" names its sections


def test_a_trailing_colon_inside_or_after_the_bold_is_the_same_title() -> None:
    for line in ("**Cache full:**", "**Cache full**:", "- **Cache full**"):
        text = f"## Common Issues\n\n{line}\n```bash\ndocker compose restart redis\n```\n"
        (runbook,) = parse_text(text, "x.md").runbooks
        assert runbook.title == "Cache full", line
        assert commands(runbook.steps) == [(5, "resolution", "docker compose restart redis")]


def test_a_bold_line_inside_a_heading_incident_does_not_split_it() -> None:
    text = (
        "## Incidents\n### Service down\n**Symptoms**: health checks fail\n"
        "**Immediate Actions**:\n```bash\ndocker compose restart api\n```\n"
        "**If restart fails**:\n```bash\ndocker compose up -d --force-recreate api\n```\n"
    )
    (runbook,) = parse_text(text, "x.md").runbooks
    assert runbook.title == "Service down"
    assert [line for line, _, _ in commands(runbook.steps)] == [6, 10]


def test_a_bold_line_that_names_no_problem_under_no_incident_heading_is_no_incident() -> None:
    text = "## Operations\n\n**Rolling restart**\n```bash\nkubectl rollout restart deploy/a\n```\n"
    assert parse_text(text, "x.md").runbooks == ()
    problem = text.replace("Rolling restart", "Pods crash looping")
    assert [r.title for r in parse_text(problem, "x.md").runbooks] == ["Pods crash looping"]
