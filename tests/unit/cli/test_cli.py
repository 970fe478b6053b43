from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.cli import main


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for command in ("setup", "images", "stack"):
        assert command in out


def test_bad_stack_file_is_reported_with_its_line_before_docker(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "stack.yaml"
    bad.write_text("services:\n  api:\n    image: x\n    port: eighty\n    ready: {http: /}\n")
    assert main(["setup", "--no-install", "--stack", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:4: service 'api'.port must be a port number" in err


def test_missing_stack_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["images", "--stack", str(tmp_path / "nope.yaml")]) == 1
    assert "file not found" in capsys.readouterr().err


def test_yes_without_target_is_refused_before_anything_starts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["drill", "redis-down", "--yes"]) == 1
    assert "--yes confirms a --target drill" in capsys.readouterr().err


def test_drill_help_says_how_to_label_a_target(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["drill", "--help"])
    out = capsys.readouterr().out
    assert "--target [RUN_ID]" in out
    assert "io.drillbook.service=NAME" in out


@pytest.mark.parametrize("command", ["run", "drill"])
def test_missing_locustfile_is_reported_before_docker(
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from drillbook.stack import setup

    def no_docker(*args: object, **kwargs: object) -> None:
        raise AssertionError("the stack was prepared")

    monkeypatch.setattr(setup, "prepare", no_docker)
    scenario = str(Path(__file__).resolve().parents[3] / "scenarios" / "redis-down.yaml")
    missing = tmp_path / "nope.py"
    argv = [command, scenario, "--locustfile", str(missing), "--results", str(tmp_path)]
    assert main(argv) == 1
    assert f"locustfile {missing} not found" in capsys.readouterr().err


def test_audit_of_a_missing_runbook_is_refused_before_docker(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["audit", "runbooks/nope.md", "--scenario", "redis-down"]) == 1
    err = capsys.readouterr().err
    assert "runbook runbooks/nope.md not found" in err


def test_audit_of_a_runbook_without_target_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    runbook = tmp_path / "no-target.md"
    runbook.write_text("# Redis down\n\n## Resolution\n```bash\ndocker compose up -d redis\n```\n")
    # redis-down's scenario takes its target from its runbook: this one has none.
    assert main(["audit", str(runbook), "--scenario", "redis-down"]) == 1
    err = capsys.readouterr().err
    assert f"{runbook}:1: runbook" in err and "has no MTTR target" in err
    assert "give the runbook an mttr" in err


def test_audit_refuses_a_cap_of_no_drills(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["audit", "runbooks/redis-down.md", "--scenario", "redis-down", "--max-drills", "0"])
    assert info.value.code == 2
    assert "must be 1 or more, got 0" in capsys.readouterr().err


def test_a_closed_pipe_ends_the_command_quietly() -> None:
    """`drillbook faults list --json | head -c 10`: no BrokenPipeError traceback."""
    import os
    import subprocess
    import sys

    from tests.processes import SRC

    command = [sys.executable, "-m", "drillbook.cli", "faults", "list", "--json"]
    env = {**os.environ, "PYTHONPATH": SRC}
    reader, writer = os.pipe()
    os.close(reader)  # as `head` does once it has read enough: every write now fails
    child = subprocess.Popen(command, stdout=writer, stderr=subprocess.PIPE, env=env, text=True)
    os.close(writer)
    err = child.communicate(timeout=60)[1]
    assert "Traceback" not in err and "BrokenPipeError" not in err, err
    assert child.returncode == 141
