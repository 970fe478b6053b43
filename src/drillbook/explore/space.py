"""The search space: which faults the search may inject, where, and with which parameters.

Pruned twice, and each pruning says why:
- by kind: the faults a short drill can inject and revert in seconds, and whose effect on the
  api's degraded modes is known (see `POOL` and `LEFT_OUT`);
- by path: only the services on the path of the load's requests: the service the load goes
  to and every service a link from it reaches (the api's dependency map is the stack's
  links). A service no request reaches (the worker, Toxiproxy itself) cannot break a
  request's promise, so faulting it is a drill wasted.

Parameters are drawn within their declared bounds (`faults.base.param`), capped where a
bound is far beyond a drill of seconds (an hour of latency).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from drillbook.faults.base import ParamInfo, fault_type, param_docs
from drillbook.stack.spec import StackSpec

# The kinds the search injects. The others, and why not:
POOL = (
    "kill",
    "stop",
    "pause",
    "latency",
    "reset-peer",
    "link-down",
    "provider-hang",
    "provider-latency",
    "provider-errors",
    "provider-rate-limit",
)
LEFT_OUT = {
    "restart": "ends by itself: kill and its revert cover it",
    "crash-loop": "recreates the service: tens of seconds a drill",
    "disk-fill": "fills and empties a volume: slow, and the api's promises do not cover it",
    "memory-hog": "resource pressure: no promise of the api to judge it by",
    "oom": "recreates the service under a limit: tens of seconds a drill",
    "cpu-stress": "resource pressure: no promise of the api to judge it by",
    "timeout": "latency, reset-peer and link-down already cover a link",
    "bandwidth": "latency, reset-peer and link-down already cover a link",
    "slicer": "latency, reset-peer and link-down already cover a link",
    "limit-data": "latency, reset-peer and link-down already cover a link",
    "partition": "kernel rules: the links carry the same breaks without root",
    "reject": "kernel rules: the links carry the same breaks without root",
    "packet-loss": "kernel rules: the links carry the same breaks without root",
    "cache-flush": "empties a cache the api already serves without",
    "table-drop": "removes the table the acknowledged writes are checked in",
    "connection-exhaustion": "holds connections for a minute: outlasts a drill",
    "traffic-burst": "a second load: the search's own load is the users",
}
# Caps on bounds far beyond a drill of seconds (the declared bound still applies below them).
CAPS = {"latency_ms": 5000, "jitter_ms": 1000, "timeout_ms": 5000, "grace_s": 2}
# Parameters left at their default. kill's signal: a signal the process handles is another
# incident (PostgreSQL's smart shutdown on SIGTERM waits for its clients, for ever: seen by
# this search, the kill fault's revert then waits on a server that never comes back).
DEFAULTS_ONLY = {("kill", "signal")}
_PROVIDER_IMAGE = "provider"  # the provider simulator's build folder: provider faults need it


@dataclass(frozen=True)
class Target:
    """One fault kind aimed at one service or link: `{"service": "redis"}`."""

    kind: str
    fixed: tuple[tuple[str, str], ...]

    @property
    def where(self) -> str:
        return self.fixed[0][1] if self.fixed else ""


@dataclass(frozen=True)
class Space:
    """Every target the search may draw, and what was pruned, with the reason."""

    targets: tuple[Target, ...]
    path: tuple[str, ...]  # services on the path of the load's requests
    pruned: tuple[tuple[str, str], ...]  # (what, why)

    def digest(self) -> bytes:
        """Identifies the space in the example database: another space, other examples."""
        return hashlib.sha256(repr(self.targets).encode()).digest()[:16]

    def summary(self) -> list[str]:
        lines = [
            f"{len(self.targets)} fault targets on the path {', '.join(self.path)}",
        ]
        lines += [f"  skipped {what}: {why}" for what, why in self.pruned]
        return lines


def path_of(spec: StackSpec, load_service: str) -> tuple[str, ...]:
    """The load's service and every service its links reach, transitively, in link order."""
    path, frontier = [load_service], [load_service]
    while frontier:
        source = frontier.pop(0)
        for link in spec.links:
            if link.source == source and link.target not in path:
                path.append(link.target)
                frontier.append(link.target)
    return tuple(path)


def _is_provider(spec: StackSpec, service: str) -> bool:
    build = spec.services[service].build
    return build is not None and build.context.name == _PROVIDER_IMAGE


def build_space(spec: StackSpec, load_service: str = "api") -> Space:
    """The targets of the pool's kinds on the path of the load's requests."""
    path = path_of(spec, load_service)
    pruned = [(kind, why) for kind, why in LEFT_OUT.items()]
    off_path = [s for s in spec.services if s not in path]
    pruned += [(f"service {s}", "no request of the load reaches it") for s in off_path]
    links = [link.name for link in spec.links if link.source in path and link.target in path]
    targets = []
    for kind in POOL:
        refers = {d.name: d.info.refers_to for d in param_docs(fault_type(kind).params_type)}
        if refers.get("link") == "link":
            targets += [Target(kind, (("link", name),)) for name in links]
        elif kind.startswith("provider-"):
            providers = [s for s in path if _is_provider(spec, s)]
            targets += [Target(kind, (("service", s),)) for s in providers]
        else:
            targets += [Target(kind, (("service", s),)) for s in path]
    return Space(tuple(targets), path, tuple(pruned))


def _bounded(name: str, base: str, info: ParamInfo) -> st.SearchStrategy[Any]:
    low = info.minimum if info.minimum is not None else 0
    high = min(x for x in (info.maximum, CAPS.get(name)) if x is not None)
    if base == "integer":
        return st.integers(int(low), int(high))
    # Two decimals: 0.5 and 0.5000001 are the same drill, and shrink to the same.
    return st.floats(float(low), float(high)).map(lambda x: round(x, 2))


def param_strategy(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """The parameters of `kind` beyond its target: required ones drawn within their bounds,
    optional ones left at their default or drawn (shrinking goes back to the default)."""
    drawn: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for doc in param_docs(fault_type(kind).params_type):
        if doc.info.refers_to is not None or (kind, doc.name) in DEFAULTS_ONLY:
            continue  # the target, fixed by the Target; or a default kept
        if doc.info.choices:
            strategy: st.SearchStrategy[Any] = st.sampled_from(doc.info.choices)
        elif doc.type in ("integer", "number") and (
            doc.info.maximum is not None or doc.name in CAPS
        ):
            strategy = _bounded(doc.name, doc.type, doc.info)
        else:
            continue  # no bounds to draw within: the default
        (drawn if doc.required else optional)[doc.name] = strategy
    return st.fixed_dictionaries(drawn, optional={k: v for k, v in optional.items()}).map(dict)


def params_of(target: Target, drawn: Mapping[str, Any]) -> dict[str, Any]:
    return {**dict(target.fixed), **drawn}


def as_fields(params: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    """Parameters as a hashable, ordered tuple."""
    return tuple(sorted(params.items()))
