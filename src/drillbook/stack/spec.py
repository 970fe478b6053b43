"""The stack definition (`stack.yaml`): services, how to build them, and the links between them.

Pure data and validation; nothing here touches Docker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drillbook.errors import SourceError
from drillbook.yamlsource import Mapping, SourceReader, load_yaml

_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


@dataclass(frozen=True)
class GoBuild:
    """A static binary built on the host by `go install MODULE@VERSION`, put in the context."""

    module: str
    version: str
    binary: str


@dataclass(frozen=True)
class Build:
    """How to build a service's image from a folder holding its Dockerfile."""

    context: Path
    wheels: str | None = None
    go: GoBuild | None = None


@dataclass(frozen=True)
class Readiness:
    """How to tell a service is ready: an HTTP GET on its port, a command run inside it, or
    (`health`) Docker's verdict from the container's own healthcheck, as Compose defines it."""

    http: str | None = None
    command: tuple[str, ...] = ()
    expect: str | None = None
    timeout_s: float = 90.0
    health: bool = False


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: int
    ready: Readiness
    build: Build | None = None
    image: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    memory: str | None = None
    tmpfs: dict[str, str] = field(default_factory=dict)
    command: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class LinkSpec:
    """A dependency edge `source -> target` carried by a Toxiproxy proxy listening on `listen`."""

    source: str
    target: str
    listen: int
    line: int = 0

    @property
    def name(self) -> str:
        return f"{self.source}-{self.target}"


@dataclass(frozen=True)
class WritesCheck:
    """How to ask the system of record which acknowledged writes it holds.

    `command` runs inside `service`; `{ids}` in it becomes a comma-separated list of ids, and
    it prints the ids it found, one per line.
    """

    service: str
    command: tuple[str, ...]


@dataclass(frozen=True)
class Alerting:
    """Where a stack's alerts come from: its Prometheus and Alertmanager services and the
    alert rule files the runbooks answer (absolute paths on the host).

    Alertmanager pages drillbook's webhook receiver at `webhook_port`, on the host's address
    on the stack's network (the service's `DRILLBOOK_WEBHOOK_PORT` setting).
    """

    prometheus: str
    alertmanager: str
    rules: tuple[Path, ...] = ()
    webhook_port: int = 9095
    line: int = 0


@dataclass(frozen=True)
class ComposeSource:
    """A stack defined by Compose files: what `docker compose` is run with.

    `config` is `docker compose config --format json` of the files; `settings` are the
    environment values drillbook points at its Toxiproxy links (service -> name -> value).
    """

    files: tuple[Path, ...]
    profiles: tuple[str, ...]
    config: dict[str, Any]
    settings: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def project_dir(self) -> Path:
        return self.files[0].parent


@dataclass(frozen=True)
class KubernetesSource:
    """A stack defined by a folder of Kubernetes manifests (`drillbook.stack.kube`): its workloads
    are the services, run in a namespace of the drill's own on a cluster."""

    folder: Path


@dataclass(frozen=True)
class StackSpec:
    name: str
    path: Path
    services: dict[str, ServiceSpec]
    links: tuple[LinkSpec, ...] = ()
    proxy: str | None = None
    writes: WritesCheck | None = None
    compose: ComposeSource | None = None
    alerting: Alerting | None = None
    kubernetes: KubernetesSource | None = None
    entry_service: str | None = None  # the service users reach, where the definition says

    def service(self, name: str) -> ServiceSpec:
        try:
            return self.services[name]
        except KeyError:
            known = ", ".join(sorted(self.services))
            raise SourceError(
                str(self.path), None, f"unknown service {name!r}", f"services are: {known}"
            ) from None

    @property
    def entry(self) -> str | None:
        """The service users reach: the one the definition names, else the source of the
        stack's dependency links (the api that needs the others), else a service called
        `api`; None when none says."""
        if self.entry_service:
            return self.entry_service
        if self.links:
            return self.links[0].source
        return "api" if "api" in self.services else None

    def link(self, target: str, source: str | None = None) -> LinkSpec:
        for link in self.links:
            if link.target == target and (source is None or link.source == source):
                return link
        known = ", ".join(link.name for link in self.links) or "none"
        raise SourceError(str(self.path), None, f"no link to {target!r}", f"links are: {known}")

    def start_order(self) -> list[list[str]]:
        """Services in waves: each wave depends only on earlier waves (started in parallel)."""
        done: set[str] = set()
        waves: list[list[str]] = []
        pending = dict(self.services)
        while pending:
            wave = sorted(n for n, s in pending.items() if set(s.depends_on) <= done)
            if not wave:
                cycle = ", ".join(sorted(pending))
                raise SourceError(str(self.path), None, f"depends_on has a cycle among: {cycle}")
            waves.append(wave)
            done.update(wave)
            for n in wave:
                del pending[n]
        return waves


class _Reader(SourceReader):
    """Reads one YAML document into specs, raising SourceError at the offending line."""

    def port(self, m: Mapping, key: str, what: str) -> int:
        value = self.require(m, key, what)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65535:
            raise self.fail(m.line_of(key), f"{what}.{key} must be a port number, got {value!r}")
        return value

    def stack(self, doc: Any, profile: str | None = None) -> StackSpec:
        root = self.mapping(doc, 1, "the stack file")
        self.check_keys(
            root,
            {"name", "services", "links", "proxy", "profiles", "writes", "alerting"},
            "the stack",
        )
        services_m = self.mapping(
            self.require(root, "services", "the stack"), root.line_of("services"), "services"
        )
        if profile is not None:
            services_m = self.with_profile(root, services_m, profile)
        services = {
            name: self.service(name, s, services_m.line_of(name)) for name, s in services_m.items()
        }
        for s in services.values():
            for dep in s.depends_on:
                if dep not in services:
                    raise self.fail(
                        s.line, f"service {s.name!r} depends on unknown service {dep!r}"
                    )
        links = tuple(
            self.link(x, root.line_of("links"), services) for x in (root.get("links") or [])
        )
        proxy = root.get("proxy", "toxiproxy" if links else None)
        if links and proxy not in services:
            raise self.fail(
                root.line_of("proxy"), f"links need a proxy service, {proxy!r} is not one"
            )
        listens = [link.listen for link in links]
        if len(set(listens)) != len(listens):
            raise self.fail(root.line_of("links"), "two links listen on the same port")
        return StackSpec(
            name=str(root.get("name", self.path.stem)),
            path=self.path,
            services=services,
            links=links,
            proxy=proxy,
            writes=self.writes(root, services) if "writes" in root else None,
            alerting=self.alerting(root, services) if "alerting" in root else None,
        )

    def alerting(self, root: Mapping, services: dict[str, ServiceSpec]) -> Alerting:
        m = self.mapping(root["alerting"], root.line_of("alerting"), "alerting")
        self.check_keys(m, {"prometheus", "alertmanager", "rules"}, "alerting")
        names = {}
        for key in ("prometheus", "alertmanager"):
            name = str(self.require(m, key, "alerting"))
            if name not in services:
                raise self.fail(m.line_of(key), f"alerting.{key}: unknown service {name!r}")
            names[key] = name
        rules = m.get("rules") or []
        if not isinstance(rules, list):
            raise self.fail(m.line_of("rules"), "alerting.rules must be a list of rule files")
        paths = tuple((self.path.parent / str(r)).resolve() for r in rules)
        for path in paths:
            if not path.is_file():
                raise self.fail(m.line_of("rules"), f"alerting.rules: no file {path}")
        port = services[names["alertmanager"]].env.get("DRILLBOOK_WEBHOOK_PORT", "9095")
        if not port.isdigit() or not 1 <= int(port) <= 65535:
            raise self.fail(
                services[names["alertmanager"]].line,
                f"DRILLBOOK_WEBHOOK_PORT must be a port number, got {port!r}",
            )
        return Alerting(names["prometheus"], names["alertmanager"], paths, int(port), m.line)

    def writes(self, root: Mapping, services: dict[str, ServiceSpec]) -> WritesCheck:
        m = self.mapping(root["writes"], root.line_of("writes"), "writes")
        self.check_keys(m, {"service", "command"}, "writes")
        service = str(self.require(m, "service", "writes"))
        if service not in services:
            raise self.fail(m.line_of("service"), f"writes: unknown service {service!r}")
        command = self.command(m, "writes")
        if not any("{ids}" in part for part in command):
            raise self.fail(m.line_of("command"), "writes.command must contain {ids}")
        return WritesCheck(service, command)

    def with_profile(self, root: Mapping, services: Mapping, profile: str) -> Mapping:
        """The services with a profile laid over them.

        A profile names services; for each, its keys replace the base's, except `env`, which
        is merged, and `image`/`build`, which replace each other.
        """
        profiles = self.mapping(
            root.get("profiles"), root.line_of("profiles"), "profiles", optional=True
        )
        if profile not in profiles:
            raise self.fail(
                root.line_of("profiles"),
                f"no profile {profile!r}",
                f"profiles are: {', '.join(sorted(profiles)) or 'none'}",
            )
        overlay = self.mapping(profiles[profile], profiles.line_of(profile), f"profile {profile!r}")
        merged = Mapping(services, services.line, services.key_lines)
        for name, value in overlay.items():
            patch = self.mapping(value, overlay.line_of(name), f"profile {profile!r}.{name}")
            base = services.get(name)
            base = base if isinstance(base, Mapping) else Mapping()
            service = Mapping(base, patch.line, {**base.key_lines, **patch.key_lines})
            for key in ("image", "build"):
                if key in patch:
                    service.pop("build" if key == "image" else "image", None)
            env = {**(service.get("env") or {}), **(patch.get("env") or {})}
            service.update(patch)
            if env:
                service["env"] = env
            merged[name] = service
            merged.key_lines[name] = overlay.line_of(name)
        return merged

    def service(self, name: str, value: Any, line: int) -> ServiceSpec:
        if not _NAME.match(name):
            raise self.fail(line, f"service name {name!r} must be lower-case letters, digits, '-'")
        m = self.mapping(value, line, f"service {name!r}")
        what = f"service {name!r}"
        self.check_keys(
            m,
            {"build", "image", "port", "ready", "env", "depends_on", "memory", "tmpfs", "command"},
            what,
        )
        if ("build" in m) == ("image" in m):
            raise self.fail(m.line, f"{what} needs exactly one of 'build' or 'image'")
        env = m.get("env") or {}
        if not isinstance(env, dict):
            raise self.fail(m.line_of("env"), f"{what}.env must be a mapping")
        depends = m.get("depends_on") or []
        if not isinstance(depends, list):
            raise self.fail(m.line_of("depends_on"), f"{what}.depends_on must be a list")
        return ServiceSpec(
            name=name,
            port=self.port(m, "port", what),
            ready=self.readiness(
                m.get("ready"), m.line_of("ready") if "ready" in m else line, what
            ),
            build=self.build(m["build"], m.line_of("build"), what) if "build" in m else None,
            image=str(m["image"]) if "image" in m else None,
            env={str(k): str(v) for k, v in env.items()},
            depends_on=tuple(str(d) for d in depends),
            memory=str(m["memory"]) if "memory" in m else None,
            tmpfs=self.tmpfs(m, what),
            command=self.command(m, what),
            line=line,
        )

    def tmpfs(self, m: Mapping, what: str) -> dict[str, str]:
        value = m.get("tmpfs") or {}
        if not isinstance(value, dict) or not all(str(k).startswith("/") for k in value):
            raise self.fail(
                m.line_of("tmpfs"),
                f"{what}.tmpfs must map absolute container paths to sizes",
                "for example: tmpfs: {/data: 64m} or {/data: 'size=64m,uid=100'}",
            )
        return {str(k): str(v) for k, v in value.items()}

    def command(self, m: Mapping, what: str) -> tuple[str, ...]:
        value = m.get("command") or []
        if isinstance(value, str):
            value = value.split()
        if not isinstance(value, list):
            raise self.fail(m.line_of("command"), f"{what}.command must be a list of arguments")
        return tuple(str(v) for v in value)

    def build(self, value: Any, line: int, what: str) -> Build:
        m = self.mapping(value, line, f"{what}.build")
        self.check_keys(m, {"context", "wheels", "go"}, f"{what}.build")
        context = (self.path.parent / str(self.require(m, "context", f"{what}.build"))).resolve()
        if not (context / "Dockerfile").is_file():
            raise self.fail(m.line_of("context"), f"no Dockerfile in {context}")
        go = None
        if "go" in m:
            g = self.mapping(m["go"], m.line_of("go"), f"{what}.build.go")
            self.check_keys(g, {"module", "version", "binary"}, f"{what}.build.go")
            go = GoBuild(
                *(
                    str(self.require(g, k, f"{what}.build.go"))
                    for k in ("module", "version", "binary")
                )
            )
        wheels = m.get("wheels")
        if wheels is not None and not (context / str(wheels)).is_file():
            raise self.fail(m.line_of("wheels"), f"requirements file {wheels!r} not in {context}")
        return Build(context=context, wheels=str(wheels) if wheels else None, go=go)

    def readiness(self, value: Any, line: int, what: str) -> Readiness:
        if value is None:
            raise self.fail(line, f"{what} needs 'ready' (an http path or a command)")
        m = self.mapping(value, line, f"{what}.ready")
        self.check_keys(m, {"http", "command", "expect", "timeout"}, f"{what}.ready")
        if ("http" in m) == ("command" in m):
            raise self.fail(m.line, f"{what}.ready needs exactly one of 'http' or 'command'")
        return Readiness(
            http=str(m["http"]) if "http" in m else None,
            command=self.command(m, f"{what}.ready"),
            expect=str(m["expect"]) if "expect" in m else None,
            timeout_s=float(m.get("timeout", 90)),
        )

    def link(self, value: Any, line: int, services: dict[str, ServiceSpec]) -> LinkSpec:
        m = self.mapping(value, line, "a link")
        self.check_keys(m, {"from", "to", "listen"}, "a link")
        source, target = (str(self.require(m, k, "a link")) for k in ("from", "to"))
        for key, name in (("from", source), ("to", target)):
            if name not in services:
                raise self.fail(m.line_of(key), f"link {key} unknown service {name!r}")
        return LinkSpec(source, target, self.port(m, "listen", "a link"), line=m.line)


def read_writes(path: Path, root: Mapping, services: dict[str, ServiceSpec]) -> WritesCheck:
    """The `writes:` section of `root` (read from `path`), checked against `services`."""
    return _Reader(path).writes(root, services)


def read_stack_yaml(path: Path, profile: str | None = None) -> StackSpec:
    """Read and validate drillbook's own stack definition, with a profile laid over it."""
    return _Reader(path).stack(load_yaml(path), profile)
