"""Pure parts of the reference api (fixtures/images/api/app), tested without its container."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from types import ModuleType

APP = Path(__file__).resolve().parents[3] / "fixtures" / "images" / "api" / "app"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"refapi_{name}", APP / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


breaker = load("breaker")
text = load("text")


def test_breaker_opens_after_threshold_and_allows_one_trial_after_reset() -> None:
    b = breaker.CircuitBreaker(threshold=3, reset_s=0.2)
    for _ in range(2):
        b.failure()
    assert b.state == "closed" and b.allow()
    b.failure()
    assert b.state == "open" and not b.allow()
    time.sleep(0.25)
    assert b.state == "half-open"
    assert b.allow() and not b.allow()  # one trial at a time
    b.failure()  # the trial failed: open again at once
    assert b.state == "open"
    time.sleep(0.25)
    assert b.allow()
    b.success()
    assert b.state == "closed" and b.allow()


def test_embedding_is_deterministic_unit_and_topical() -> None:
    a, again = (
        text.embed("restart redis then check ping"),
        text.embed("restart redis then check ping"),
    )
    assert a == again and len(a) == text.DIMENSIONS
    assert abs(sum(v * v for v in a) - 1.0) < 1e-9

    def cosine(x: list[float], y: list[float]) -> float:
        return sum(p * q for p, q in zip(x, y, strict=True))

    near = cosine(a, text.embed("redis restart and ping"))
    far = cosine(a, text.embed("postgres vacuum analyze statistics"))
    assert near > far


def test_chunks_cover_every_word_once() -> None:
    words = [f"w{i}" for i in range(205)]
    chunks = text.chunk(" ".join(words), max_words=80)
    assert [len(c.split()) for c in chunks] == [80, 80, 45]
    assert " ".join(chunks).split() == words
