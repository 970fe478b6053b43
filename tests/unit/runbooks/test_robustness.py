"""Crashes and hangs found on runbooks from the field: each input here broke the reader once."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drillbook.errors import SourceError
from drillbook.runbooks.adapter import RUN, CommandAdapter
from drillbook.runbooks.commands import parse_command
from drillbook.runbooks.executor import Executor
from drillbook.runbooks.lint import lint_documents, lint_paths
from drillbook.runbooks.parser import parse_file, parse_text
from drillbook.runbooks.placeholders import find_placeholders
from drillbook.stack.spec import StackSpec

from .test_executor import FakeStack

ASSIGNING = """---
id: backup
alert: DataLoss
mttr: 5m
---
# Backup
## Resolution
```bash
BACKUP_DIR=/backups
docker compose restart postgres
```
"""


def test_an_assignment_line_is_kept_not_a_crash(spec: StackSpec) -> None:
    adapter = CommandAdapter(spec)
    t = adapter.translate("BACKUP_DIR=/backups")
    assert (t.admission, t.actions) == (RUN, ())
    doc = parse_text(ASSIGNING, "b.md")
    assert not [f for f in lint_documents([doc], spec) if f.severity == "error"]
    execution = Executor(FakeStack(spec)).run(doc.runbooks[0])
    assert [r.status for r in execution.results] == ["ok", "ok"]


def test_a_variable_assigned_before_is_used_by_the_next_command(spec: StackSpec) -> None:
    adapter = CommandAdapter(spec)
    adapter.translate("SERVICE=redis")
    t = adapter.translate("docker compose restart $SERVICE")
    assert t.runnable and t.actions[0].service == "redis"  # type: ignore[union-attr]


def test_command_substitution_stays_one_word() -> None:
    line = parse_command('pg_dump -f "/backups/db-$(date +%F).sql" && echo `hostname -f`', 1)
    assert line.parts[0].argv == ("pg_dump", "-f", "/backups/db-$(date +%F).sql")
    assert line.parts[1].argv == ("echo", "`hostname -f`")
    assert parse_command("kubectl delete pod $(kubectl get pods -o name | head -1)", 1).parts[
        0
    ].argv == ("kubectl", "delete", "pod", "$(kubectl get pods -o name | head -1)")


@pytest.mark.parametrize(
    "text",
    [
        "See [" + "A_" * 40 + "A](x)",  # the placeholder pattern once backtracked 2.2x per _
        "[" + "A_" * 5000 + "a]",
        "<" + "a-" * 5000 + "!",
        "{" + "a_" * 5000,
    ],
)
def test_placeholder_patterns_are_linear(text: str) -> None:
    start = time.process_time()  # CPU time: other processes' load does not count
    find_placeholders(text)
    assert time.process_time() - start < 1.0  # backtracking would never end


@pytest.mark.parametrize(
    "line",
    [
        "# " + "# " * 20000 + "x",  # heading with trailing hashes that are not its end
        "MTTR" + " " * 20000 + ".",
        "Severity:" + " " * 20000 + "*" * 10 + ".",
        "**" + "a" * 20000,
        "| " + "a|" * 20000,
        "Alert:" + " " * 20000,
        "1" * 20000 + " x",
        "wait " + "1 " * 20000,
        "`" * 20000,
    ],
)
def test_long_hostile_lines_parse_in_linear_time(line: str, spec: StackSpec) -> None:
    text = f"# T\n## Resolution\n{line}\n```bash\n{line}\n```\n"
    start = time.process_time()  # CPU time: other processes' load does not count
    doc = parse_text(text, "x.md")
    lint_documents([doc], spec)
    assert time.process_time() - start < 5.0  # backtracking would never end


def test_many_incidents_with_one_title_parse_in_linear_time() -> None:
    block = "## Redis down\n**Symptoms**: x\n**Resolution**:\n- `docker restart redis`\n"
    text = block * 20000
    start = time.process_time()  # CPU time: other processes' load does not count
    doc = parse_text(text, "many.md")
    took = time.process_time() - start
    assert len(doc.runbooks) == 20000
    assert len({r.id for r in doc.runbooks}) == 20000
    assert doc.runbooks[2].id == "redis-down-3"
    assert took < 10.0  # quadratic renaming took minutes


def test_a_byte_order_mark_does_not_hide_the_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + ASSIGNING.encode())
    (runbook,) = parse_file(path).runbooks
    assert runbook.from_front_matter and runbook.alert == "DataLoss"
    (runbook,) = parse_text("\ufeff" + ASSIGNING, "bom.md").runbooks
    assert runbook.from_front_matter


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_files_are_read(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "wide.md"
    path.write_bytes(ASSIGNING.encode(encoding))
    doc = parse_file(path)
    (runbook,) = doc.runbooks
    assert runbook.alert == "DataLoss" and runbook.mttr_s == 300
    assert any("UTF-16" in n.message for n in doc.notes)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_not_read(tmp_path: Path, spec: StackSpec) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    with pytest.raises(SourceError, match="not a regular file"):
        parse_file(fifo)
    good = tmp_path / "good.md"
    good.write_text(ASSIGNING.replace("restart postgres", "restart nosuchservice"))
    findings = lint_paths([fifo, good], spec)
    unreadable = [f for f in findings if f.rule == "unreadable"]
    assert [(Path(f.path).name, f.severity) for f in unreadable] == [("pipe.md", "error")]
    # The other file is still checked.
    assert [(Path(f.path).name, f.line) for f in findings if f.rule == "unknown-service"] == [
        ("good.md", 10)
    ]
    assert "not a regular file" in unreadable[0].message


@contextlib.contextmanager
def cpu_bound(seconds: float) -> Iterator[None]:
    """Fail the block once it has used `seconds` of CPU (a hang would otherwise never end;
    CPU time, so that the machine's other load does not count)."""

    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s of CPU")

    previous = signal.signal(signal.SIGPROF, stop)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def alias_bomb(key: str) -> str:
    """437 bytes of YAML whose last alias stands for 9^9 values."""
    text = "a: &a [" + ",".join(['"lol"'] * 9) + "]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
    return text + f"{key}: *i\n"


def test_an_alias_bomb_in_front_matter_is_refused_at_its_line(spec: StackSpec) -> None:
    text = f"---\n{alias_bomb('alert')}---\n# T\n## Resolution\n1. `redis-cli ping`\n"
    with cpu_bound(10):
        doc = parse_text(text, "bomb.md")
        findings = lint_documents([doc], spec)
    said = [f for f in findings if "aliases (*name) are not accepted" in f.message]
    assert said and said[0].line == 3


def test_an_alias_bomb_in_a_scenario_or_stack_file_is_refused(tmp_path: Path) -> None:
    from drillbook.yamlsource import loads_yaml

    with cpu_bound(10), pytest.raises(SourceError, match="aliases expand to more than"):
        loads_yaml(alias_bomb("description"), "scenario.yaml")
    # The anchors Compose files use every day still read.
    shared = loads_yaml("x-env: &env {A: '1'}\napi: {environment: *env}\nworker: {<<: *env}\n")
    assert shared["api"]["environment"] == {"A": "1"} and shared["worker"] == {"A": "1"}


def test_a_large_document_without_aliases_is_no_bomb(monkeypatch: pytest.MonkeyPatch) -> None:
    from drillbook import yamlsource

    monkeypatch.setattr(yamlsource, "MAX_EXPANDED", 1000)  # the real bound is 1,000,000
    many = yamlsource.loads_yaml("items:\n" + "".join(f"- {{k: {i}}}\n" for i in range(2000)))
    assert len(many["items"]) == 2000
    with pytest.raises(SourceError, match="aliases expand to more than 1,000 values"):
        yamlsource.loads_yaml(
            "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n" + "b: [" + "*a, " * 99 + "*a]\n"
        )


def test_front_matter_nested_too_deep_is_said_not_dropped(tmp_path: Path, spec: StackSpec) -> None:
    path = tmp_path / "nest.md"
    path.write_text("---\ntitle: " + "[" * 300 + "]" * 300 + "\n---\n# T\n## Resolution\n- `x`\n")
    with cpu_bound(10):
        doc = parse_file(path)
        findings = lint_paths([path], spec)
    assert len(doc.runbooks) == 1
    assert any("nested deeper than 64 levels" in f.message for f in findings)
    assert not any(f.rule == "crash" for f in findings)


def test_variables_that_double_do_not_grow_a_line_exponentially(spec: StackSpec) -> None:
    lines = ["V0=aaaaaaaaaa"] + [f"V{i}=${{V{i - 1}}}${{V{i - 1}}}" for i in range(1, 40)]
    text = "# T\n## Resolution\n```bash\n" + "\n".join([*lines, "echo $V39"]) + "\n```\n"
    with cpu_bound(10):
        doc = parse_text(text, "vars.md")
        lint_documents([doc], spec)
        Executor(FakeStack(spec)).run(doc.runbooks[0])
    adapter = CommandAdapter(spec)
    for line in lines:
        adapter.translate(line)
    assert max(len(v) for v in adapter.variables.values()) <= 4096


def test_a_variable_given_a_value_too_long_to_keep_is_unknown_not_its_old_value(
    spec: StackSpec,
) -> None:
    adapter = CommandAdapter(spec)
    adapter.translate("SERVICE=redis")
    adapter.translate("SERVICE=" + "x" * 5000)
    assert "SERVICE" not in adapter.variables
    assert adapter.expand("docker compose restart $SERVICE").endswith("$SERVICE")
