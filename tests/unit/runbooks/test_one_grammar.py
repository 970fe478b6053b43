"""The line that is judged is the line that runs: the safety check, the translator, the
linter and the Compose pinning read docker and Compose lines with one grammar per family
(`drillbook.stack.grammar`). Each line below was judged as one program and run as another
(or not run) while each of them kept its own table of options."""

from __future__ import annotations

import pytest

from drillbook.runbooks.actions import Exec
from drillbook.runbooks.adapter import CommandAdapter
from drillbook.runbooks.status import Admission
from drillbook.stack.compose.pin import pinned
from drillbook.stack.spec import StackSpec

# Options that take a value, read by the check as flags (or as unknown): it then saw another
# program than the one the translator ran.
DESTRUCTIVE = [
    "docker compose exec --index 1 redis redis-cli FLUSHALL",
    "docker compose --project-directory . exec redis redis-cli FLUSHALL",
    "docker-compose --progress plain exec redis redis-cli FLUSHALL",
    "docker --log-level debug exec redis redis-cli FLUSHALL",
    "docker --config /tmp/cfg exec redis redis-cli FLUSHALL",
    "docker exec --env-file .env redis redis-cli FLUSHALL",
    "docker exec --detach-keys ctrl-x redis redis-cli FLUSHALL",
]

# The same lines made harmless: they run, in the service and with the program written.
HARMLESS = {
    "docker compose exec --index 1 redis redis-cli ping": ("redis", ("redis-cli", "ping")),
    "docker compose --project-directory . exec redis redis-cli ping": (
        "redis",
        ("redis-cli", "ping"),
    ),
    "docker --log-level debug exec redis redis-cli ping": ("redis", ("redis-cli", "ping")),
}


@pytest.mark.parametrize("line", DESTRUCTIVE)
def test_what_the_translator_would_run_is_what_the_check_judges(spec: StackSpec, line: str) -> None:
    t = CommandAdapter(spec, refuse_destructive=True).translate(line, 1)
    assert t.admission is not Admission.RUN, (line, t.actions)
    assert t.problem == "destructive", (line, t.reason)
    contained = CommandAdapter(spec).translate(line, 1)
    assert contained.destructive or not contained.runnable, line


@pytest.mark.parametrize(("line", "expected"), HARMLESS.items())
def test_a_harmless_line_runs_the_program_it_names(
    spec: StackSpec, line: str, expected: tuple[str, tuple[str, ...]]
) -> None:
    t = CommandAdapter(spec).translate(line, 1)
    assert t.admission is Admission.RUN, t.reason
    (action,) = t.actions
    assert isinstance(action, Exec) and (action.service, action.argv) == expected


def test_pinning_keeps_the_subcommand_the_check_saw() -> None:
    prefix = ["docker", "compose", "-f", "drill.yml", "-p", "drill-1"]
    line = "docker compose --project-directory /srv --progress plain exec --index 1 redis ls"
    assert pinned(line.split(), prefix) == [*prefix, "--progress", "plain", *line.split()[6:]]


def test_an_env_file_of_the_host_is_not_mapped_nor_taken_for_the_container(
    spec: StackSpec,
) -> None:
    t = CommandAdapter(spec).translate("docker exec --env-file .env redis redis-cli ping", 1)
    assert not t.runnable and "env file" in t.reason


@pytest.mark.parametrize(
    ("line", "argv"),
    [
        (
            "docker exec -w /tmp/scratch redis find . -mindepth 1 -delete",
            ("sh", "-c", 'cd "$0" && exec "$@"', "/tmp/scratch", "find", ".", "-mindepth", "1"),
        ),
        ("docker compose exec -e MODE=ro redis ls", ("env", "MODE=ro", "ls")),
    ],
)
def test_the_working_folder_and_settings_of_an_exec_go_with_the_command(
    spec: StackSpec, line: str, argv: tuple[str, ...]
) -> None:
    (action,) = CommandAdapter(spec).translate(line, 1).actions
    assert isinstance(action, Exec) and action.argv[: len(argv)] == argv
