from __future__ import annotations

import os
from pathlib import Path

import pytest

from drillbook.stack.definition import load_stack_spec
from drillbook.stack.spec import StackSpec

REPO = Path(__file__).resolve().parents[3]
SEEDS = (REPO / ".." / "shared" / "seed-runbooks").resolve()


@pytest.fixture(scope="session")
def spec() -> StackSpec:
    return load_stack_spec(REPO / "fixtures" / "stack.yaml")


@pytest.fixture(scope="session")
def seeds() -> Path:
    if not SEEDS.is_dir():
        message = f"seed runbooks not found at {SEEDS}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must provide ../shared beside the checkout")
        pytest.skip(message)
    return SEEDS
