"""Resource faults: a full data volume, memory pressure, an OOM kill, CPU contention.

Each acts from inside the service's own container, so the service's own limits (its tmpfs
size, its cgroup memory limit) are what is exhausted, never the host's. Faults that could
exhaust the host instead (filling an unbounded disk, eating memory without a limit) are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from drillbook.errors import DrillbookError
from drillbook.faults.access import (
    MARKER,
    container_of,
    exec_root,
    kill_marked,
    reachable,
    restore_running,
    start_marked,
    status,
)
from drillbook.faults.base import Fault, FaultParamError, ServiceParams, param, register

if TYPE_CHECKING:
    from docker.models.containers import Container

    from drillbook.stack import StackSpec

_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$", re.IGNORECASE)
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(text: str) -> int:
    """Bytes of a Docker size ("384m", "1g", "65536"); ValueError if it is not one."""
    m = _SIZE.match(text.strip())
    if not m:
        raise ValueError(f"not a size: {text!r}")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def tmpfs_size(options: str) -> int | None:
    """The size limit of a tmpfs given as Docker options ("size=64m,uid=100" or "64m")."""
    for option in options.split(","):
        key, sep, value = option.partition("=")
        if sep and key.strip() == "size":
            return parse_size(value)
        if not sep and _SIZE.match(option.strip()):
            return parse_size(option)
    return None


def fill_file(path: str, fault_id: str) -> str:
    return f"{path.rstrip('/')}/.{MARKER}{fault_id}.fill"


@dataclass(frozen=True, kw_only=True)
class DiskFillParams(ServiceParams):
    path: str | None = param(
        "mount point of a size-limited tmpfs of the service (default: its only one)", default=None
    )


@dataclass(frozen=True, kw_only=True)
class MemoryHogParams(ServiceParams):
    mb: int = param(
        "memory held by the hog, below the service's limit", minimum=1, maximum=1 << 20, unit="MiB"
    )


@dataclass(frozen=True, kw_only=True)
class CpuStressParams(ServiceParams):
    workers: int = param("busy loops, each taking one CPU", default=1, minimum=1, maximum=64)


def _memory_limit(kind: str, spec: StackSpec, service: str) -> int:
    memory = spec.services[service].memory
    if not memory:
        raise FaultParamError(
            kind,
            "service",
            f"service {service!r} has no memory limit in the stack definition",
            "without a limit the memory would be taken from the host; add `memory: 256m`",
        )
    return parse_size(memory)


def _live_memory_limit(container: Container) -> int:
    limit = int(container.attrs["HostConfig"].get("Memory") or 0)
    if limit <= 0:
        raise DrillbookError(f"container {container.name} runs without a memory limit: refusing")
    return limit


@register
class DiskFill(Fault[DiskFillParams]):
    kind = "disk-fill"
    category = "resources"
    summary = (
        "Fill a size-limited data volume (tmpfs) of the service until writes fail with ENOSPC; "
        "revert deletes the filler"
    )
    params_type = DiskFillParams

    def check(self, spec: StackSpec) -> None:
        self.path = self._mount(spec)

    def _mount(self, spec: StackSpec) -> str:
        mounts = {
            path: options
            for path, options in spec.services[self.params.service].tmpfs.items()
            if tmpfs_size(options) is not None
        }
        if self.params.path is None:
            if not mounts:
                raise FaultParamError(
                    self.kind,
                    "path",
                    f"service {self.params.service!r} has no size-limited data volume",
                    "give it one in the stack definition, e.g. tmpfs: {/data: 'size=64m'}",
                )
            if len(mounts) > 1:
                raise FaultParamError(
                    self.kind, "path", f"service {self.params.service!r} has several; name one"
                )
            return next(iter(mounts))
        if self.params.path not in mounts:
            raise FaultParamError(
                self.kind,
                "path",
                f"{self.params.path!r} is not a size-limited tmpfs of {self.params.service!r}",
                "filling any other file system would fill the host's disk",
            )
        return self.params.path

    def _inject(self) -> None:
        container = container_of(self.stack, self.params.service)
        options = (container.attrs["HostConfig"].get("Tmpfs") or {}).get(self.path)
        if options is None or tmpfs_size(options) is None:
            raise DrillbookError(
                f"{self.path} in {container.name} is not a size-limited tmpfs: refusing to fill it"
            )
        # cat stops at ENOSPC (its exit code says so); every byte of the volume is then taken.
        exec_root(container, ["sh", "-c", 'cat /dev/zero > "$1"', "fill", self._file])

    @property
    def _file(self) -> str:
        return fill_file(self.path, self.id)

    def _revert(self) -> None:
        container = reachable(self.stack, self.params.service)
        if container is not None:
            code, out = exec_root(container, ["rm", "-f", self._file])
            if code != 0:
                raise DrillbookError(f"cannot remove {self._file}: {out.strip()}")
        # A service that died of the full disk comes back with an empty tmpfs.
        restore_running(self.stack, self.params.service)

    def describe(self) -> str:
        return f"fill {self.params.service}:{self.path} to ENOSPC"


SP = TypeVar("SP", bound=ServiceParams)


class _ProcessFault(Fault[SP]):
    """A fault that is a marked process group in the service's container."""

    category = "resources"

    def _revert(self) -> None:
        container = reachable(self.stack, self.params.service)
        if container is not None:
            kill_marked(container, self.id)
        restore_running(self.stack, self.params.service)


@register
class MemoryHog(_ProcessFault[MemoryHogParams]):
    kind = "memory-hog"
    summary = "Hold memory inside the service's cgroup, under its limit (memory pressure)"
    params_type = MemoryHogParams

    def check(self, spec: StackSpec) -> None:
        limit = _memory_limit(self.kind, spec, self.params.service)
        if self.params.mb * 1024**2 >= limit:
            raise FaultParamError(
                self.kind,
                "mb",
                f"{self.params.mb} MiB is not below the limit of {self.params.service!r} "
                f"({limit // 1024**2} MiB)",
                "use the `oom` fault to have the service OOM-killed",
            )

    def _inject(self) -> None:
        container = container_of(self.stack, self.params.service)
        _live_memory_limit(container)
        # The shell keeps the whole string in memory; the sleep loop keeps the shell alive.
        size = self.params.mb * 1024**2
        start_marked(
            container,
            self.id,
            f'x=$(head -c {size} /dev/zero | tr "\\000" x); while :; do sleep 1; done',
        )

    def describe(self) -> str:
        return f"hold {self.params.mb} MiB in {self.params.service}"


@register
class Oom(_ProcessFault[ServiceParams]):
    kind = "oom"
    summary = (
        "Exhaust the service's memory limit so that the kernel OOM-kills the service itself; "
        "revert starts it again"
    )
    params_type = ServiceParams

    def check(self, spec: StackSpec) -> None:
        _memory_limit(self.kind, spec, self.params.service)

    def _inject(self) -> None:
        container = container_of(self.stack, self.params.service)
        _live_memory_limit(container)
        # In a cgroup v1 OOM the kernel kills the process with the highest badness, which
        # would be the hog. Lowering the hog's oom_score_adj needs CAP_SYS_RESOURCE, which
        # neither an exec nor (on these hosts) the host's root has; raising the service's
        # own to the maximum is allowed and makes it the kernel's choice, as when a real
        # service leaks. State.OOMKilled then shows the kernel did it.
        code, out = exec_root(container, ["sh", "-c", "echo 1000 > /proc/1/oom_score_adj"])
        if code != 0:
            raise DrillbookError(f"cannot mark {container.name} for the OOM killer: {out}")
        start_marked(container, self.id, "tail /dev/zero")

    def _revert(self) -> None:
        container = reachable(self.stack, self.params.service)
        if container is not None:
            # Not killed yet: stop the hog, and unmark the service (a fresh start resets it).
            try:
                kill_marked(container, self.id)
                exec_root(container, ["sh", "-c", "echo 0 > /proc/1/oom_score_adj"])
            except DrillbookError:
                if status(container) == "running":
                    raise  # else the kill came first: starting it again is all there is to do
        restore_running(self.stack, self.params.service)

    def describe(self) -> str:
        return f"OOM-kill {self.params.service}"


@register
class CpuStress(_ProcessFault[CpuStressParams]):
    kind = "cpu-stress"
    summary = "Busy loops in the service's container, competing with it for CPU"
    params_type = CpuStressParams

    def _inject(self) -> None:
        container = container_of(self.stack, self.params.service)
        start_marked(
            container,
            self.id,
            f"i=0; while [ $i -lt {self.params.workers} ]; do "
            "(while :; do :; done) & i=$((i + 1)); done; wait",
        )

    def describe(self) -> str:
        return f"{self.params.workers} busy loop(s) in {self.params.service}"
