"""What in a Compose service would reach the host: refused at its file:line.

A drill runs a runbook's lines inside the stack's containers, destructive ones included, and
measures what they destroyed. That is only harmless while the containers hold nothing of the
host: a privileged container, the host's network, process or IPC namespace, a device, the
engine's socket, or the host's system folders mounted in make a line run "in the container"
act on the machine itself. Read-write bind mounts of the project's folders are not refused:
the override turns them into volumes of the run (`override._bind_volumes`).

What is checked is what the mount *is* on this machine (a socket, a device, the host's `/`,
`/proc`, `/sys` or `/dev`), not its name, so `/var/run/docker.sock` under any other name is
refused too.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from drillbook.errors import SourceError
from drillbook.yamlsource import Mapping, load_yaml

_FIX = (
    "a drill's containers hold nothing of the host: take it out of the drill's stack (a Compose "
    "file given after yours can `!reset` it, see docs/compose.md)"
)
_HOST_MODES = ("network_mode", "pid", "ipc", "userns_mode", "uts", "cgroup")
# Capabilities that act only inside the container's own namespaces; any other one added is
# the host's (SYS_ADMIN mounts, SYS_MODULE loads kernel modules, ALL is all of them).
_OWN_NAMESPACE_CAPS = {"NET_ADMIN", "NET_RAW", "NET_BIND_SERVICE", "IPC_LOCK", "SYS_NICE"}
_SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))


def refuse_host_access(
    services: dict[str, Any],
    lines: dict[str, tuple[Path, int]],
    files: tuple[Path, ...],
    volumes: dict[str, Any] | None = None,
) -> None:
    """SourceError at the first setting of any service (Compose's normalised configuration)
    that reaches the host."""
    for name, cfg in services.items():
        for key, why in _reaches_host(cfg):
            path, line = _where(files, lines, name, key)
            raise SourceError(str(path), line, f"service {name!r}: {why}", _FIX)
    for name, why in bound_volumes(volumes or {}):
        raise SourceError(str(files[0]), _volume_line(files, name), why, _FIX)


def _reaches_host(cfg: dict[str, Any]) -> Iterator[tuple[str, str]]:
    if cfg.get("privileged") is True:
        yield "privileged", "a privileged container is root on the host"
    for key in _HOST_MODES:
        if cfg.get(key) == "host":
            yield key, f"`{key}: host` shares the host's"
        elif str(cfg.get(key) or "").startswith("container:"):
            yield key, f"`{key}: {cfg[key]}` shares a container that is not the drill's"
    for source in cfg.get("volumes_from") or []:
        if str(source).startswith("container:"):
            yield "volumes_from", f"volumes_from {source}: a container that is not the drill's"
    for cap in cfg.get("cap_add") or []:
        if str(cap).upper().removeprefix("CAP_") not in _OWN_NAMESPACE_CAPS:
            yield "cap_add", f"cap_add {cap} acts on the host, not only in the container"
    if cfg.get("devices"):
        yield "devices", "a device of the host is given to the container"
    for option in cfg.get("security_opt") or []:
        if "unconfined" in str(option) or str(option) in ("label:disable", "label=disable"):
            yield "security_opt", f"security_opt {option} lifts the container's confinement"
    for volume in cfg.get("volumes") or []:
        if isinstance(volume, dict) and volume.get("type") == "bind":
            why = host_mount(str(volume.get("source", "")))
            if why:
                yield "volumes", f"mounts {volume.get('source')}: {why}"


def bound_volumes(volumes: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(volume, why) for each top-level volume that is a host folder under another name
    (`driver_opts: {type: none, o: bind, device: /srv}`)."""
    for name, cfg in volumes.items():
        opts = (cfg or {}).get("driver_opts") or {}
        if "bind" in str(opts.get("o", "")).split(",") and opts.get("device"):
            yield name, f"volume {name!r} is the host's folder {opts['device']}"


def host_mount(source: str) -> str | None:
    """Why a bind mount of `source` hands the host itself to the container, or None. The
    path is followed through links; a folder is searched two levels deep for a socket (the
    engine's is in /var/run, /run)."""
    path = Path(os.path.realpath(source))
    if path == Path("/"):
        return "the host's whole file system"
    if any(path == f or f in path.parents for f in _SYSTEM_FOLDERS):
        return "the host's system folders"
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None  # Compose creates a missing folder: an empty one of the project's
    if stat.S_ISSOCK(mode):
        return "a socket of the host (an engine's socket is the host's root)"
    if stat.S_ISBLK(mode) or stat.S_ISCHR(mode):
        return "a device of the host"
    if stat.S_ISDIR(mode) and _holds_socket(path, depth=2):
        return "a folder holding a socket of the host (an engine's socket is the host's root)"
    return None


def _holds_socket(folder: Path, depth: int, budget: list[int] | None = None) -> bool:
    budget = budget if budget is not None else [2000]  # entries looked at, at most
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return False
    for entry in entries:
        budget[0] -= 1
        if budget[0] < 0:
            return False
        try:
            if stat.S_ISSOCK(entry.stat(follow_symlinks=False).st_mode):
                return True
            inner = depth > 1 and entry.is_dir(follow_symlinks=False)
            if inner and _holds_socket(Path(entry.path), depth - 1, budget):
                return True
        except OSError:
            continue
    return False


def _where(
    files: tuple[Path, ...], lines: dict[str, tuple[Path, int]], name: str, key: str
) -> tuple[Path, int]:
    """The file and line where `key` of service `name` is written; else where it is defined."""
    for path in reversed(files):  # a later file's setting is the one Compose keeps
        root = load_yaml(path)
        services = root.get("services") if isinstance(root, Mapping) else None
        service = services.get(name) if isinstance(services, Mapping) else None
        if isinstance(service, Mapping) and key in service:
            return path, service.line_of(key)
    return lines.get(name, (files[0], 0))


def _volume_line(files: tuple[Path, ...], name: str) -> int:
    root = load_yaml(files[0])
    volumes = root.get("volumes") if isinstance(root, Mapping) else None
    return volumes.line_of(name) if isinstance(volumes, Mapping) else 0
