"""`drillbook runbooks show`: what drillbook understood, per incident, as JSON and as text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drillbook.cli import main

REPO = Path(__file__).resolve().parents[3]
STACK = str(REPO / "fixtures" / "stack.yaml")
CORPUS = REPO / "tests" / "unit" / "runbooks" / "corpus"
SEEDS = (REPO / ".." / "shared" / "seed-runbooks").resolve()


def show(capsys: pytest.CaptureFixture[str], *paths: Path) -> dict[str, Any]:
    assert main(["runbooks", "show", *map(str, paths), "--stack", STACK, "--json"]) == 0
    shown: dict[str, Any] = json.loads(capsys.readouterr().out)
    return shown


def test_targets_say_where_they_came_from(capsys: pytest.CaptureFixture[str]) -> None:
    (file,) = show(capsys, CORPUS / "team-handbook.md")["files"]
    cache, queue = file["incidents"]
    assert (cache["id"], cache["severity"]) == ("cache-unavailable", "p0")
    # "Response Time" is a time to respond, kept apart from the MTTR target.
    assert cache["target"] is None
    assert cache["respond"] == {"seconds": 900.0, "text": "15 min", "from": "severity table line 7"}
    assert queue["respond"]["from"] == f"{CORPUS / 'team-handbook.md'}:33"
    # The guess is said as a note of the incident it was made for.
    assert any("severity table" in n["message"] for n in cache["notes"])
    assert [(s["line"], s["text"], s["runs"]) for s in cache["sections"]["resolution"]] == [
        (24, "BACKUP_DIR=/backups", True),
        (25, "docker compose restart redis", True),
    ]
    assert [s["line"] for s in cache["sections"]["verification"]] == [29]


def test_front_matter_and_steps_that_cannot_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "redis.md"
    path.write_text(
        "---\nid: redis-down\nalert: RedisDown\nseverity: critical\nmttr: 5m\n---\n"
        "# Redis down\n## Resolution\n```bash\ndocker compose restart redis\n"
        "docker exec redis redis-cli FLUSHALL\nkubectl delete pod <pod-name>\n```\n"
        "Wait 30 seconds.\n- Tell the team.\n"
    )
    (incident,) = show(capsys, path)["files"][0]["incidents"]
    assert incident["alert"] == {"name": "RedisDown", "from": f"{path}:3"}
    assert incident["target"] == {"seconds": 300.0, "text": "5 min", "from": "front matter"}
    steps = [
        (s["line"], s["kind"], s["runs"], s["decision"]) for s in incident["sections"]["resolution"]
    ]
    assert steps == [
        (10, "command", True, "run"),
        (11, "command", True, "run"),  # destructive, but only to the drill's own Redis
        (12, "command", False, "not executable"),
        (14, "wait", True, "wait"),
        (15, "manual", False, "manual"),
    ]
    destructive = incident["sections"]["resolution"][1]["why"]
    assert "flushall" in destructive.lower() and "damage measured" in destructive


def test_text_output_reads_per_incident(capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / "troubleshooting-guide.md"
    assert main(["runbooks", "show", str(path), "--stack", STACK]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"{path}: 6 incident(s)\n")
    assert "  [high-latency] High Latency (line 19)\n" in text
    assert "      ok   22  docker compose restart api\n" in text
    assert "steps are taken as resolution" in text  # the guess, said


def test_seed_runbooks_are_shown_whole(capsys: pytest.CaptureFixture[str]) -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"seed runbooks not found at {SEEDS}")
    files = show(capsys, SEEDS)["files"]
    assert len(files) == 3
    incidents = [i for f in files for i in f["incidents"]]
    assert len(incidents) == 18  # 8 + 9 + 1
    steps = [s for i in incidents for section in i["sections"].values() for s in section]
    assert steps and all(
        s["decision"] in {"run", "refused", "not executable", "wait", "manual"} for s in steps
    )
    assert all(s["why"] for s in steps if not s["runs"])  # every refusal says why
    assert {"HighErrorRate", "HighLatency"} <= {i["alert"]["name"] for i in incidents if i["alert"]}


def test_bad_paths_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["runbooks", "show", "nowhere.md", "--stack", STACK]) == 2
    assert "no such file" in capsys.readouterr().err
