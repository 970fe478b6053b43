"""What in a manifest's pods would reach the host: refused at its file:line.

drillbook's cluster runs its kubelet on this machine, as root: a pod on the host's network,
with its process or IPC namespace, a hostPath volume, a host port or a privileged container
is the host itself, not a drill's workload. The drill namespace also enforces the Pod
Security `baseline` level (`stack.KubeStack`), which refuses the same pods made at run time;
reading the manifests says so before anything starts, at the line to change.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from drillbook.errors import SourceError
from drillbook.yamlsource import Mapping

_HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")
_FIX = "drill workloads stay in their pods: take it out (a drill needs no access to the host)"


def refuse_host_access(doc: Mapping, path: str) -> None:
    """SourceError at the first field of `doc`'s pod spec (if it has one) reaching the host."""
    spec = pod_spec(doc)
    if spec is None:
        return
    for key in _HOST_NAMESPACES:
        if spec.get(key) is True:
            raise SourceError(path, spec.line_of(key), f"{key}: true shares the host's", _FIX)
    for volume in _mappings(spec.get("volumes")):
        if "hostPath" in volume:
            raise SourceError(path, volume.line, "a hostPath volume mounts the host's files", _FIX)
    for container in _containers(spec):
        context = container.get("securityContext")
        if isinstance(context, Mapping) and context.get("privileged") is True:
            raise SourceError(
                path, context.line_of("privileged"), "a privileged container is root on the host",
                _FIX,
            )  # fmt: skip
        for port in _mappings(container.get("ports")):
            if port.get("hostPort"):
                raise SourceError(
                    path, port.line, "a hostPort listens on the host's addresses", _FIX
                )


def pod_spec(doc: Mapping) -> Mapping | None:
    """The pod spec of a Pod, a workload's template or a CronJob's job template; None if none."""
    kind = doc.get("kind")
    spec: Any = doc.get("spec")
    if kind == "CronJob":
        spec = _get(_get(spec, "jobTemplate"), "spec")
    if kind != "Pod":
        spec = _get(_get(spec, "template"), "spec")
    return spec if isinstance(spec, Mapping) else None


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, Mapping) else None


def _containers(spec: Mapping) -> Iterator[Mapping]:
    for key in ("initContainers", "containers", "ephemeralContainers"):
        yield from _mappings(spec.get(key))


def _mappings(value: Any) -> Iterator[Mapping]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, Mapping))
