"""What set-up leaves on this machine, with sizes, and how each part is removed.

drillbook keeps everything it builds or downloads under one cache folder
(`~/.cache/drillbook`, `$DRILLBOOK_CACHE`), so that one folder is what disk space is spent on:

    wheels/          the images' Python wheels, built on the host, one folder per requirements file
    go/              static Go binaries for images (Toxiproxy), one folder per module@version
    gocache/ gomod/ gopath/   Go's build and module caches of those builds
    kubernetes/      the single-node cluster's binaries, one folder per Kubernetes version
    compose/         the Docker Compose binary the `docker compose` plugin links to

Go's caches are only needed while something is being built: once every Kubernetes binary is
there, `trim_build_caches` frees them (about 4 GB after a cluster build).
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from drillbook.project import CACHE

# Needed only to build: what `trim_build_caches` removes.
BUILD_CACHES = ("gocache", "gomod", "gopath")


@dataclass(frozen=True)
class Part:
    """One folder of the cache: what it holds and its size on disk in bytes."""

    path: Path
    size: int


def tree_size(path: Path) -> int:
    """Bytes on disk of everything under `path` (links not followed), 0 if it does not exist."""
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    total = 0
    for folder, dirs, files in os.walk(path):
        for name in files + dirs:
            try:
                total += os.lstat(os.path.join(folder, name)).st_blocks * 512
            except FileNotFoundError:
                continue
    return total


def remove_tree(path: Path) -> None:
    """Remove `path` and all it holds, also Go's module cache, whose folders are read-only."""
    if path.is_symlink() or path.is_file():
        path.unlink()
        return
    if not path.exists():
        return

    def writable_and_retry(func: Callable[..., object], failed: str, _exc: object) -> None:
        parent = os.path.dirname(failed)
        os.chmod(parent, os.stat(parent).st_mode | stat.S_IWUSR | stat.S_IXUSR)
        if os.path.isdir(failed) and not os.path.islink(failed):
            os.chmod(failed, os.stat(failed).st_mode | stat.S_IWUSR | stat.S_IXUSR)
        func(failed)

    shutil.rmtree(path, onerror=writable_and_retry)  # onexc= is Python >= 3.12


def cache_parts(cache: Path = CACHE) -> list[Part]:
    """Each top-level folder of drillbook's cache with its size, largest first."""
    if not cache.is_dir():
        return []
    parts = [Part(p, tree_size(p)) for p in sorted(cache.iterdir())]
    return sorted(parts, key=lambda part: -part.size)


def trim_build_caches(cache: Path = CACHE) -> int:
    """Remove Go's build and module caches (kept binaries never need them); bytes freed."""
    freed = 0
    for name in BUILD_CACHES:
        folder = cache / name
        if folder.exists():
            freed += tree_size(folder)
            remove_tree(folder)
    return freed


def human(size: int) -> str:
    """`size` bytes as a person reads it: 3.2 GB, 512 MB, 4 KB."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit in ("B", "KB") else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable")
