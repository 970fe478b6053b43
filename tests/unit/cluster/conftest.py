"""What every cluster unit test may need: provisioning that fails instead of touching the host."""

from __future__ import annotations

import pytest

from drillbook.cluster import build, packages


@pytest.fixture
def no_provisioning(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installing packages or building Kubernetes fails the test: a unit test that gets past
    `up`'s checks (on a host where it runs as root) must not run apt or a Go build."""

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("provisioning started")

    monkeypatch.setattr(packages, "ensure_packages", refuse)
    monkeypatch.setattr(build, "ensure_binaries", refuse)
