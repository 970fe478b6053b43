"""What set-up leaves on the machine: sizes, the Go caches trimmed, and `drillbook clean`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from drillbook.host.footprint import cache_parts, human, remove_tree, trim_build_caches
from tests.processes import SRC


def go_module_cache(root: Path) -> Path:
    """A folder laid out as Go leaves its module cache: read-only files in read-only folders."""
    module = root / "gomod" / "example.com" / "m@v1.0.0"
    module.mkdir(parents=True)
    (module / "go.mod").write_bytes(b"x" * 5000)
    (module / "go.mod").chmod(0o444)
    module.chmod(0o555)
    return module


def test_remove_tree_removes_a_read_only_go_module_cache(tmp_path: Path) -> None:
    go_module_cache(tmp_path)
    remove_tree(tmp_path / "gomod")
    assert not (tmp_path / "gomod").exists()


def test_trimming_keeps_the_binaries_and_frees_the_build_caches(tmp_path: Path) -> None:
    go_module_cache(tmp_path)
    (tmp_path / "gocache").mkdir()
    (tmp_path / "gocache" / "a").write_bytes(b"y" * 8192)
    binary = tmp_path / "kubernetes" / "v1.34.4" / "bin" / "kubelet"
    binary.parent.mkdir(parents=True)
    binary.write_bytes(b"z" * 100)
    freed = trim_build_caches(tmp_path)
    assert freed >= 8192 + 5000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kubernetes"]
    assert binary.read_bytes() == b"z" * 100
    assert trim_build_caches(tmp_path) == 0  # nothing left to free


def test_cache_parts_are_sized_largest_first(tmp_path: Path) -> None:
    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "f").write_bytes(b"a")
    (tmp_path / "large").mkdir()
    (tmp_path / "large" / "f").write_bytes(b"a" * 100_000)
    parts = cache_parts(tmp_path)
    assert [p.path.name for p in parts] == ["large", "small"]
    assert parts[0].size >= 100_000
    assert cache_parts(tmp_path / "absent") == []


def test_sizes_read_as_a_person_reads_them() -> None:
    assert [human(n) for n in (512, 4096, 3_200_000, 4_100_000_000)] == [
        "512 B",
        "4 KB",
        "3.2 MB",
        "4.1 GB",
    ]


@pytest.mark.parametrize("plugin", ["ours", "theirs"])
def test_clean_removes_drillbooks_cache_and_its_own_plugin_only(
    tmp_path: Path, plugin: str
) -> None:
    cache, config = tmp_path / "cache", tmp_path / "docker-config"
    go_module_cache(cache)
    (cache / "compose" / "0123456789abcdef").mkdir(parents=True)
    copy = cache / "compose" / "0123456789abcdef" / "docker-compose"
    copy.write_text("#!/bin/sh\n")
    link = config / "cli-plugins" / "docker-compose"
    link.parent.mkdir(parents=True)
    if plugin == "ours":
        link.symlink_to(copy)
    else:
        link.write_text("the user's own plugin")
    env = {
        **os.environ,
        "PYTHONPATH": SRC,
        "DRILLBOOK_CACHE": str(cache),
        "DOCKER_CONFIG": str(config),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "DRILLBOOK_CLUSTER_STATE": str(tmp_path / "state" / "cluster"),
        # no engine answers here: images and stacks are not checked (and not touched)
        "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock",
    }
    command = [sys.executable, "-m", "drillbook.cli", "clean"]
    listed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert "gomod/" in listed.stdout and "not checked" in listed.stdout
    assert cache.exists()  # listing removes nothing
    done = subprocess.run([*command, "--yes"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert not cache.exists()
    assert (link.is_symlink() or link.exists()) == (plugin == "theirs")
