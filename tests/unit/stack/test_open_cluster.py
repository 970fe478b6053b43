"""A run on drillbook's cluster takes it down only if it owns it, as decided under its lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from drillbook.cluster import Cluster
from drillbook.stack import open as session


@dataclass
class Recorded:
    """Cluster's own-and-down protocol, recording what the run asked of it."""

    owner: bool
    calls: list[str] = field(default_factory=list)

    def status(self) -> str | None:
        self.calls.append("status")
        return None  # looks down: the old code took that for ownership

    def up(self, progress: object = None, own: bool = False) -> str:
        self.calls.append(f"up own={own}")
        return "info"

    def owned(self) -> bool:
        return self.owner

    def down(self, progress: object = None) -> None:
        self.calls.append("down")

    def import_image(self, ref: str) -> None:
        pass


@contextmanager
def no_stack(*args: object) -> Iterator[str]:
    yield "stack"


@pytest.mark.parametrize(("owner", "downed"), [(True, True), (False, False)])
def test_the_cluster_is_taken_down_by_its_owner_only(
    monkeypatch: pytest.MonkeyPatch, owner: bool, downed: bool
) -> None:
    cluster = Recorded(owner)
    monkeypatch.setattr(Cluster, "default", classmethod(lambda cls: cluster))
    monkeypatch.setattr(session, "kubernetes_stack", no_stack)
    with session._on_cluster(Path("manifests"), print) as stack:
        assert stack == "stack"
    assert cluster.calls[0] == "up own=True"
    assert ("down" in cluster.calls) is downed
    assert "status" not in cluster.calls  # ownership is not guessed outside the lock


def test_the_owner_takes_it_down_after_a_failed_run_too(monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = Recorded(True)
    monkeypatch.setattr(Cluster, "default", classmethod(lambda cls: cluster))
    monkeypatch.setattr(session, "kubernetes_stack", no_stack)
    with pytest.raises(RuntimeError), session._on_cluster(Path("manifests"), print):
        raise RuntimeError("drill failed")
    assert cluster.calls[-1] == "down"
