"""`import drillbook` is cheap: no backend, no Docker SDK, no Locust until one is used.

Counted in a fresh interpreter, so what this test session already imported does not hide it.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.processes import SRC

BACKENDS = (
    "docker",
    "testcontainers",
    "locust",
    "drillbook.stack.docker.stack",
    "drillbook.stack.kube.stack",
    "drillbook.cluster",
)


def imported_after(code: str) -> list[str]:
    script = f"import sys\n{code}\nimport json; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
        check=True,
    )
    return list(json.loads(done.stdout))


def test_import_drillbook_loads_only_its_version() -> None:
    ours = [m for m in imported_after("import drillbook") if m.startswith("drillbook")]
    assert ours == ["drillbook", "drillbook._version"]


def test_the_readme_drill_loads_no_backend() -> None:
    modules = imported_after(
        "from drillbook import DrillPlan, Probe, assert_recovered, run_drill, run_drill_async"
    )
    assert [m for m in modules if any(m == b or m.startswith(f"{b}.") for b in BACKENDS)] == []


def test_a_backend_loads_when_it_is_used() -> None:
    modules = imported_after("from drillbook import Stack")
    assert "drillbook.stack.docker.stack" in modules and "docker" in modules
