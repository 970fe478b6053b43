"""The search space: which faults the search may inject, where, and with which parameters.

Pruned twice, and each pruning says why:
- by kind: the faults a short drill can inject and revert in seconds, and whose effect on the
  api's degraded modes is known; of kinds that break a dependency the same way for the
  degraded-mode judge (a failing link, an answer that does not come), one is kept (see `POOL`
  and `LEFT_OUT`);
- by path: only the services on the path of the load's requests: the service the load goes
  to and every service a link from it reaches (the api's dependency map is the stack's
  links). A service no request reaches (the worker, Toxiproxy itself) cannot break a
  request's promise, so faulting it is a drill wasted.

Ordered so that Hypothesis tries the likeliest first (it completes its early examples with
the simplest choices, the first of a `sampled_from`, and shrinks towards them): first the
targets on the services the degraded modes cover (`covered`: the cache and the providers,
where a broken promise of answers to queries can show), in the order of the stack's links;
within them the cheapest kinds first (a proxy switch, a provider's own fault, before a
container to restart); then every other target on the path.

Parameters are drawn within their declared bounds (`faults.base.param`), capped where a
bound is far beyond a drill of seconds (an hour of latency).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from drillbook.faults.base import ParamInfo, fault_type, param_docs
from drillbook.stack.spec import StackSpec

# The kinds the search injects, cheapest first. The others, and why not:
POOL = (
    "link-down",
    "provider-hang",
    "provider-errors",
    "kill",
    "pause",
)
_SAME_LINK = "for the degraded-mode judge a link either fails or does not: link-down covers it"
LEFT_OUT = {
    "stop": "kill covers it (its signals include SIGTERM): the process is gone until the revert",
    "restart": "ends by itself: kill and its revert cover it",
    "crash-loop": "recreates the service: tens of seconds a drill",
    "disk-fill": "fills and empties a volume: slow, and the api's promises do not cover it",
    "memory-hog": "resource pressure: no promise of the api to judge it by",
    "oom": "recreates the service under a limit: tens of seconds a drill",
    "cpu-stress": "resource pressure: no promise of the api to judge it by",
    "latency": "below the api's timeouts no call fails, above them the link fails: "
    "link-down covers it, without the timeouts' wait",
    "reset-peer": _SAME_LINK + " (the calls fail on a reset instead of a refusal)",
    "timeout": _SAME_LINK,
    "bandwidth": _SAME_LINK,
    "slicer": _SAME_LINK,
    "limit-data": _SAME_LINK,
    "partition": "kernel rules: the links carry the same breaks without root",
    "reject": "kernel rules: the links carry the same breaks without root",
    "packet-loss": "kernel rules: the links carry the same breaks without root",
    "provider-latency": "below the api's provider timeout it answers, above it it is a hang: "
    "provider-hang covers it",
    "provider-rate-limit": "the api handles a 429 as any failed answer (only its metric's "
    "label differs): provider-errors covers it",
    "cache-flush": "empties a cache the api already serves without",
    "table-drop": "removes the table the acknowledged writes are checked in",
    "connection-exhaustion": "holds connections for a minute: outlasts a drill",
    "traffic-burst": "a second load: the search's own load is the users",
}
# Caps on bounds far beyond a drill of seconds (the declared bound still applies below them).
CAPS = {"latency_ms": 5000, "jitter_ms": 1000, "timeout_ms": 5000, "grace_s": 2}
# Parameters left at their default (none at present: kill's signal is drawn, its revert
# restarts a service a handled signal left running but not ready).
DEFAULTS_ONLY: frozenset[tuple[str, str]] = frozenset()
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

    targets: tuple[Target, ...]  # the first `early` on the services the oracle covers
    path: tuple[str, ...]  # services on the path of the load's requests
    pruned: tuple[tuple[str, str], ...]  # (what, why)
    early: int = 0
    breaks: Mapping[Target, str] = field(default_factory=dict)  # the service each one breaks

    def digest(self) -> bytes:
        """Identifies the space in the example database: another space, other examples."""
        return hashlib.sha256(repr(self.targets).encode()).digest()[:16]

    def summary(self) -> list[str]:
        lines = [
            f"{len(self.targets)} fault targets on the path {', '.join(self.path)}",
        ]
        if self.early:
            where = sorted({t.where for t in self.targets[: self.early]})
            lines.append(
                f"  tried first and as often as all others together: the {self.early} on "
                f"{', '.join(where)}, where the degraded modes promise answers"
            )
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


def build_space(
    spec: StackSpec, load_service: str = "api", covered: frozenset[str] = frozenset()
) -> Space:
    """The targets of the pool's kinds on the path of the load's requests, those on the
    `covered` services first (see the module's docstring)."""
    path = path_of(spec, load_service)
    pruned = [(kind, why) for kind, why in LEFT_OUT.items()]
    off_path = [s for s in spec.services if s not in path]
    pruned += [(f"service {s}", "no request of the load reaches it") for s in off_path]
    links = {link.name: link.target for link in spec.links if link.source in path}
    links = {name: target for name, target in links.items() if target in path}
    targets: list[tuple[str, Target]] = []  # (the service it breaks, the target)
    for kind in POOL:
        refers = {d.name: d.info.refers_to for d in param_docs(fault_type(kind).params_type)}
        if refers.get("link") == "link":
            targets += [(to, Target(kind, (("link", name),))) for name, to in links.items()]
        elif kind.startswith("provider-"):
            providers = [s for s in path if _is_provider(spec, s)]
            targets += [(s, Target(kind, (("service", s),))) for s in providers]
        else:
            targets += [(s, Target(kind, (("service", s),))) for s in path]
    pruned.append(
        ("a second fault on a service already broken", "for the degraded-mode judge it is "
         "broken either way (pause redis, then its link down)")
    )  # fmt: skip
    first = [t for broken, t in targets if broken in covered]
    rest = [t for broken, t in targets if broken not in covered]
    return Space(tuple(first + rest), path, tuple(pruned), len(first), {t: b for b, t in targets})


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
