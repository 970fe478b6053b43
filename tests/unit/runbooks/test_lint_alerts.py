"""Runbooks against the stack's alert rules: unknown alerts, and alerts nobody answers."""

from __future__ import annotations

from pathlib import Path

from drillbook.runbooks.lint import lint_paths
from drillbook.stack import load_stack_spec

REPO = Path(__file__).resolve().parents[3]
SPEC = load_stack_spec(REPO / "fixtures" / "stack.yaml")
RUNBOOK = "---\nid: x\nalert: {alert}\nmttr: 5m\n---\n# X\n## Resolution\nWait 10 seconds.\n"


def found(paths: list[Path]) -> list[tuple[str, int, str, str]]:
    return [(Path(f.path).name, f.line, f.rule, f.message) for f in lint_paths(paths, SPEC)]


def test_an_alert_no_rule_raises_is_an_error_with_the_near_name(tmp_path: Path) -> None:
    path = tmp_path / "api.md"
    path.write_text(RUNBOOK.format(alert="ApiDown"))
    findings = lint_paths([path], SPEC)
    (f,) = [f for f in findings if f.rule == "unknown-alert"]
    assert (f.line, f.severity, f.hint) == (3, "error", "did you mean APIDown?")
    assert f.message == "alert ApiDown is raised by no rule in alerts.yml"


def test_a_known_alert_is_clean_and_one_file_is_not_asked_for_every_alert(
    tmp_path: Path,
) -> None:
    path = tmp_path / "redis.md"
    path.write_text(RUNBOOK.format(alert="RedisDown"))
    assert not [f for f in found([path]) if "alert" in f[2]]


def test_in_a_folder_every_rule_needs_a_runbook(tmp_path: Path) -> None:
    (tmp_path / "redis.md").write_text(RUNBOOK.format(alert="RedisDown"))
    unanswered = {f[3].split()[1] for f in found([tmp_path]) if f[2] == "unanswered-alert"}
    assert "RedisDown" not in unanswered and {"APIDown", "DiskFull"} <= unanswered
    rules = REPO / "fixtures" / "images" / "prometheus" / "rules" / "alerts.yml"
    line = next(f[1] for f in found([tmp_path]) if "APIDown" in f[3])
    assert rules.read_text().splitlines()[line - 1].strip() == "- alert: APIDown"


def test_our_runbooks_answer_every_alert_but_the_two_shared_ones() -> None:
    findings = [f for f in found([REPO / "runbooks"]) if "alert" in f[2]]
    assert all(f[2] == "unanswered-alert" for f in findings), findings
    assert {f[3].split()[1] for f in findings} == {"HighErrorRate", "HighAuthFailures"}
