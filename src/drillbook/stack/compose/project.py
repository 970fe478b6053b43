"""A Compose stack running: the user's files plus drillbook's override, under a project name
of drillbook's own, started and stopped by testcontainers' `DockerCompose` (the real
`docker compose`).

The project name is the run's (`drillbook-<stack>-<run id>`), never the user's: their own
`docker compose up` of the same files, running beside, is a different project and is not
touched. Readiness is Compose's: `up --wait` returns once every healthcheck passes.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, cast

import docker
from docker.models.containers import Container
from testcontainers.compose import DockerCompose

from drillbook.errors import DrillbookError
from drillbook.host.progress import Progress
from drillbook.stack.compose import override as overrides
from drillbook.stack.compose.model import PROXY, PROXY_API_PORT, compose_args, main_port
from drillbook.stack.compose.pin import drill_line
from drillbook.stack.compose.plugin import ensure_compose_plugin
from drillbook.stack.docker.container import PORT_ATTEMPTS, port_taken_text
from drillbook.stack.images import image_ref
from drillbook.stack.spec import StackSpec

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
NUMBER_LABEL = "com.docker.compose.container-number"
_TAIL = 25  # log lines shown of a service that would not start
LINE_TIMEOUT_S = 300.0  # a runbook's Compose line that runs longer has hung
FOLLOW_S = 3.0  # how long a drill watches a followed log (`logs -f`) before stopping it


@dataclass
class _ProjectCompose(DockerCompose):
    """testcontainers' DockerCompose, pinned to a project name (it has no option for one)."""

    project_name: str = ""

    @cached_property
    def compose_command_property(self) -> list[str]:
        base: list[str] = cast(Any, DockerCompose.compose_command_property).func(self)
        return [*base, "--project-name", self.project_name]


def project_name(stack: str, run_id: str) -> str:
    """A Compose project name for the run: lower-case letters, digits, '-' and '_'."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", stack.lower()).strip("-_") or "stack"
    return f"drillbook-{slug}-{run_id}"


class ComposeProject:
    """The Compose project of one run of a Compose StackSpec."""

    def __init__(
        self,
        spec: StackSpec,
        run_id: str,
        run_labels: Mapping[str, str],
        client: docker.DockerClient,
        *,
        progress: Progress,
        free_port: Callable[[], int],
    ) -> None:
        if spec.compose is None:
            raise ValueError(f"stack {spec.name} is not defined by Compose files")
        self.spec = spec
        self.source = spec.compose
        self.name = project_name(spec.name, run_id)
        self.labels = dict(run_labels)
        self.client = client
        self.progress = progress
        self.free_port = free_port
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        self.override_path = self.workdir / "drillbook.override.yml"
        self._networks: dict[str, Any] = {}

    # -- the commands ----------------------------------------------------------------------
    def compose(self, *, with_override: bool = True) -> DockerCompose:
        files = [str(f) for f in self.source.files]
        if with_override:
            files.append(str(self.override_path))
        return _ProjectCompose(
            context=str(self.source.project_dir),
            compose_file_name=files,
            profiles=list(self.source.profiles) or None,
            project_name=self.name,
            wait=True,
        )

    def command(self) -> list[str]:
        """`docker compose ...` for this project, as a runbook's Compose line is run."""
        files = (*self.source.files, self.override_path)
        return ["docker", "compose", *compose_args(files, self.source.profiles), "-p", self.name]

    def up(self) -> None:
        """Write the override and `docker compose up --wait`; fails with the logs of what did
        not become healthy."""
        ensure_compose_plugin(self.progress)
        with warnings.catch_warnings():  # "get_config is experimental": it is Compose's own
            warnings.simplefilter("ignore")
            config = self.compose(with_override=False).get_config()
        self._networks = dict(config.get("networks") or {})
        for attempt in range(1, PORT_ATTEMPTS + 1):
            self._write_override(config)
            self.progress(f"  compose project {self.name}: up (override {self.override_path})")
            try:
                self.compose().start()
                return
            except subprocess.CalledProcessError as exc:
                said = _text(exc.stderr)
                if port_taken_text(said) and attempt < PORT_ATTEMPTS:
                    # a port chosen for the run was taken before Compose bound it: again
                    self.down()
                    continue
                raise DrillbookError(
                    f"docker compose up failed for {self.spec.path}:\n"
                    f"{said.strip()[-2000:]}{self._unhealthy_logs()}",
                    "fix the service named above in the Compose file, or its healthcheck",
                ) from None

    def _write_override(self, config: Mapping[str, Any]) -> None:
        """The override laid over the user's files, with host ports chosen now."""
        self.workdir.mkdir(parents=True, exist_ok=True)  # a retry's `down` removed it
        run = overrides.Run(
            project=self.name,
            labels=self.labels,
            images={
                name: image_ref(s) for name, s in self.spec.services.items() if s.build is not None
            },
            host_ports=self._host_ports(config),
        )
        self.override_path.write_text(
            overrides.dump(overrides.override(self.spec, config, run)), encoding="utf-8"
        )

    def scale(self, service: str, replicas: int) -> None:
        """`docker compose up -d --scale service=N --no-recreate --wait service`."""
        self.run("up", "-d", "--no-recreate", "--wait", "--scale", f"{service}={replicas}", service)

    def run(self, *args: str) -> subprocess.CompletedProcess[bytes]:
        """A Compose subcommand on this project; a failure is a DrillbookError."""
        compose = self.compose()
        try:
            result: subprocess.CompletedProcess[bytes] = compose._run_command(
                cmd=[*compose.compose_command_property, *args]
            )
        except subprocess.CalledProcessError as exc:
            raise DrillbookError(
                f"docker compose {' '.join(args)} failed: {_text(exc.stderr).strip()[-1000:]}"
            ) from None
        return result

    def run_line(
        self, argv: list[str], *, timeout_s: float = LINE_TIMEOUT_S, follow_s: float = FOLLOW_S
    ) -> tuple[bool, str]:
        """A runbook's Compose line, from its words after `docker compose` (`-f prod.yml
        restart api`), run through the real Compose on this project: whether it succeeded,
        and what it printed.

        The line was judged safe before; here its files and project become the drill's.
        A followed log is watched for `follow_s` and stopped, as a person would.
        """
        line = drill_line(["docker", "compose", *argv], self.command())
        limit = follow_s if line.follows else timeout_s
        try:
            done = subprocess.run(
                line.argv,
                cwd=self.source.project_dir,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=limit,
                check=False,
            )
        except subprocess.TimeoutExpired as stopped:
            output = _text(stopped.stdout)
            if line.follows:
                return True, f"{output}[followed for {follow_s:g} s, then stopped]"
            return False, f"{output}[still running after {timeout_s:g} s: stopped]"
        return done.returncode == 0, _text(done.stdout)

    def down(self) -> None:
        """`docker compose down --volumes`; what it leaves, the labelled reaper removes."""
        try:
            if self.override_path.is_file():
                self.compose().stop(down=True)
        except (subprocess.CalledProcessError, OSError) as exc:
            self.progress(f"  compose down of {self.name} failed ({exc}); reaping by label")
        finally:
            shutil.rmtree(self.workdir, ignore_errors=True)

    # -- what runs -------------------------------------------------------------------------
    def containers(self) -> dict[str, list[Container]]:
        """service -> its containers, by Compose's replica number (the first is the primary)."""
        found: dict[str, list[Container]] = {}
        for container in self.client.containers.list(
            all=True, filters={"label": f"{PROJECT_LABEL}={self.name}"}
        ):
            found.setdefault(container.labels.get(SERVICE_LABEL, ""), []).append(container)
        for members in found.values():
            members.sort(key=lambda c: int(c.labels.get(NUMBER_LABEL, "1") or 1))
        return found

    def host_port(self, container: Container, port: int) -> int:
        """The loopback port `port` of the container is published on (0 if none)."""
        bindings = (container.attrs["NetworkSettings"].get("Ports") or {}).get(f"{port}/tcp")
        return int(bindings[0]["HostPort"]) if bindings else 0

    def network(self) -> str:
        """The project's default network, or its first where the files name their own."""
        for key in sorted(self._networks, key=lambda k: k != "default"):
            return str((self._networks[key] or {}).get("name") or f"{self.name}_{key}")
        return f"{self.name}_default"

    # -- internals -------------------------------------------------------------------------
    def _host_ports(self, config: Mapping[str, Any]) -> dict[str, dict[int, int]]:
        ports: dict[str, dict[int, int]] = {}
        for name, cfg in (config.get("services") or {}).items():
            wanted = overrides.target_ports(cfg, main_port(cfg) or self.spec.services[name].port)
            ports[name] = {port: self.free_port() for port in wanted}
        if self.spec.proxy:
            ports[PROXY] = {PROXY_API_PORT: self.free_port()}
        return ports

    def _unhealthy_logs(self) -> str:
        shown = []
        for name, members in self.containers().items():
            for container in members:
                health = (container.attrs["State"].get("Health") or {}).get("Status")
                if container.status != "running" or health not in (None, "healthy"):
                    logs = bytes(container.logs(tail=_TAIL)).decode(errors="replace")
                    state = health or container.status
                    shown.append(f"\n--- {name} ({state}), last log lines:\n{logs.rstrip()}")
        return "".join(shown)


def _text(data: bytes | str | None) -> str:
    if isinstance(data, bytes):
        return data.decode(errors="replace")
    return data or ""
