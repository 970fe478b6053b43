"""The shape of the manifest fields drillbook reads: each of the type it must be, or an error at
its file:line (never a traceback from deep inside the reading).

kubectl would refuse these manifests too, but only once the drill is starting; drillbook reads
the same fields earlier (a workload's containers, ports, probe, limits, environment) and says
what is wrong where it is written.
"""

from __future__ import annotations

from typing import Any, NoReturn

from drillbook.errors import SourceError
from drillbook.yamlsource import Mapping

_CONTAINER_MAPPINGS = ("resources", "readinessProbe", "securityContext")
_CONTAINER_LISTS = ("ports", "env", "command", "args")
_PROBE_MAPPINGS = ("httpGet", "exec", "tcpSocket", "grpc")


def check_object(doc: Mapping, path: str) -> None:
    """`kind` a word and `metadata` a mapping with a `name` word."""
    kind = doc.get("kind")
    if kind is not None and not isinstance(kind, str):
        _wrong(path, doc.line_of("kind"), "kind", "a word (Deployment, Service, ...)", kind)
    meta = doc.get("metadata")
    if meta is not None:
        meta = _mapping(path, doc, "metadata")
        name = meta.get("name")
        if name is not None and not isinstance(name, str):
            _wrong(path, meta.line_of("name"), "metadata.name", "a name", name)


def check_workload(doc: Mapping, path: str) -> None:
    """A Deployment's or StatefulSet's pod template and its containers, as drillbook reads them."""
    spec = _mapping(path, doc, "spec")
    template = _mapping(path, spec, "template", "spec.template")
    pod = _mapping(path, template, "spec", "spec.template.spec")
    for key in ("initContainers", "containers"):
        for container in _list_of_mappings(path, pod, key):
            check_container(container, path)


def check_container(container: Mapping, path: str) -> None:
    """The fields of one container that drillbook reads."""
    image = container.get("image")
    if image is not None and not isinstance(image, str):
        _wrong(path, container.line_of("image"), "image", "an image reference", image)
    for key in _CONTAINER_MAPPINGS:
        _mapping(path, container, key, optional=True)
    for key in _CONTAINER_LISTS:
        _list(path, container, key)
    for port in _list_of_mappings(path, container, "ports"):
        number = port.get("containerPort")
        if not isinstance(number, int) or isinstance(number, bool):
            _wrong(path, port.line_of("containerPort"), "containerPort", "a port number", number)
    resources = container.get("resources") or Mapping()
    _mapping(path, resources, "limits", "resources.limits", optional=True)
    probe = container.get("readinessProbe") or Mapping()
    for key in _PROBE_MAPPINGS:
        if key in probe:
            _mapping(path, probe, key, f"readinessProbe.{key}")


def _mapping(
    path: str, parent: Mapping, key: str, what: str = "", *, optional: bool = False
) -> Mapping:
    value = parent.get(key)
    if value is None and optional:
        return Mapping()
    if not isinstance(value, Mapping):
        _wrong(path, parent.line_of(key), what or key, "a mapping", value)
    return value


def _list(path: str, parent: Mapping, key: str) -> list[Any]:
    value = parent.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        _wrong(path, parent.line_of(key), key, "a list", value)
    return value


def _list_of_mappings(path: str, parent: Mapping, key: str) -> list[Mapping]:
    items = _list(path, parent, key)
    for item in items:
        if not isinstance(item, Mapping):
            _wrong(path, parent.line_of(key), f"each of {key}", "a mapping", item)
    return items


def _wrong(path: str, line: int, what: str, should: str, value: Any) -> NoReturn:
    raise SourceError(
        path, line, f"{what} must be {should}, not {value!r}",
        "see the field in `kubectl explain` (e.g. `kubectl explain deployment.spec.template`)",
    )  # fmt: skip
