from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.errors import SourceError
from drillbook.scenarios import load_scenario, load_scenarios
from drillbook.stack.definition import load_stack_spec

ROOT = Path(__file__).resolve().parents[3]
SPEC = load_stack_spec(ROOT / "fixtures" / "stack.yaml")
CATALOGUE = {
    "api-down", "redis-down", "database-down", "vectordb-slow", "vectordb-down",
    "provider-timeout", "provider-errors", "high-latency", "disk-full", "memory-oom",
    "rate-limit-storm", "cache-flush", "worker-down", "bad-deploy", "connection-exhaustion",
    "backup-restore",
}  # fmt: skip


def test_the_catalogue_loads_against_the_reference_stack() -> None:
    scenarios = load_scenarios(ROOT / "scenarios", SPEC)
    assert {s.name for s in scenarios} == CATALOGUE
    for s in scenarios:
        assert s.runbook_id == s.name, s.name  # one runbook per incident
    transient = {s.name for s in scenarios if s.transient}
    assert transient == {"vectordb-slow", "high-latency", "cache-flush"}


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "runbooks").mkdir(exist_ok=True)
    (tmp_path / "runbooks" / "r.md").write_text("---\nid: r\nalert: A\nmttr: 2m\n---\n# R\n")
    (tmp_path / "scenarios").mkdir(exist_ok=True)
    path = tmp_path / "scenarios" / "s.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (
            "fault: {type: kill, service: redis}\nrunbook: r\nexpect:\n  detect_within: -1\n",
            4,
            "detect_within must be >= 0.1",
        ),
        ("fault: {type: kill, service: ghost}\nrunbook: r\n", 1, "ghost"),
        (
            "fault:\n  type: latency\n  link: api-redis\n  latency_ms: -5\nrunbook: r\n",
            4,
            "latency_ms",
        ),
        ("fault: {type: kill, service: redis}\nrunbook: nowhere\n", 2, "not found"),
        ("fault: {type: kill, service: redis}\nrunbook: r\ncolour: red\n", 3, "unknown key"),
        ("fault: {type: teleport}\nrunbook: r\n", 1, "unknown fault type"),
        ("runbook: r\n", 1, "needs a 'fault'"),
        (
            "fault: {type: kill, service: redis}\nrunbook: r\nsteady_state:\n  require: maybe\n",
            4,
            "require must be",
        ),
        (
            "fault: {type: kill, service: redis}\nrunbook: r\nexpect:\n"
            "  degraded: {max_p95_ms: 10}\n",
            3,
            "needs a transient fault",
        ),
        ("fault: {type: kill, service: redis}\nrunbook: [\n", 3, "invalid YAML"),
        (
            "fault: {type: kill, service: redis}\nrunbook: r\nexpect:\n  may_absorb: true\n",
            3,
            "may_absorb needs a transient fault",
        ),
        (
            "fault: {type: kill, service: redis}\nduration: 5\nrunbook: r\nexpect:\n"
            "  may_absorb: yes please\n",
            5,
            "may_absorb must be true or false",
        ),
    ],
)
def test_bad_scenarios_are_reported_at_their_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SourceError) as info:
        load_scenario(path, SPEC)
    assert fragment in str(info.value)
    assert info.value.line == line, str(info.value)


SCHEDULED = """\
faults:
  - {at: 3, for: 4, type: provider-errors, rate: 1.0}
  - {at: 0, for: 5, type: kill, service: redis}
seed: 42
runbook: r
expect:
  degraded: {max_error_rate: 0.05, requests: POST /v1/query}
"""


def test_several_faults_on_a_schedule(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, SCHEDULED), SPEC)
    kill, errors = scenario.faults
    assert (kill.kind, kill.params, kill.at_s, kill.for_s) == ("kill", {"service": "redis"}, 0, 5)
    assert (errors.kind, errors.params, errors.at_s) == ("provider-errors", {"rate": 1.0}, 3)
    assert scenario.fault_kind == "kill"  # the first injected stands for the drill
    assert scenario.duration_s == 7.0  # every fault has an end: transient, until the last
    assert scenario.seed == 42
    assert scenario.expect.degraded is not None
    assert scenario.expect.degraded.requests == "POST /v1/query"
    lasting = SCHEDULED.replace("for: 5, ", "").split("expect:")[0]
    assert load_scenario(write(tmp_path, lasting), SPEC).duration_s is None


def test_one_fault_is_a_schedule_of_one(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "fault: {type: kill, service: redis}\nrunbook: r\n"))
    assert [(f.kind, f.at_s, f.for_s) for f in scenario.faults] == [("kill", 0.0, None)]
    assert scenario.schedule == ()


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("faults: []\nrunbook: r\n", 1, "non-empty list"),
        ("faults:\n  - {at: 0, type: kill, service: ghost}\nrunbook: r\n", 2, "ghost"),
        (
            "faults:\n  - {at: 0, type: kill, service: redis}\n"
            "  - at: 2\n    type: provider-errors\n    rate: 7\nrunbook: r\n",
            5,
            "rate",
        ),
        (
            "faults:\n  - {at: 0, type: kill, service: redis}\n"
            "  - at: -1\n    type: provider-errors\n    rate: 1\nrunbook: r\n",
            3,
            "at must be >= 0",
        ),
        ("faults:\n  - {at: 0, for: 0, type: kill, service: redis}\nrunbook: r\n", 2, "for must"),
        ("faults:\n  - {at: 1, type: kill, service: redis}\nrunbook: r\n", 1, "must be at 0"),
        (
            "fault: {type: kill, service: redis}\nfaults:\n  - {type: kill, service: redis}\n"
            "runbook: r\n",
            2,
            "not both",
        ),
        (
            "faults:\n  - {at: 0, for: 2, type: kill, service: redis}\nduration: 5\nrunbook: r\n",
            3,
            "give each its own 'for'",
        ),
        (
            "faults:\n  - {at: 0, for: 2, type: kill, service: redis}\nrunbook: r\nexpect:\n"
            "  degraded: {requests: 5}\n",
            5,
            "request name",
        ),
        ("fault: {type: kill, service: redis}\nrunbook: r\nseed: lucky\n", 3, "seed must be"),
    ],
)
def test_bad_schedules_are_reported_at_their_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    with pytest.raises(SourceError) as info:
        load_scenario(write(tmp_path, text), SPEC)
    assert fragment in str(info.value)
    assert info.value.line == line, str(info.value)


def test_the_recovery_target_defaults_to_the_runbooks_mttr(tmp_path: Path) -> None:
    path = write(tmp_path, "fault: {type: kill, service: redis}\nrunbook: r\n")
    scenario = load_scenario(path, SPEC)
    assert scenario.expect.recover_within_s is None and scenario.runbook_id == "r"
    (tmp_path / "runbooks" / "r.md").write_text("---\nid: r\nalert: A\n---\n# R\n")
    with pytest.raises(SourceError, match="no recovery target"):
        load_scenario(path, SPEC)


FIELD_RUNBOOK = """\
# Operations

## Incidents

### Redis down
**Symptoms**: errors
**Resolution**:
1. Restart it: `docker-compose restart redis`

## Common Fixes

### Restart API Service

```bash
docker-compose restart api
# Wait 30 seconds
curl http://localhost:8000/health
```

### Nothing to run
Call someone.
"""


def project_with_field_runbook(tmp_path: Path, runbook: str) -> Path:
    """A project (pyproject.toml at its root) whose team keeps runbooks beside it."""
    root = tmp_path / "repo"
    (root / "examples" / "shop" / "scenarios").mkdir(parents=True)
    (root / "pyproject.toml").write_text("")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "ops.md").write_text(FIELD_RUNBOOK)
    path = root / "examples" / "shop" / "scenarios" / "s.yaml"
    path.write_text(
        "fault: {type: kill, service: redis}\n"
        f"runbook:\n{runbook}"
        "expect: {recover_within: 60}\n"
    )
    return path


def test_a_runbook_outside_the_project_by_path_from_the_root(tmp_path: Path) -> None:
    path = project_with_field_runbook(
        tmp_path, "  path: ../shared/ops.md\n  incident: redis-down\n"
    )
    scenario = load_scenario(path, SPEC)
    assert scenario.runbook is not None
    assert scenario.runbook.path == (tmp_path / "shared" / "ops.md").resolve()
    assert [s.text for s in scenario.runbook.steps] == ["docker-compose restart redis"]


def test_a_runbook_path_relative_to_the_scenario_that_names_it(tmp_path: Path) -> None:
    # inside a project, a path written from the scenario's folder (as every other path of a
    # scenario is) is found there, not only from the project's root
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "ops.md").write_text(FIELD_RUNBOOK)
    (tmp_path / "drills" / "redis").mkdir(parents=True)
    path = tmp_path / "drills" / "redis" / "s.yaml"
    path.write_text(
        "fault: {type: kill, service: redis}\n"
        "runbook: {path: ../../docs/ops.md, incident: redis-down}\n"
        "expect: {recover_within: 60}\n"
    )
    scenario = load_scenario(path, SPEC)
    assert scenario.runbook is not None
    assert scenario.runbook.path == (tmp_path / "docs" / "ops.md").resolve()


def test_a_missing_runbook_says_every_place_it_looked(tmp_path: Path) -> None:
    path = project_with_field_runbook(tmp_path, "  path: ../gone.md\n  incident: redis-down\n")
    with pytest.raises(SourceError) as info:
        load_scenario(path, SPEC)
    message = str(info.value)
    assert str(path.parent.parent / "gone.md") in message
    assert str(tmp_path / "gone.md") in message


def test_a_headed_procedure_is_a_runbook_with_its_own_lines(tmp_path: Path) -> None:
    path = project_with_field_runbook(
        tmp_path, "  path: ../shared/ops.md\n  incident: restart-api-service\n"
    )
    runbook = load_scenario(path, SPEC).runbook
    assert runbook is not None
    assert (runbook.id, runbook.title, runbook.line) == (
        "restart-api-service",
        "Restart API Service",
        12,
    )
    steps = [(s.line, s.kind.value, s.section.value) for s in runbook.steps]
    assert steps == [(15, "command", "resolution"), (16, "wait", "resolution"),
                     (17, "command", "resolution")]  # fmt: skip
    assert runbook.steps[1].wait_s == 30


@pytest.mark.parametrize(
    ("runbook", "line", "fragment"),
    [
        (
            "  path: ../shared/ops.md\n  incident: nothing-to-run\n",
            2,
            "no runbook 'nothing-to-run'",
        ),
        ("  path: ../shared/ops.md\n  incident: ghost\n", 2, "incidents: redis-down"),
        ("  path: ../shared/nowhere.md\n", 2, "not found"),
        ("  path: ../shared/ops.txt\n", 3, "must name a .md file"),
        ("  file: ../shared/ops.md\n", 3, "unknown key"),
        ("  incident: redis-down\n", 3, "needs 'path'"),
        ("  path: ../shared/ops.md\n  incident: [a]\n", 4, "must be an id"),
    ],
)
def test_a_bad_runbook_reference_is_reported_at_its_line(
    tmp_path: Path, runbook: str, line: int, fragment: str
) -> None:
    path = project_with_field_runbook(tmp_path, runbook)
    with pytest.raises(SourceError) as info:
        load_scenario(path, SPEC)
    assert fragment in str(info.value)
    assert info.value.line == line, str(info.value)


def test_the_load_goes_to_the_stack_s_entry_unless_the_scenario_names_a_service(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        "fault: {type: kill, service: redis}\nrunbook: r\nsteady_state: {service: worker}\n",
    )
    judged_on_worker = load_scenario(path, SPEC)
    # The users still reach the api: the worker serves only its health.
    assert judged_on_worker.load_target(SPEC.entry) == "api" == SPEC.entry
    assert judged_on_worker.load_target(None) == "worker"  # a stack that says nothing
    path.write_text("fault: {type: kill, service: redis}\nrunbook: r\nload: {service: worker}\n")
    assert load_scenario(path, SPEC).load_target(SPEC.entry) == "worker"
    path.write_text("fault: {type: kill, service: redis}\nrunbook: r\nload: {service: wrker}\n")
    with pytest.raises(SourceError, match=r"load\.service: unknown service 'wrker'"):
        load_scenario(path, SPEC)


def test_the_load_can_spread_its_users_over_worker_processes(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "fault: {type: kill, service: redis}\nrunbook: r\nload: {users: 500, workers: 2}\n",
    )
    load = load_scenario(path, SPEC).load
    assert (load.users, load.workers) == (500, 2)
    path.write_text("fault: {type: kill, service: redis}\nrunbook: r\n")
    assert load_scenario(path, SPEC).load.workers == 0  # one Locust process
    path.write_text("fault: {type: kill, service: redis}\nrunbook: r\nload: {workers: 99}\n")
    with pytest.raises(SourceError) as info:
        load_scenario(path, SPEC)
    assert "workers must be >= 0 and <= 16, got 99" in str(info.value)
    assert info.value.line == 3
