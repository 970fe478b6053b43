"""A folder of Kubernetes manifests, read as a stack: its workloads become services.

    manifests = read_manifests(Path("fixtures/kubernetes"))
    manifests.workloads["api"].kind == "Deployment"

Every `*.yaml`/`*.yml` file of the folder is read, each document at its file and line (the
user's files are only read, never written). A Deployment or StatefulSet is a service, named
as the workload; its port is its first container's first `containerPort`; it must say when
it is ready (a `readinessProbe`), as a Compose service must have a healthcheck. Objects
outside a namespace (ClusterRoles, PersistentVolumes, ...) are refused: drillbook works only
in the namespace it creates; so are pods reaching the host (`hostaccess`). `drillbook.yaml`
in the folder holds what manifests cannot say (`name:`, `writes:`) and is not a manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from drillbook.errors import SourceError
from drillbook.stack.kube.hostaccess import refuse_host_access
from drillbook.stack.kube.shape import check_object, check_workload
from drillbook.yamlsource import Mapping, loads_yaml_all

WORKLOAD_KINDS = ("Deployment", "StatefulSet")
# What drillbook may create in its own namespace; anything else is refused with its line.
NAMESPACED_KINDS = (
    *WORKLOAD_KINDS,
    "Service",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "PersistentVolumeClaim",
    "Job",
    "CronJob",
    "DaemonSet",
    "PodDisruptionBudget",
    "NetworkPolicy",
    "Role",
    "RoleBinding",
    "Pod",
    "Ingress",
    "HorizontalPodAutoscaler",
)
EXTENSION_FILE = "drillbook.yaml"


@dataclass(frozen=True)
class Manifest:
    """One object of the user's manifests, where it was written."""

    doc: Mapping
    path: Path
    line: int

    @property
    def kind(self) -> str:
        return str(self.doc.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.doc.get("metadata") or {}).get("name", ""))

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Manifests:
    """The objects of a folder of manifests, in file order, and its workloads by name."""

    folder: Path
    objects: tuple[Manifest, ...]

    @property
    def workloads(self) -> dict[str, Manifest]:
        return {m.name: m for m in self.objects if m.kind in WORKLOAD_KINDS}

    def workload(self, name: str) -> Manifest:
        """The Deployment or StatefulSet `name`, or a SourceError naming the ones there are."""
        try:
            return self.workloads[name]
        except KeyError:
            known = ", ".join(sorted(self.workloads)) or "none"
            raise SourceError(
                str(self.folder), None, f"no workload {name!r}", f"workloads: {known}"
            ) from None


def read_manifests(folder: Path) -> Manifests:
    """Every object of the folder's YAML files, checked; errors at file:line with a fix."""
    if not folder.is_dir():
        raise SourceError(str(folder), None, "not a folder of Kubernetes manifests")
    files = sorted(
        p
        for p in folder.iterdir()
        if p.suffix in (".yaml", ".yml") and p.name != EXTENSION_FILE and p.is_file()
    )
    objects = [m for path in files for m in _documents(path)]
    for m in objects:
        _check(m)
    if not any(m.kind in WORKLOAD_KINDS for m in objects):
        raise SourceError(
            str(folder), None, "no Deployment or StatefulSet in these manifests",
            "a stack needs at least one workload (kind: Deployment or StatefulSet)",
        )  # fmt: skip
    names: dict[tuple[str, str], Manifest] = {}
    for m in objects:
        earlier = names.setdefault((m.kind, m.name), m)
        if earlier is not m:
            raise SourceError(
                str(m.path), m.line, f"{m.kind} {m.name!r} is defined twice",
                f"the first is at {earlier.where}",
            )  # fmt: skip
    return Manifests(folder, tuple(objects))


def _documents(path: Path) -> list[Manifest]:
    """Each `---`-separated document of one file, with drillbook's line-keeping mappings."""
    docs = loads_yaml_all(path.read_text(encoding="utf-8"), str(path))
    manifests = []
    for doc in docs:
        if doc is None:
            continue
        if not isinstance(doc, Mapping):
            raise SourceError(
                str(path), None, "every document must be a mapping (apiVersion, kind)"
            )
        manifests.append(Manifest(doc, path, doc.line))
    return manifests


def _check(m: Manifest) -> None:
    check_object(m.doc, str(m.path))
    if not m.kind or "apiVersion" not in m.doc:
        raise SourceError(str(m.path), m.line, "a manifest needs apiVersion and kind")
    if not m.name:
        raise SourceError(str(m.path), m.line, f"{m.kind} has no metadata.name")
    if m.kind == "Namespace":
        return  # left out when applied: the drill's own namespace replaces it
    if m.kind not in NAMESPACED_KINDS:
        raise SourceError(
            str(m.path), m.line,
            f"{m.kind} {m.name!r} is not an object drillbook creates in its own namespace",
            "keep cluster-wide objects (ClusterRoles, PersistentVolumes, CRDs) out of the "
            "drill's manifests; drillbook works only in the namespace it creates",
        )  # fmt: skip
    refuse_host_access(m.doc, str(m.path))
    if m.kind in WORKLOAD_KINDS:
        check_workload(m.doc, str(m.path))
        container = first_container(m)
        if "readinessProbe" not in container:
            raise SourceError(
                str(m.path), container.line,
                f"{m.kind} {m.name!r}: container {container.get('name')!r} has no readinessProbe",
                "add one (httpGet, exec or tcpSocket): drillbook waits on it",
            )  # fmt: skip


def first_container(m: Manifest) -> Mapping:
    """The workload's first container (the service's own), or a located error."""
    spec = ((m.doc.get("spec") or {}).get("template") or {}).get("spec") or {}
    containers = spec.get("containers") or []
    if not containers or not isinstance(containers[0], Mapping):
        raise SourceError(str(m.path), m.line, f"{m.kind} {m.name!r} has no containers")
    container: Mapping = containers[0]
    return container
