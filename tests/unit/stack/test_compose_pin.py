"""Runbook Compose lines pinned to the drill's project (pure)."""

from __future__ import annotations

import shlex

import pytest

from drillbook.errors import DrillbookError
from drillbook.stack.compose.pin import compose_words, drill_line, pinned

DRILL = [
    "docker",
    "compose",
    "-f",
    "/s/compose.yml",
    "-f",
    "/t/override.yml",
    "-p",
    "drillbook-x-1",
]


@pytest.mark.parametrize(
    ("line", "rest"),
    [
        ("docker-compose -f docker-compose.production.yml restart api", "restart api"),
        ("docker compose exec redis redis-cli ping", "exec redis redis-cli ping"),
        ("docker-compose up -d --scale worker=3", "up -d --scale worker=3"),
        ("docker compose -p prod --project-directory /srv --env-file .env.prod ps", "ps"),
        ("docker-compose --file=a.yml --project-name=prod logs --tail 5 api", "logs --tail 5 api"),
        ("docker compose --profile debug --ansi never restart api", "--ansi never restart api"),
        # a -f after the subcommand is the subcommand's own (logs --follow), kept as written
        ("docker compose logs -f api", "logs -f api"),
    ],
)
def test_the_line_runs_on_the_drills_project(line: str, rest: str) -> None:
    assert pinned(shlex.split(line), DRILL) == [*DRILL, *shlex.split(rest)]


def test_other_commands_are_not_compose() -> None:
    assert compose_words(["docker", "restart", "api"]) is None
    with pytest.raises(DrillbookError, match="not a Compose command"):
        pinned(["kubectl", "get", "pods"], DRILL)


@pytest.mark.parametrize("line", ["docker-compose -f", "docker compose -p prod"])
def test_a_line_without_subcommand_is_refused(line: str) -> None:
    with pytest.raises(DrillbookError):
        pinned(shlex.split(line), DRILL)


@pytest.mark.parametrize(
    ("line", "rest", "follows"),
    [
        ("docker compose exec redis redis-cli ping", "exec -T redis redis-cli ping", False),
        (
            "docker compose exec -it -u app redis sh -c 'x -t'",
            "exec -T -u app redis sh -c 'x -t'",
            False,
        ),
        (
            "docker-compose exec -T postgres psql -c 'SELECT 1'",
            "exec -T postgres psql -c 'SELECT 1'",
            False,
        ),
        ("docker-compose -f p.yml logs -f api", "logs -f api", True),
        ("docker compose logs --follow", "logs --follow", True),
        ("docker compose --ansi never logs api", "--ansi never logs api", False),
    ],
)
def test_a_drill_runs_the_line_without_a_terminal(line: str, rest: str, follows: bool) -> None:
    drill = drill_line(shlex.split(line), DRILL)
    assert drill.argv == (*DRILL, *shlex.split(rest))
    assert drill.follows is follows
