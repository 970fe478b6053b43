"""A Compose project read into a StackSpec, through the real `docker compose config`.

Compose itself normalises the files (merging several `-f` files, profiles, `.env` and
variable interpolation, short and long syntaxes), so drillbook reads only its JSON answer; the
user's files are never written. What a drill needs on top comes from the `x-drillbook` block
(`drillbook.stack.compose.extension`): the links to put Toxiproxy on, the system of record,
the services drillbook's reference images stand in for.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from drillbook.errors import SourceError
from drillbook.stack.compose.extension import Extension, LinkRequest, read_extension, service_lines
from drillbook.stack.compose.hostaccess import refuse_host_access
from drillbook.stack.compose.plugin import packaged_binary
from drillbook.stack.spec import (
    ComposeSource,
    LinkSpec,
    Readiness,
    ServiceSpec,
    StackSpec,
    read_stack_yaml,
)

PROXY = "drillbook-toxiproxy"  # the Toxiproxy service drillbook adds to a Compose project
PROXY_API_PORT = 8474
_FIRST_SPARE_LISTEN = 20000
_COMPOSE_NAME = re.compile(r"^(docker-)?compose([.-][\w.-]+)?\.ya?ml$")
_REFERENCE = Path(__file__).resolve().parents[4] / "fixtures" / "stack.yaml"


def is_compose(path: str) -> bool:
    """Whether `path` names Compose files: several, comma-separated, or one named like one
    (`compose.yml`, `docker-compose.production.yml`, ...)."""
    return "," in path or bool(_COMPOSE_NAME.match(Path(path).name))


def compose_files(path: str) -> tuple[Path, ...]:
    files = tuple(Path(p.strip()).resolve() for p in path.split(",") if p.strip())
    for file in files:
        if not file.is_file():
            raise SourceError(str(file), None, "Compose file not found")
    if not files:
        raise SourceError(path, None, "no Compose file named")
    return files


def read_config(files: tuple[Path, ...], profiles: tuple[str, ...]) -> dict[str, Any]:
    """`docker compose config --format json` of the files: Compose's own reading of them.

    Run with the packaged binary directly, so that a definition can be read (and linted)
    before the Docker client or engine is installed.
    """
    command = [str(packaged_binary()), *compose_args(files, profiles), "config", "--format", "json"]
    done = subprocess.run(
        command,
        cwd=files[0].parent,  # as Compose would be run: `.env` is read from there
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise SourceError(
            str(files[0]),
            None,
            f"docker compose config rejects it: {done.stderr.strip()}",
            "run `docker compose " + " ".join(compose_args(files, profiles)) + " config`",
        )
    return dict(json.loads(done.stdout))


def compose_args(files: tuple[Path, ...], profiles: tuple[str, ...]) -> list[str]:
    args = [arg for file in files for arg in ("-f", str(file))]
    return args + [arg for profile in profiles for arg in ("--profile", profile)]


@cache
def reference_spec() -> StackSpec:
    """drillbook's reference stack: its Toxiproxy and the images that may stand in."""
    path = Path(os.environ.get("DRILLBOOK_REFERENCE_STACK", _REFERENCE)).resolve()
    return read_stack_yaml(path)


def load_compose_spec(path: str, profile: str | None = None) -> StackSpec:
    """The StackSpec of Compose files (comma-separated), with a Compose profile enabled."""
    files = compose_files(path)
    profiles = (profile,) if profile else ()
    config = read_config(files, profiles)
    return compose_spec(files, profiles, config, read_extension(files), service_lines(files))


def compose_spec(
    files: tuple[Path, ...],
    profiles: tuple[str, ...],
    config: dict[str, Any],
    extension: Extension,
    lines: Mapping[str, tuple[Path, int]],
) -> StackSpec:
    """Pure: Compose's normalised configuration and the extension block, as a StackSpec."""
    services_cfg: dict[str, Any] = dict(config.get("services") or {})
    refuse_host_access(services_cfg, dict(lines), files, dict(config.get("volumes") or {}))
    _require_healthchecks(services_cfg, lines, files[0])
    services = {name: _service(name, cfg, lines) for name, cfg in services_cfg.items()}
    services = _with_stand_ins(services, extension)
    links, settings = route_links(extension, services, services_cfg)
    for request in extension.links:
        target = services[request.target]
        if request.port and not target.port:  # the port the link names is its port
            services[request.target] = ServiceSpec(**{**target.__dict__, "port": request.port})
    if links:
        proxy = reference_spec().services["toxiproxy"]
        services[PROXY] = ServiceSpec(
            name=PROXY, port=PROXY_API_PORT, ready=Readiness(health=True), build=proxy.build
        )
    writes = extension.writes
    if writes is not None and writes.service not in services:
        raise extension.fail(extension.writes_line, f"writes: unknown service {writes.service!r}")
    return StackSpec(
        name=extension.name or str(config.get("name") or files[0].parent.name),
        path=files[0],
        services=services,
        links=links,
        proxy=PROXY if links else None,
        writes=writes,
        compose=ComposeSource(files, profiles, config, settings),
    )


def _service(
    name: str, cfg: Mapping[str, Any], lines: Mapping[str, tuple[Path, int]]
) -> ServiceSpec:
    command = cfg.get("command") or []
    return ServiceSpec(
        name=name,
        port=main_port(cfg),
        ready=Readiness(health=True),
        # Built by Compose itself on `up` when it has a build section and no stand-in.
        image=None if "build" in cfg else str(cfg.get("image") or ""),
        env={
            str(k): "" if v is None else str(v) for k, v in (cfg.get("environment") or {}).items()
        },
        depends_on=tuple(sorted(cfg.get("depends_on") or {})),
        memory=_memory(cfg),
        tmpfs=_tmpfs(cfg),
        command=tuple(command.split() if isinstance(command, str) else map(str, command)),
        line=lines.get(name, (Path(), 0))[1],
    )


def main_port(cfg: Mapping[str, Any]) -> int:
    """The service's port: its first published one, else its first exposed one, else 0."""
    for port in cfg.get("ports") or []:
        target = port.get("target") if isinstance(port, Mapping) else None
        if isinstance(target, int):
            return target
    for entry in cfg.get("expose") or []:
        match = re.match(r"^(\d+)", str(entry))
        if match:
            return int(match.group(1))
    return 0


def _memory(cfg: Mapping[str, Any]) -> str | None:
    limits = ((cfg.get("deploy") or {}).get("resources") or {}).get("limits") or {}
    value = cfg.get("mem_limit") or limits.get("memory")
    return str(value) if value else None


def _tmpfs(cfg: Mapping[str, Any]) -> dict[str, str]:
    """Size-limited tmpfs mounts, as Docker options: the `tmpfs:` list and tmpfs volumes."""
    found: dict[str, str] = {}
    tmpfs = cfg.get("tmpfs") or []
    for entry in [tmpfs] if isinstance(tmpfs, str) else tmpfs:
        path, _, options = str(entry).partition(":")
        found[path] = options
    for volume in cfg.get("volumes") or []:
        if isinstance(volume, Mapping) and volume.get("type") == "tmpfs":
            size = (volume.get("tmpfs") or {}).get("size")
            found[str(volume["target"])] = f"size={size}" if size else ""
    return found


def _require_healthchecks(
    services: Mapping[str, Any], lines: Mapping[str, tuple[Path, int]], first: Path
) -> None:
    """Readiness is the Compose healthcheck: refuse a service without one, saying what to add.

    `healthcheck: {disable: true}` says on purpose that running is ready enough.
    """
    missing = sorted(name for name, cfg in services.items() if not cfg.get("healthcheck"))
    if not missing:
        return
    name = missing[0]
    path, line = lines.get(name, (first, 0))
    others = f" (also: {', '.join(missing[1:])})" if missing[1:] else ""
    raise SourceError(
        str(path),
        line,
        f"service {name!r} has no healthcheck{others}: drillbook cannot tell when it is ready",
        "add to it, for example:\n    healthcheck:\n"
        f"      test: {suggest_healthcheck(services[name])}\n"
        "      interval: 2s\n      retries: 30\n"
        "  or `healthcheck: {disable: true}` if a running container is ready enough",
    )


def suggest_healthcheck(cfg: Mapping[str, Any]) -> str:
    """A healthcheck test that suits the service's image, to quote in a message."""
    image = str(cfg.get("image") or "")
    port = main_port(cfg) or 80
    if "redis" in image:
        return '["CMD", "redis-cli", "ping"]'
    if "postgres" in image:
        return '["CMD", "pg_isready", "-U", "postgres"]'
    return f'["CMD", "curl", "-fsS", "http://localhost:{port}/health"]'


def _with_stand_ins(
    services: dict[str, ServiceSpec], extension: Extension
) -> dict[str, ServiceSpec]:
    """Services that run one of drillbook's reference images instead of their own."""
    if not extension.stand_ins:
        return services
    reference = reference_spec().services
    result = dict(services)
    for name, image in extension.stand_ins.items():
        line = extension.stand_in_lines.get(name, 0)
        if name not in services:
            raise extension.fail(line, f"stand-ins: unknown service {name!r}")
        if image not in reference or reference[image].build is None:
            known = ", ".join(sorted(n for n, s in reference.items() if s.build))
            raise extension.fail(
                line, f"stand-ins: no reference image {image!r}", f"images are: {known}"
            )
        spec = services[name]
        result[name] = ServiceSpec(
            **{**spec.__dict__, "image": None, "build": reference[image].build}
        )
    return result


def route_links(
    extension: Extension, services: Mapping[str, ServiceSpec], config: Mapping[str, Any]
) -> tuple[tuple[LinkSpec, ...], dict[str, dict[str, str]]]:
    """Each requested link as a Toxiproxy listener, and the source settings that reach it.

    A link is made by pointing the source's environment at the proxy: `redis:6379` in any of
    its values becomes `drillbook-toxiproxy:<listen>`. The proxy listens on the target's own
    port where no other link has it, so a setting that names the host alone (`REDIS_HOST=redis`)
    can be pointed at the proxy too.
    """
    links: list[LinkSpec] = []
    settings: dict[str, dict[str, str]] = {}
    taken = {PROXY_API_PORT}
    spare = _FIRST_SPARE_LISTEN
    for request in extension.links:
        port = _link_port(extension, request, services)
        if port in taken:
            while spare in taken:
                spare += 1
            listen = spare
        else:
            listen = port
        taken.add(listen)
        env = {
            **(config[request.source].get("environment") or {}),
            **settings.get(request.source, {}),
        }
        changed = _pointed(env, request.target, port, listen)
        if not changed:
            raise extension.fail(
                request.line,
                f"link {request.source} -> {request.target}: no setting of {request.source!r} "
                f"names {request.target}:{port}"
                + (
                    "" if listen == port else f" (a bare {request.target!r} cannot be proxied here)"
                ),
                f"drillbook routes a link by pointing the address in {request.source}'s "
                f"environment at its proxy, e.g. URL=scheme://{request.target}:{port}",
            )
        settings.setdefault(request.source, {}).update(changed)
        links.append(LinkSpec(request.source, request.target, listen, line=request.line))
    names = [link.name for link in links]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise extension.fail(extension.line, f"link {duplicate} is named twice")
    return tuple(links), settings


def _link_port(
    extension: Extension, request: LinkRequest, services: Mapping[str, ServiceSpec]
) -> int:
    for name in (request.source, request.target):
        if name not in services:
            known = ", ".join(sorted(services))
            raise extension.fail(
                request.line, f"link: unknown service {name!r}", f"services are: {known}"
            )
    port = request.port or services[request.target].port
    if not port:
        raise extension.fail(
            request.line,
            f"link to {request.target}: its port is not in the Compose file",
            "give it: {from: ..., to: " + request.target + ", port: N}",
        )
    return port


def _pointed(env: Mapping[str, Any], target: str, port: int, listen: int) -> dict[str, str]:
    """The settings of `env` that name `target:port`, pointed at the proxy's `listen`."""
    address = re.compile(rf"(?<![\w.-]){re.escape(target)}:{port}(?!\d)")
    changed = {}
    for key, value in env.items():
        text = "" if value is None else str(value)
        if text == target and listen == port:
            changed[str(key)] = PROXY
        else:
            new = address.sub(f"{PROXY}:{listen}", text)
            if new != text:
                changed[str(key)] = new
    return changed
