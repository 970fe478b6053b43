"""A folder of manifests read into a StackSpec, so lint, names and scenarios work unchanged.

    spec = load_kube_spec(Path("fixtures/kubernetes"))
    spec.services["api"].port == 8000; spec.kubernetes.folder == Path(".../fixtures/kubernetes")

Each Deployment or StatefulSet is a service: its first container's port, environment, memory
limit and readiness probe. `drillbook.yaml` beside the manifests may name the stack
(`name:`), the workload users reach (`entry:`, default `api`) and where acknowledged writes
are kept (`writes: {service, command}`, as in `stack.yaml`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drillbook.errors import DrillbookError, SourceError
from drillbook.stack.kube.manifests import EXTENSION_FILE, Manifest, first_container, read_manifests
from drillbook.stack.spec import (
    KubernetesSource,
    Readiness,
    ServiceSpec,
    StackSpec,
    WritesCheck,
    read_writes,
)
from drillbook.yamlsource import Mapping, load_yaml


def is_kubernetes(path: str) -> bool:
    """Whether `path` names a folder of Kubernetes manifests (a stack.yaml is a file)."""
    return Path(path).is_dir()


def load_kube_spec(folder: str | Path) -> StackSpec:
    """The stack a folder of manifests defines; errors at file:line with a fix."""
    folder = Path(folder).resolve()
    manifests = read_manifests(folder)
    services = {name: _service(m) for name, m in manifests.workloads.items()}
    extension = _extension(folder)
    name = str(extension.get("name") or folder.name)
    writes = _writes(extension, folder / EXTENSION_FILE, services)
    entry = _entry(extension, folder / EXTENSION_FILE, services)
    return StackSpec(
        name=name,
        path=folder,
        services=services,
        writes=writes,
        kubernetes=KubernetesSource(folder),
        entry_service=entry,
    )


def _service(m: Manifest) -> ServiceSpec:
    container = first_container(m)
    ports = container.get("ports") or []
    if not ports or "containerPort" not in ports[0]:
        raise SourceError(
            str(m.path), container.line, f"{m.kind} {m.name!r} declares no containerPort",
            "add `ports: [{containerPort: N}]` to its first container: probes reach it there",
        )  # fmt: skip
    limits = (container.get("resources") or {}).get("limits") or {}
    env = {
        str(e["name"]): str(e.get("value", ""))
        for e in container.get("env") or []
        if isinstance(e, dict) and "name" in e and "value" in e
    }
    return ServiceSpec(
        name=m.name,
        port=int(ports[0]["containerPort"]),
        ready=_readiness(container["readinessProbe"]),
        image=str(container.get("image", "")),
        env=env,
        memory=str(limits["memory"]) if "memory" in limits else None,
        command=tuple(str(a) for a in container.get("command") or ()),
        line=m.line,
    )


def _readiness(probe: Any) -> Readiness:
    """The probe as drillbook's Readiness (informational: the cluster's Ready condition rules)."""
    probe = probe or {}
    if "httpGet" in probe:
        return Readiness(http=str(probe["httpGet"].get("path", "/")))
    if "exec" in probe:
        return Readiness(command=tuple(str(a) for a in probe["exec"].get("command") or ()))
    return Readiness(health=True)


def _extension(folder: Path) -> Mapping:
    path = folder / EXTENSION_FILE
    if not path.is_file():
        return Mapping()
    doc = load_yaml(path)
    if doc is None:
        return Mapping()
    if not isinstance(doc, Mapping):
        raise SourceError(str(path), 1, "drillbook.yaml must be a mapping (name:, entry:, writes:)")
    for key in doc:
        if key not in ("name", "entry", "writes"):
            raise SourceError(
                str(path), doc.line_of(key), f"unknown key {key!r}",
                "allowed keys: name, entry, writes",
            )  # fmt: skip
    return doc


def _writes(extension: Mapping, path: Path, services: dict[str, ServiceSpec]) -> WritesCheck | None:
    return read_writes(path, extension, services) if "writes" in extension else None


def _entry(extension: Mapping, path: Path, services: dict[str, ServiceSpec]) -> str | None:
    """`entry:`, the workload users reach (load and a runbook's localhost URLs go there)."""
    if "entry" not in extension:
        return None
    entry = str(extension["entry"])
    if entry not in services:
        known = ", ".join(sorted(services))
        raise SourceError(
            str(path), extension.line_of("entry"), f"entry: no workload {entry!r}",
            f"workloads: {known}",
        )  # fmt: skip
    return entry


def refuse_manifests(spec: StackSpec) -> None:
    """Kubernetes manifests are not a Docker stack (`drillbook.stack.kube` runs them)."""
    if spec.kubernetes is not None:
        raise DrillbookError(
            f"{spec.path} is Kubernetes manifests: they run on a cluster, not in Docker",
            "drill them with `drillbook run --stack FOLDER SCENARIO...` or `pytest -m k8s`",
        )
