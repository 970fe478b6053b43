"""The examples: Compose models of the seed systems, drilled with the seed runbooks themselves.

One incident per example, its verdict checked (the full tables are in examples/*/README.md),
and the red proof on a Compose stack: the same drill without the runbook is not recovered.
Targets are shortened where the verdict does not depend on them, so CI stays cheap.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from drillbook import Result, Verdict, load_scenario
from drillbook.drills.scenario import run_scenario
from drillbook.scenarios.model import Scenario
from drillbook.stack import Stack
from drillbook.stack.setup import prepare

pytestmark = pytest.mark.selfcheck

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SEEDS = (ROOT / ".." / "shared" / "seed-runbooks").resolve()


@pytest.fixture(scope="module", autouse=True)
def seeds() -> None:
    if not SEEDS.is_dir():
        message = f"seed runbooks not found at {SEEDS}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must provide ../shared beside the checkout")
        pytest.skip(message)


def example_stack(system: str) -> Iterator[Stack]:
    spec, client = prepare(EXAMPLES / system / "compose.yml", None, lambda _: None)
    with Stack(spec, client=client) as stack:
        yield stack


def scenario(system: str, name: str, **expect: float) -> Scenario:
    loaded = load_scenario(EXAMPLES / system / "scenarios" / f"{name}.yaml")
    changed = dataclasses.replace(loaded.expect, **expect)
    return dataclasses.replace(loaded, expect=changed)


def drill(stack: Stack, s: Scenario, tmp_path: Path, *, remediate: bool = True) -> Result:
    return run_scenario(
        s,
        stack,
        locustfile=ROOT / "load_tests" / "locustfile.py",
        out_dir=tmp_path,
        remediate=remediate,
    )


@pytest.fixture(scope="module")
def structured_prompt() -> Iterator[Stack]:
    yield from example_stack("structured-prompt-service")


def test_structured_prompt_api_down_is_recovered_by_the_seed_runbooks_restart(
    structured_prompt: Stack, tmp_path: Path
) -> None:
    # The Common Fixes' "Restart API Service": `docker-compose restart api`, run through the
    # real Compose on the drill's project, within the alert table's 5 minutes.
    result = drill(structured_prompt, scenario("structured-prompt-service", "api-down"), tmp_path)
    assert result.verdict is Verdict.PASSED, result.reason
    assert result.ttr_s is not None and result.ttr_s < 300
    assert result.runbook is not None
    assert result.runbook.path.endswith("seed-runbooks/structured-prompt-service.md")


def test_red_proof_on_a_compose_stack_without_the_runbook_not_recovered(
    structured_prompt: Stack, tmp_path: Path
) -> None:
    s = scenario("structured-prompt-service", "api-down", recover_within_s=8.0)
    result = drill(structured_prompt, dataclasses.replace(s, name="api-down-red"), tmp_path,
                   remediate=False)  # fmt: skip
    assert result.verdict is Verdict.NOT_RECOVERED, result.reason
    assert result.ttd_s is not None and result.ttr_s is None


def test_obsidian_high_error_rate_recovers_but_a_step_cannot_run(tmp_path: Path) -> None:
    # Its resolution restarts chroma and the pipeline recovers; its first step pipes into
    # PowerShell's Select-String, which no drill (and no Linux on-call) can run.
    for stack in example_stack("obsidian-data-pipeline"):
        result = drill(stack, scenario("obsidian-data-pipeline", "high-error-rate"), tmp_path)
    assert result.verdict is Verdict.STEP_NOT_EXECUTABLE, result.reason
    assert "Select-String" in result.reason
    assert result.ttr_s is not None


def test_rag7_api_down_is_not_recovered_its_resolution_is_prose(tmp_path: Path) -> None:
    # "Procedure 1: API is Down" says "Restart service" in prose: nothing restarts it. The
    # verdict does not depend on the target, so it is shortened.
    s = scenario("rag7-langgraph-api", "api-down", recover_within_s=10.0)
    for stack in example_stack("rag7-langgraph-api"):
        result = drill(stack, s, tmp_path)
    assert result.verdict is Verdict.NOT_RECOVERED, result.reason
