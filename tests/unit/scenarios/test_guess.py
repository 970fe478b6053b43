"""`drillbook init`'s guesses: an incident's fault from how it is named (no Docker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.cli import main
from drillbook.runbooks.model import Runbook
from drillbook.runbooks.parser import parse_file
from drillbook.scenarios.guess import guess_fault, words_of
from drillbook.scenarios.loader import load_scenario
from drillbook.stack.definition import load_stack_spec

ROOT = Path(__file__).resolve().parents[3]
SPEC = load_stack_spec(ROOT / "fixtures" / "stack.yaml")


def incident(title: str, alert: str | None = None, services: tuple[str, ...] = ()) -> Runbook:
    return Runbook(id="x", title=title, path=Path("r.md"), line=1, alert=alert, services=services)


def test_words_split_camel_case_and_join_neighbours() -> None:
    assert words_of("HighLatencyP95") == ["high", "latency", "p95", "highlatency", "latencyp95"]
    assert "ratelimit" in words_of("Rate limit storm")


@pytest.mark.parametrize(
    ("title", "alert", "services", "fault"),
    [
        ("Redis down", "RedisDown", (), ("kill", {"service": "redis"})),
        ("Key-value store unreachable", None, ("redis",), ("kill", {"service": "redis"})),
        ("Disk full", "DiskFull", ("api", "redis"), ("disk-fill", {"service": "redis"})),
        ("API killed for memory", "ApiOomKilled", (), ("oom", {"service": "api"})),
        (
            "Vector DB slow",
            "VectorDbSlow",
            (),
            ("latency", {"link": "api-vectordb", "latency_ms": 2000}),
        ),
        (
            "LLM provider errors",
            None,
            (),
            ("provider-errors", {"service": "provider", "rate": 1.0}),
        ),
        (
            "Rate limit storm",
            None,
            (),
            ("provider-rate-limit", {"service": "provider", "rate": 1.0}),
        ),
        (
            "Postgres connection pool exhausted",
            None,
            (),
            ("connection-exhaustion", {"service": "postgres"}),
        ),
        ("Database returns errors", None, (), ("kill", {"service": "postgres"})),
    ],
)
def test_the_fault_and_its_service_are_read_from_the_incident(
    title: str, alert: str | None, services: tuple[str, ...], fault: tuple[str, dict[str, object]]
) -> None:
    guess = guess_fault(incident(title, alert, services), SPEC)
    assert guess.fault == fault, guess.problem
    assert guess.why


@pytest.mark.parametrize(
    ("title", "services", "problem"),
    [
        ("Updating configuration", (), "no fault of the library reads"),
        ("Service down", (), "it names no service of the stack"),
        ("Service down", ("api", "redis"), "it names several services: api, redis"),
        ("kube-proxy down", (), "it names no service of the stack"),  # never toxiproxy
    ],
)
def test_what_cannot_be_guessed_is_said(
    title: str, services: tuple[str, ...], problem: str
) -> None:
    guess = guess_fault(incident(title, services=services), SPEC)
    assert guess.fault is None and problem in guess.problem


def test_our_catalogue_s_incidents_are_guessed() -> None:
    guessed = [
        guess_fault(r, SPEC).fault is not None
        for f in sorted((ROOT / "runbooks").glob("*.md"))
        for r in parse_file(f).runbooks
    ]
    assert sum(guessed) >= 15 and len(guessed) == 16


def test_init_writes_scenarios_that_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "scenarios"
    argv = ["init", "--runbooks", "runbooks", "--out", str(out)]
    assert main(argv) == 0
    written = sorted(out.glob("*.yaml"))
    assert len(written) >= 15
    for path in written:
        scenario = load_scenario(path, SPEC)  # every file is a valid scenario
        assert scenario.runbook is not None and path.read_text().startswith("# Written by")
    assert "not guessed: " in capsys.readouterr().out  # backup-restore, said so
    before = {p: p.read_text() for p in written}
    written[0].write_text(written[0].read_text() + "# edited\n")
    assert main(argv) == 0  # kept unless --force
    assert written[0].read_text().endswith("# edited\n")
    assert {p: p.read_text() for p in written[1:]} == {p: before[p] for p in written[1:]}


def test_init_says_how_to_run_what_it_wrote_with_the_stack_it_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "scenarios"
    stack = ROOT / "fixtures" / "stack.yaml"
    argv = ["init", "--stack", str(stack), "--runbooks", "runbooks", "--out", str(out)]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert f"`drillbook run --stack {stack} {out}/*.yaml`" in err
