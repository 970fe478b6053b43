"""NameMap: which stack service a name or URL in a runbook means.

Runbooks name things their own way: `obsidian-redis-prod`, `langgraph-api`, `chroma`,
`http://localhost:8000/...`. A name maps to a stack service when the runbook's front matter
(or the caller) says so, when it is a service name, or when exactly one stack service shares
a word (or a well-known synonym of one) with it. Anything else stays unknown: never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from drillbook.stack.spec import StackSpec

# Words that name the same role in the stacks such runbooks describe.
_SYNONYMS: tuple[frozenset[str], ...] = (
    frozenset({"postgres", "postgresql", "pg", "db", "database"}),
    frozenset({"redis", "cache", "valkey"}),
    frozenset({"vectordb", "chroma", "chromadb", "qdrant", "vector", "weaviate", "milvus"}),
    frozenset({"api", "app", "backend", "server"}),
    frozenset({"provider", "llm"}),
    frozenset({"worker", "workers", "celery", "consumer"}),
)
# Components of other systems: a name with one of these words is that component, never ours
# ("kube-proxy-b9g23" shares "proxy" with toxiproxy but is Kubernetes' own proxy).
_FOREIGN = frozenset(
    {"kube", "k8s", "coredns", "etcd", "calico", "cilium", "flannel", "istio", "envoy"}
    | {"ingress", "nginx", "traefik", "haproxy", "grafana", "prometheus", "alertmanager"}
    | {"loki", "jaeger", "node", "exporter", "operator", "controller", "kubelet"}
)
# Words that say where or what a container is, not which service it is.
_NOISE = frozenset(
    {"prod", "production", "staging", "stage", "dev", "test", "local", "svc", "service"}
    | {"container", "deployment", "deploy", "pod", "main", "primary", "1"}
)
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]"})


@dataclass(frozen=True)
class Resolved:
    """A name's service, or None with the reason; `inferred` when it was a guess from words."""

    service: str | None
    inferred: bool = False
    reason: str = ""


@dataclass(frozen=True)
class UrlTarget:
    """Where a URL in a runbook points: a stack service and path, or the reason it cannot."""

    service: str | None
    path: str = "/"
    problem: str | None = None  # "outside" | "port" | "ambiguous" | "service" | "scheme"
    reason: str = ""


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", name.lower()) if w and w not in _NOISE]


class NameMap:
    """Maps a runbook's names to the services of one stack."""

    def __init__(self, spec: StackSpec, explicit: Mapping[str, str] | None = None) -> None:
        self.spec = spec
        self.explicit = dict(explicit or {})

    @property
    def services(self) -> tuple[str, ...]:
        """Every stack service, by name."""
        return tuple(sorted(self.spec.services))

    def _service_words(self, service: str) -> set[str]:
        words = set(_words(service)) | {service}
        for group in _SYNONYMS:
            if words & group:
                words |= group
        return words

    def _unsaid(self, service: str, words: set[str]) -> int:
        """How many of the service's own words (or their synonyms) the name leaves out."""
        return sum(1 for w in _words(service) if not self._service_words(w) & words)

    def resolve(self, name: str) -> Resolved:
        """The stack service `name` stands for."""
        if name in self.explicit:
            target = self.explicit[name]
            if target in self.spec.services:
                return Resolved(target)
            return Resolved(None, reason=f"mapped to {target!r}, which is not a stack service")
        if name in self.spec.services:
            return Resolved(name)
        if "$" in name:
            return Resolved(None, reason=f"{name!r} is a shell variable; its value is not known")
        words = _words(name)
        if name.lower() in self.spec.services:
            return Resolved(name.lower(), inferred=True)
        foreign = (set(words) & _FOREIGN) - {w for s in self.spec.services for w in _words(s)}
        if foreign:
            which = sorted(foreign)[0]
            return Resolved(None, reason=f"{name!r} names a {which} component, not a stack service")
        candidates = {s for s in self.spec.services for w in words if w in self._service_words(s)}
        # "provider-fallback" beats "provider" for "llm-provider-fallback": most shared words win.
        if len(candidates) > 1:
            scores = {s: len(set(words) & self._service_words(s)) for s in candidates}
            best = max(scores.values())
            candidates = {s for s, n in scores.items() if n == best}
        # "cache-prod" is redis, not redis-exporter: then the service the name says all of wins.
        if len(candidates) > 1:
            unsaid = {s: self._unsaid(s, set(words)) for s in candidates}
            fewest = min(unsaid.values())
            candidates = {s for s, n in unsaid.items() if n == fewest}
        if len(candidates) == 1:
            return Resolved(candidates.pop(), inferred=True)
        if candidates:
            which = ", ".join(sorted(candidates))
            return Resolved(None, reason=f"{name!r} could be any of: {which}")
        return Resolved(None, reason=f"no stack service is called {name!r}")

    def resolve_url(self, url: str) -> UrlTarget:
        """The stack service a URL means, by host name or by port on localhost."""
        try:
            parts = urlsplit(url if "://" in url else f"http://{url}")
            port = parts.port
        except ValueError:
            return UrlTarget(None, problem="outside", reason=f"cannot read the URL {url!r}")
        host = (parts.hostname or "").lower()
        path = parts.path or "/"
        if parts.query:
            path += f"?{parts.query}"
        if parts.scheme not in ("http", "https"):
            return UrlTarget(None, path, "scheme", f"{parts.scheme}:// is not HTTP")
        for key in (f"{host}:{port}", str(port), url):
            if key in self.explicit:
                return self._explicit_url(key, path)
        if host in LOOPBACK_HOSTS:
            return self._by_port(port or (443 if parts.scheme == "https" else 80), path)
        if "." in host or not host:
            return UrlTarget(None, path, "outside", f"{host or url} is not part of the stack")
        resolved = self.resolve(host)
        if resolved.service is not None:
            wanted = self.spec.services[resolved.service].port
            if port is not None and port != wanted:
                return UrlTarget(
                    None, path, "port", f"{resolved.service} listens on {wanted}, not {port}"
                )
            return UrlTarget(resolved.service, path)
        return UrlTarget(None, path, "service", resolved.reason)

    def _explicit_url(self, key: str, path: str) -> UrlTarget:
        target = self.explicit[key]
        if target in self.spec.services:
            return UrlTarget(target, path)
        return UrlTarget(None, path, "service", f"{key} is mapped to unknown service {target!r}")

    def _by_port(self, port: int, path: str) -> UrlTarget:
        candidates = sorted(s.name for s in self.spec.services.values() if s.port == port)
        if not candidates:
            return UrlTarget(None, path, "port", f"no stack service listens on port {port}")
        if len(candidates) > 1:
            candidates = self._narrow(candidates, path)
        if len(candidates) == 1:
            return UrlTarget(candidates[0], path)
        which = ", ".join(candidates)
        return UrlTarget(None, path, "ambiguous", f"port {port} is served by: {which}")

    def _narrow(self, candidates: list[str], path: str) -> list[str]:
        # The path's first segment often names the server (ChromaDB serves /api/v2/...).
        segment = path.strip("/").split("/")[0]
        by_path = [
            c
            for c in candidates
            if segment
            and (self.spec.services[c].ready.http or "").strip("/").split("/")[0] == segment
        ]
        if len(by_path) == 1:
            return by_path
        # Otherwise a runbook's localhost URL means the front service: the one whose
        # dependency links the stack proxies (the api), not one of its dependencies; on a
        # stack without links (Kubernetes manifests), its entry service.
        sources = {link.source for link in self.spec.links} or {self.spec.entry or ""}
        front = [c for c in candidates if c in sources]
        return front if len(front) == 1 else candidates
