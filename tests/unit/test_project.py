"""The project layout: found from any sub-folder, defaults in one place (no Docker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.cli import main
from drillbook.errors import DrillbookError
from drillbook.project import Project, find_root, is_scenario_file

REPO = Path(__file__).resolve().parents[2]


def test_the_root_is_found_from_a_sub_folder(tmp_path: Path) -> None:
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "stack.yaml").write_text("name: x\n")
    deep = tmp_path / "runbooks" / "team-a"
    deep.mkdir(parents=True)
    assert find_root(deep) == tmp_path
    project = Project.at(find_root(deep))
    assert project.stack == tmp_path / "fixtures" / "stack.yaml"
    assert project.scenarios == tmp_path / "scenarios"
    assert project.history == project.results / "history.jsonl"


def test_a_bare_folder_is_its_own_project(tmp_path: Path) -> None:
    assert find_root(tmp_path) == tmp_path.resolve()


def test_an_unknown_scenario_lists_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "redis-down.yaml").write_text("")
    with pytest.raises(DrillbookError, match="one of: redis-down"):
        Project.at(tmp_path).scenario_file("redis-dwon")


def test_scenario_files_are_yaml_in_a_scenarios_folder() -> None:
    assert is_scenario_file(Path("x/scenarios/a.yaml"))
    assert not is_scenario_file(Path("x/fixtures/stack.yaml"))


def test_lint_runs_from_a_sub_folder(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before the project layout was found by walking up, this failed with
    # "fixtures/stack.yaml: file not found".
    monkeypatch.delenv("DRILLBOOK_STACK", raising=False)
    monkeypatch.chdir(REPO / "runbooks")
    assert main(["lint", "redis-down.md"]) == 0, capsys.readouterr()
