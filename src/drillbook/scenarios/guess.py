"""A first scenario for an incident: the fault guessed from how the runbook names it (pure).

`drillbook init` reads a team's runbooks against their stack and writes one scenario per
incident. The incident's words (its title and alert name, split at camel case: "RedisDown" is
"redis down") say what breaks; the stack service it breaks is the one its words or its
`services:` name. What cannot be guessed is said, never made up: a scenario is written only
where both the fault and its service are known.

    guess = guess_fault(runbook, spec)
    guess.fault -> ("kill", {"service": "redis"})   or   guess.problem -> "no service named"
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from drillbook.runbooks.model import Runbook
from drillbook.runbooks.names import NameMap
from drillbook.stack.spec import StackSpec

Params = dict[str, Any]


@dataclass(frozen=True)
class Rule:
    """Incident words -> a fault type. `on` says what the fault acts on: a service, the link
    to a service, or the LLM provider simulator."""

    words: frozenset[str]
    fault: str
    on: str = "service"  # "service" | "link" | "provider"
    params: Params = field(default_factory=dict)
    why: str = ""


def _rule(words: str, fault: str, on: str = "service", why: str = "", **params: Any) -> Rule:
    return Rule(frozenset(words.split()), fault, on, params, why)


# The first rule whose words the incident uses wins, so the specific come before the general.
RULES: tuple[Rule, ...] = (
    _rule("oom oomkilled memory", "oom", why="memory exhausted"),
    _rule("disk storage space volume full", "disk-fill", why="disk full"),
    _rule("cpu throttled throttling", "cpu-stress", why="CPU starved"),
    _rule("ratelimit ratelimited 429 429s quota", "provider-rate-limit", "provider", rate=1.0),
    _rule("pool connections exhausted exhaustion", "connection-exhaustion", why="no connections"),
    _rule("cache flush evicted", "cache-flush", why="cache emptied"),
    _rule(
        "latency slow slowdown response timeout timeouts p95 p99",
        "latency",
        "link",
        latency_ms=2000,
        why="slow dependency",
    ),
    _rule(
        "error errors 5xx 500 failures failing",
        "provider-errors",
        "provider",
        rate=1.0,
        why="errors from a dependency",
    ),
    _rule(
        "down unavailable unreachable crash crashed crashing dead outage stopped "
        "unresponsive failed failure",
        "kill",
        why="service down",
    ),
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_PROVIDER = frozenset({"llm", "provider", "openai", "anthropic", "model", "completion"})


def words_of(*texts: str | None) -> list[str]:
    """Lower-case words of the texts, camel case split ("HighLatencyP95" -> high latency p95),
    and each pair of neighbours joined ("rate limit" -> ratelimit) for two-word terms."""
    out: list[str] = []
    for text in texts:
        if text:
            words = [w for w in re.split(r"[^a-z0-9]+", _CAMEL.sub(" ", text).lower()) if w]
            out += words + [a + b for a, b in itertools.pairwise(words)]
    return out


@dataclass(frozen=True)
class Guess:
    """The fault of one incident, or why there is none; `why` says how it was read."""

    runbook: Runbook
    fault: tuple[str, Params] | None = None
    why: str = ""
    problem: str = ""


def guess_fault(runbook: Runbook, spec: StackSpec) -> Guess:
    """The fault an incident begins with, on the stack service it names."""
    words = words_of(runbook.title, runbook.alert, runbook.id)
    rule = next((r for r in RULES if r.words & set(words)), None)
    if rule is None:
        said = " / ".join(t for t in (runbook.title, runbook.alert) if t) or runbook.id
        return Guess(runbook, problem=f"no fault of the library reads from {said!r}")
    matched = sorted(rule.words & set(words))[0]
    if rule.on == "provider":
        return _provider_guess(runbook, spec, rule, matched, words)
    service, reason = _service(runbook, spec, words, _able(rule, spec))
    if service is None:
        return Guess(runbook, problem=f"{matched!r} reads as {rule.fault}, but {reason}")
    if rule.on == "link":
        link = next((lk for lk in spec.links if lk.target == service), None)
        if link is None:
            return Guess(
                runbook,
                problem=f"{matched!r} reads as latency on {service}, "
                f"but no Toxiproxy link leads to {service}",
            )
        return Guess(
            runbook,
            (rule.fault, {"link": f"{link.source}-{link.target}", **rule.params}),
            why=f"{matched!r}: {rule.why} ({link.source} -> {link.target})",
        )
    return Guess(
        runbook, (rule.fault, {"service": service, **rule.params}), why=f"{matched!r}: {rule.why}"
    )


def _provider_guess(
    runbook: Runbook, spec: StackSpec, rule: Rule, matched: str, words: Sequence[str]
) -> Guess:
    """Errors and rate limits: the LLM provider's when the incident says so (or names no
    service and there is one); a named service's errors are drilled as that service down."""
    provider = _provider(spec)
    service, reason = _service(runbook, spec, words)
    about_provider = bool(_PROVIDER & set(words)) or service == provider
    if provider is not None and (about_provider or service is None):
        said = "the LLM provider" if about_provider else "no service named: the LLM provider"
        return Guess(
            runbook,
            (rule.fault, {"service": provider, **rule.params}),
            why=f"{matched!r}: {rule.why or rule.fault} ({said})",
        )
    if service is not None and rule.fault == "provider-errors":
        return Guess(
            runbook,
            ("kill", {"service": service}),
            why=f"{matched!r}: errors of {service}, drilled as {service} down",
        )
    why_not = reason or "the stack has no LLM provider"
    return Guess(runbook, problem=f"{matched!r} reads as {rule.fault}, but {why_not}")


def _able(rule: Rule, spec: StackSpec) -> set[str] | None:
    """The services the rule's fault can act on, where that narrows the choice (None: any)."""
    if rule.fault == "disk-fill":
        return {n for n, s in spec.services.items() if s.tmpfs}
    if rule.fault in ("oom", "memory-hog"):
        return {n for n, s in spec.services.items() if s.memory}
    if rule.on == "link":
        return {lk.target for lk in spec.links}
    return None


def _service(
    runbook: Runbook, spec: StackSpec, words: Sequence[str], able: set[str] | None = None
) -> tuple[str | None, str]:
    """The one stack service the incident is about: named in its words, else in `services:`;
    among several, the only one the fault can act on."""
    names = NameMap(spec, runbook.names)
    found = [names.resolve(w) for w in words]
    exact = {r.service for r in found if r.service and not r.inferred}  # "vectordb", not "db"
    named = {r.service for r in found if r.service}
    listed = {r.service for s in runbook.services if (r := names.resolve(s)).service}
    for candidates in (exact, named, named & listed, listed):
        if len(candidates) == 1:
            return next(iter(candidates)), ""
        if able is not None and len(candidates & able) == 1:
            return next(iter(candidates & able)), ""
    if len(named) > 1:
        listed &= named
    if len(listed) == 1:
        return listed.pop(), ""
    if named or listed:
        return None, f"it names several services: {', '.join(sorted(named | listed))}"
    return None, "it names no service of the stack"


def _provider(spec: StackSpec) -> str | None:
    """The stack's LLM provider simulator, if it has one."""
    providers = sorted(s for s in spec.services if "provider" in s and "fallback" not in s)
    return providers[0] if providers else None
