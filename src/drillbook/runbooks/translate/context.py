"""What every command family's translator needs: the stack's names, and the guesses made."""

from __future__ import annotations

from dataclasses import dataclass, field

from drillbook.runbooks.names import LOOPBACK_HOSTS, NameMap
from drillbook.runbooks.translate.options import Cannot


@dataclass
class Context:
    """Resolves names to stack services for one command line, recording inferred names."""

    names: NameMap
    inferred: list[tuple[str, str]] = field(default_factory=list)
    assigned: dict[str, str] = field(default_factory=dict)  # NAME=value lines, by name
    resolved: dict[str, str] = field(default_factory=dict)  # runbook name -> stack service

    @property
    def compose(self) -> bool:
        """Whether the stack is a Compose project: its Compose lines then run as written."""
        return self.names.spec.compose is not None

    @property
    def kubernetes(self) -> bool:
        """Whether the stack runs on Kubernetes: its kubectl lines then run as written."""
        return self.names.spec.kubernetes is not None

    @property
    def services(self) -> tuple[str, ...]:
        """Every stack service: what a command that names none acts on."""
        return self.names.services

    def service(self, name: str) -> str:
        """The stack service `name` means, or Cannot (problem "service")."""
        resolved = self.names.resolve(name)
        if resolved.service is None:
            raise Cannot(resolved.reason, "service", [name])
        if resolved.inferred:
            self.inferred.append((name, resolved.service))
        self.resolved[name] = resolved.service
        return resolved.service

    def role(self, role: str, host: str | None = None, default: str | None = None) -> str:
        """The service a client command talks to: by its -h host, else `default` (the
        container it runs in, for `docker exec`), else by its role."""
        if host and host not in LOOPBACK_HOSTS:
            return self.service(host)
        return default or self.service(role)
