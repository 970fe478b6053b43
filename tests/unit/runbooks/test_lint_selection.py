"""`drillbook lint` on a repository: a crash in one file is its own finding and exit code,
and a person chooses what to see (--min-severity, --rule, --ignore, .drillbook-lint.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drillbook.cli import main
from drillbook.runbooks import lint as lint_module
from drillbook.runbooks.model import Runbook

from .conftest import REPO

STACK = str(REPO / "fixtures" / "stack.yaml")
# One error (unknown-service, line 10), one warning (not-executable, line 11) and one note
# (inferred-name, line 12).
RUNBOOK = (
    "---\nid: x\nalert: RedisDown\nseverity: critical\nmttr: 5m\n---\n# X\n## Resolution\n```bash\n"
    "docker compose restart data-pipeline\nnano .env\ndocker compose restart langgraph-api\n```\n"
)


def lint_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    code = main(["lint", *args, "--stack", STACK, "--format", "json"])
    out = capsys.readouterr().out
    return code, [f["rule"] for f in json.loads(out)["findings"]] if out else []


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "runbooks").mkdir()
    (tmp_path / "runbooks" / "a.md").write_text(RUNBOOK)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "runbooks"


def test_a_crash_in_one_file_is_a_finding_and_exit_3_and_the_others_are_checked(
    repo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "b.md").write_text(RUNBOOK.replace("id: x", "id: boom"))
    real = lint_module._Linter.runbook

    def crashing(self: lint_module._Linter, runbook: Runbook) -> None:
        if runbook.id == "boom":
            raise KeyError("a bug")
        real(self, runbook)

    monkeypatch.setattr(lint_module._Linter, "runbook", crashing)
    code = main(["lint", str(repo), "--stack", STACK, "--format", "json"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    crashes = [f for f in findings if f["rule"] == "crash"]
    assert code == 3
    assert [Path(f["path"]).name for f in crashes] == ["b.md"]
    assert "KeyError" in crashes[0]["message"]
    assert {"unknown-service", "not-executable"} <= {
        f["rule"] for f in findings if f["path"].endswith("a.md")
    }
    # A crash cannot be switched off: it is drillbook's failure, not the runbook's.
    assert main(["lint", str(repo), "--stack", STACK, "--ignore", "crash"]) == 3


def test_min_severity_rule_and_ignore(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert lint_json(capsys, str(repo)) == (
        1,
        ["unknown-service", "not-executable", "inferred-name"],
    )
    assert lint_json(capsys, str(repo), "--min-severity", "warning")[1] == [
        "unknown-service",
        "not-executable",
    ]
    assert lint_json(capsys, str(repo), "--min-severity", "error")[1] == ["unknown-service"]
    assert lint_json(capsys, str(repo), "--rule", "inferred-name") == (0, ["inferred-name"])
    assert lint_json(capsys, str(repo), "--ignore", "unknown-service", "--ignore", "parse") == (
        0,
        ["not-executable", "inferred-name"],
    )


def test_a_note_is_called_a_note_in_text_and_info_is_its_other_name(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", str(repo), "--stack", STACK]) == 1
    out = capsys.readouterr().out
    assert ": note inferred-name:" in out and ", 1 notes" in out and " info " not in out
    # JSON keeps "info", as it always wrote; the option takes both names
    assert (
        lint_json(capsys, str(repo), "--min-severity", "info")[1]
        == lint_json(capsys, str(repo), "--min-severity", "note")[1]
    )


def test_the_config_file_switches_rules_off(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.parent / ".drillbook-lint.yaml").write_text(
        "ignore: [unknown-service]\nmin-severity: warning\n"
    )
    assert lint_json(capsys, str(repo)) == (0, ["not-executable"])
    # The command line adds to the file's ignore list and replaces its severity.
    assert lint_json(capsys, str(repo), "--min-severity", "note")[1] == [
        "not-executable",
        "inferred-name",
    ]
    assert lint_json(capsys, str(repo), "--ignore", "not-executable") == (0, [])


def test_an_unknown_rule_or_config_key_is_a_usage_error_with_the_nearest(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", str(repo), "--stack", STACK, "--ignore", "unknown-servise"]) == 2
    assert "did you mean 'unknown-service'?" in capsys.readouterr().err
    (repo.parent / ".drillbook-lint.yaml").write_text("ignore: [parse]\nignored: [x]\n")
    assert main(["lint", str(repo), "--stack", STACK]) == 2
    assert ".drillbook-lint.yaml:2: unknown key 'ignored'" in capsys.readouterr().err
    assert main(["lint", str(repo), "--stack", STACK, "--config", "nowhere.yaml"]) == 2


def test_lint_help_documents_the_options_and_the_config_file(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit):
        main(["lint", "--help"])
    text = capsys.readouterr().out
    for word in ("--min-severity", "--rule", "--ignore", ".drillbook-lint.yaml", "3 drillbook"):
        assert word in text
