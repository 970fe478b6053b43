"""Lint findings about what a runbook says of the stack: targets, services, variables, ports,
sub-commands and empty sections; each with a short hint that names the nearest match."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drillbook.cli import main
from drillbook.runbooks.findings import Finding
from drillbook.runbooks.lint import lint_documents
from drillbook.runbooks.parser import parse_text
from drillbook.stack.spec import StackSpec

from .conftest import REPO

FRONT = "---\nid: x\nalert: RedisDown\nseverity: critical\nmttr: {mttr}\n---\n# X\n## Resolution\n"


def lint(text: str, spec: StackSpec) -> list[Finding]:
    return lint_documents([parse_text(text, "rb.md")], spec)


def at(findings: list[Finding], line: int) -> list[tuple[str, str, str]]:
    return [(f.rule, f.severity, f.hint) for f in findings if f.line == line]


def runbook(*commands: str, mttr: str = "5m") -> str:
    return FRONT.format(mttr=mttr) + "```bash\n" + "\n".join(commands) + "\n```\n"


def test_an_mttr_of_zero_is_impossible(spec: StackSpec) -> None:
    found = lint(runbook("docker compose restart redis", mttr="0"), spec)
    assert [(f.line, f.rule, f.severity) for f in found] == [(5, "mttr-impossible", "error")]


def test_unknown_front_matter_services_name_the_nearest(spec: StackSpec) -> None:
    text = runbook("docker compose restart redis").replace(
        "mttr: 5m", "mttr: 5m\nservices: [redis, reddis]"
    )
    assert at(lint(text, spec), 6) == [
        (
            "unknown-service",
            "error",
            "did you mean 'redis'? or map the name in the front matter (names:)",
        )
    ]


@pytest.mark.parametrize(
    ("command", "severity", "hint"),
    [
        ("kubectl set env deploy/api REDIS_URLL=redis://redis:6379", "error", "REDIS_URL"),
        ("kubectl -n rag set env deployment/worker WORKER_MAX_ATTEMPT=5", "error", "ATTEMPTS"),
        ("export PROVIDER_TIMEOUT=30", "error", "PROVIDER_TIMEOUT_S"),
        ("docker run --rm -e PROVIDER_MODL=x busybox true", "error", "PROVIDER_MODEL"),
        ("docker compose run -e DATABASE_URI=x api true", "error", "DATABASE_URL"),
        ("kubectl set env deploy/api FEATURE_X=1", "warning", "stack definition"),
    ],
)
def test_a_variable_set_that_the_service_lacks(
    spec: StackSpec, command: str, severity: str, hint: str
) -> None:
    found = [f for f in lint(runbook(command), spec) if f.rule == "unknown-env"]
    assert [(f.line, f.severity) for f in found] == [(10, severity)]
    assert hint in found[0].hint and len(found[0].hint) < 80


@pytest.mark.parametrize(
    "command",
    [
        "kubectl set env deploy/api REDIS_URL=redis://redis:6379",
        "export BACKUP_DIR=/backups",  # the runbook's own shell variable
        "kubectl set env deploy/worker WORKER_MAX_ATTEMPTS=5",
    ],
)
def test_variables_the_stack_has_or_the_shell_owns_are_fine(spec: StackSpec, command: str) -> None:
    assert [f for f in lint(runbook(command), spec) if f.rule == "unknown-env"] == []


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("redis-cli -h redis -p 6380 ping", "redis-cli -p 6380: redis listens on 6379"),
        ("docker compose exec redis redis-cli -p 6380 ping", "redis listens on 6379"),
        ("psql -h postgres -p 5433 -U drillbook -c 'select 1'", "postgres listens on 5432"),
    ],
)
def test_a_client_port_the_service_does_not_listen_on(
    spec: StackSpec, command: str, message: str
) -> None:
    found = [f for f in lint(runbook(command), spec) if f.rule == "unknown-port"]
    assert len(found) == 1 and message in found[0].message and found[0].severity == "error"


def test_the_service_port_and_its_proxy_port_are_fine(spec: StackSpec) -> None:
    text = runbook("redis-cli -h redis -p 6379 ping", "redis-cli -h redis -p 16379 ping")
    assert [f for f in lint(text, spec) if f.rule == "unknown-port"] == []


@pytest.mark.parametrize(
    ("command", "near"),
    [
        ("docker compose restrat redis", "docker compose restart"),
        ("docker-compose -f prod.yml restrat redis", "docker-compose restart"),
        ("docker restrat redis", "docker restart"),
        ("kubectl -n rag rollot restart deploy/api", "kubectl rollout"),
    ],
)
def test_a_typod_sub_command_is_an_error_naming_the_real_one(
    spec: StackSpec, command: str, near: str
) -> None:
    found = lint(runbook(command), spec)
    assert at(found, 10) == [("unknown-subcommand", "error", f"did you mean {near}?")]


def test_an_empty_resolution_section_is_an_error(spec: StackSpec) -> None:
    text = "---\nid: x\nalert: X\nseverity: critical\nmttr: 5m\n---\n# X\n## Resolution\n"
    text += "## Verification\n- `docker compose ps`\n"
    assert ("empty-resolution", "error") in [(r, s) for r, s, _ in at(lint(text, spec), 8)]
    prose = text.replace("## Verification", "Restart the cache by hand.\n## Verification")
    assert not [f for f in lint(prose, spec) if f.rule == "empty-resolution"]


def test_variables_assigned_earlier_are_not_unknown(spec: StackSpec) -> None:
    text = runbook(
        "BACKUP_DIR=/backups",
        "export SNAPSHOT=$(date +%F)",
        'docker compose exec postgres pg_dump -f "$BACKUP_DIR/$SNAPSHOT.sql"',
        "echo $NOT_ASSIGNED",
    )
    unknown = [(f.line, f.message) for f in lint(text, spec) if f.rule == "unknown-env"]
    assert unknown == [(13, "$NOT_ASSIGNED is set by no stack service and no earlier line")]


def test_unknown_names_get_the_nearest_match_not_the_whole_list(spec: StackSpec) -> None:
    found = [f for f in lint(runbook("docker compose restart workr"), spec)]
    hints = [f.hint for f in found if f.rule == "unknown-service"]
    assert hints == ["did you mean 'worker'? or map the name in the front matter (names:)"]
    env = [(f.severity, f.hint) for f in lint(runbook("echo $REDIS_URI"), spec)]
    assert ("error", "did you mean $REDIS_URL?") in env  # a typo of a stack variable
    unset = [(f.severity, f.hint) for f in lint(runbook("echo $NAMESPACE"), spec)]
    assert ("warning", "set NAMESPACE=... in a line before") in unset  # a value to supply


def test_mttr_missing_says_it_is_needed_for_a_drill(spec: StackSpec) -> None:
    (missing,) = [
        f for f in lint("# Broken\n## Resolution\n- x\n", spec) if f.rule == "mttr-missing"
    ]
    assert "needed to run this runbook as a drill" in missing.message


def test_lint_honours_the_stack_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stack = str(REPO / "fixtures" / "stack.yaml")
    path = tmp_path / "qdrant.md"
    path.write_text(runbook("kubectl set env deploy/api VECTORDB_KIND=qdrant"))

    def rules(*profile: str) -> list[str]:
        main(["lint", str(path), "--stack", stack, "--format", "json", *profile])
        return [f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]]

    assert rules() == ["unknown-env"]  # api has no VECTORDB_KIND in the plain stack
    assert rules("--profile", "qdrant") == []


def test_prose_links_to_documentation_are_no_finding(spec: StackSpec) -> None:
    prose = "See [the docs](https://github.com/kubernetes/node-problem-detector).\n"
    command = "```bash\ncurl https://api.example.com/v1/health\n```\n"
    found = lint(runbook("docker compose restart redis") + prose + command, spec)
    assert [(f.line, f.rule) for f in found if f.rule == "url-outside-stack"] == [
        (14, "url-outside-stack")
    ]
