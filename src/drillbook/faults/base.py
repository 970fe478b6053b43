"""Fault: something that breaks a running stack with `inject()` and puts it back with `revert()`.

    with make_fault(stack, "latency", link="api-redis", latency_ms=300):
        ...  # every reply from Redis to the api arrives 300 ms late

A fault type is a Fault subclass registered under a `kind` (the name a scenario spells), with
a frozen dataclass of parameters. Parameters are checked before anything is injected: first
their types and ranges (pure, `parse_params`), then against the stack definition (`check`:
unknown services or links), each failure naming the parameter.

`revert()` is idempotent and also undoes a half-done `inject()`; run it in a finalizer.
"""

from __future__ import annotations

import dataclasses
import types
import typing
import uuid
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import MISSING, dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from drillbook.errors import DrillbookError

if TYPE_CHECKING:
    from drillbook.stack import Stack, StackSpec
    from drillbook.stack.backend import StackBackend

_INFO = "drillbook.param"


class FaultParamError(DrillbookError):
    """A fault parameter that cannot be used; raised before anything is injected."""

    def __init__(self, kind: str, param: str | None, message: str, hint: str | None = None):
        self.kind = kind
        self.param = param
        where = f"fault {kind!r}" + (f", parameter {param!r}" if param else "")
        super().__init__(f"{where}: {message}", hint)


@dataclass(frozen=True)
class ParamInfo:
    """What a scenario author needs to know about one parameter, and its bounds."""

    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    unit: str | None = None
    refers_to: str | None = None  # "service" or "link": must exist in the stack definition


def param(
    help: str,
    *,
    default: Any = MISSING,
    minimum: float | None = None,
    maximum: float | None = None,
    choices: tuple[str, ...] = (),
    unit: str | None = None,
    refers_to: str | None = None,
) -> Any:
    """A dataclass field of a fault's parameters, with its documentation and bounds."""
    info = ParamInfo(help, minimum, maximum, choices, unit, refers_to)
    return dataclasses.field(default=default, metadata={_INFO: info})


@dataclass(frozen=True, kw_only=True)
class Params:
    """Base of every fault's parameters. Subclasses are frozen, keyword-only dataclasses."""

    def check(self) -> str | None:
        """Checks across parameters: `"param: why"` when they do not fit together."""
        return None


@dataclass(frozen=True, kw_only=True)
class ServiceParams(Params):
    """Parameters of a fault on one service of the stack."""

    service: str = param("the service to break", refers_to="service")


@dataclass(frozen=True)
class ParamDoc:
    """One parameter as `drillbook faults list` shows it."""

    name: str
    type: str
    required: bool
    default: Any
    info: ParamInfo

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"name": self.name, "type": self.type, "required": self.required}
        if not self.required:
            doc["default"] = self.default
        for key, value in (
            ("min", self.info.minimum),
            ("max", self.info.maximum),
            ("unit", self.info.unit),
            ("refers_to", self.info.refers_to),
        ):
            if value is not None:
                doc[key] = value
        if self.info.choices:
            doc["choices"] = list(self.info.choices)
        doc["help"] = self.info.help
        return doc


_TYPES: dict[type, str] = {str: "string", int: "integer", float: "number", bool: "boolean"}


def _base_type(annotation: Any) -> tuple[type, bool]:
    """(scalar type, whether None is allowed) of a parameter annotation."""
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0], True
    return annotation, False


def param_docs(params_type: type[Params]) -> list[ParamDoc]:
    hints = typing.get_type_hints(params_type)
    docs = []
    for f in dataclasses.fields(params_type):
        base, _ = _base_type(hints[f.name])
        required = f.default is MISSING
        docs.append(
            ParamDoc(
                f.name, _TYPES[base], required, None if required else f.default, f.metadata[_INFO]
            )
        )
    return docs


def _coerce(kind: str, name: str, value: Any, annotation: Any) -> Any:
    base, optional = _base_type(annotation)
    if value is None and optional:
        return None
    ok = (
        isinstance(value, bool)
        if base is bool
        else isinstance(value, int) and not isinstance(value, bool)
        if base is int
        else isinstance(value, int | float) and not isinstance(value, bool)
        if base is float
        else isinstance(value, str) and value != ""
    )
    if not ok:
        article = "an" if _TYPES[base][0] in "aeiou" else "a"
        raise FaultParamError(kind, name, f"must be {article} {_TYPES[base]}, got {value!r}")
    return float(value) if base is float else value


def parse_params(kind: str, params_type: type[Params], values: Mapping[str, Any]) -> Params:
    """Build a fault's parameters from a scenario's mapping: types, ranges and choices checked.

    Pure: nothing about the running stack is looked at.
    """
    hints = typing.get_type_hints(params_type)
    fields = {f.name: f for f in dataclasses.fields(params_type)}
    for key in values:
        if key not in fields:
            known = ", ".join(fields) or "none"
            raise FaultParamError(kind, key, "unknown parameter", f"parameters are: {known}")
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        info: ParamInfo = f.metadata[_INFO]
        if name not in values:
            if f.default is MISSING:
                raise FaultParamError(kind, name, f"is required ({info.help})")
            continue
        value = _coerce(kind, name, values[name], hints[name])
        if value is not None:
            if info.minimum is not None and value < info.minimum:
                raise FaultParamError(kind, name, f"must be >= {info.minimum:g}, got {value!r}")
            if info.maximum is not None and value > info.maximum:
                raise FaultParamError(kind, name, f"must be <= {info.maximum:g}, got {value!r}")
            if info.choices and value not in info.choices:
                raise FaultParamError(
                    kind, name, f"must be one of {', '.join(info.choices)}, got {value!r}"
                )
        kwargs[name] = value
    params = params_type(**kwargs)
    problem = params.check()
    if problem:
        name, _, why = problem.partition(": ")
        raise FaultParamError(kind, name, why)
    return params


def check_references(kind: str, params: Params, spec: StackSpec) -> None:
    """Services and links named by the parameters must exist in the stack definition."""
    for f in dataclasses.fields(params):
        info: ParamInfo = f.metadata[_INFO]
        value = getattr(params, f.name)
        if value is None or info.refers_to is None:
            continue
        if info.refers_to == "service" and value not in spec.services:
            known = ", ".join(sorted(spec.services))
            raise FaultParamError(
                kind, f.name, f"unknown service {value!r}", f"services are: {known}"
            )
        if info.refers_to == "link" and resolve_link(spec, value) is None:
            known = ", ".join(link.name for link in spec.links) or "none"
            raise FaultParamError(kind, f.name, f"unknown link {value!r}", f"links are: {known}")


def resolve_link(spec: StackSpec, value: str) -> str | None:
    """A link's name from its name (`api-redis`) or its target service (`redis`)."""
    for link in spec.links:
        if value == link.name:
            return link.name
    targets = [link.name for link in spec.links if link.target == value]
    return targets[0] if len(targets) == 1 else None


P = TypeVar("P", bound=Params)


def check_backend(kind: str, category: str, spec: StackSpec) -> None:
    """A Kubernetes fault needs a stack on Kubernetes, a container fault one of containers."""
    on_cluster = spec.kubernetes is not None
    if (category == "kubernetes") == on_cluster:
        return
    kube_kinds = ", ".join(sorted(k for k, c in _REGISTRY.items() if c.category == "kubernetes"))
    if on_cluster:
        raise FaultParamError(
            kind, None, "acts on Docker containers, but this stack runs on Kubernetes",
            f"use a Kubernetes fault: {kube_kinds}",
        )  # fmt: skip
    raise FaultParamError(
        kind, None, "acts on Kubernetes workloads, but this stack runs Docker containers",
        "run it with --stack pointing at a folder of manifests",
    )  # fmt: skip


class Fault(ABC, Generic[P]):
    """One injectable fault on one stack. Use as a context manager, or call revert() in a
    finalizer: revert is idempotent and also cleans up after a failed inject."""

    kind: ClassVar[str]
    category: ClassVar[str]
    summary: ClassVar[str]
    params_type: ClassVar[type[Params]]

    def __init__(self, stack: Stack, params: P) -> None:
        self.stack = stack
        self.params = params
        # Names what this fault leaves in the stack (toxics, rules, processes) so that revert
        # removes exactly its own, and a scan can find any drillbook leftover.
        self.id = f"{stack.run_id}-{uuid.uuid4().hex[:6]}"
        self._active = False
        check_references(self.kind, params, stack.spec)
        check_backend(self.kind, self.category, stack.spec)
        self.check(stack.spec)

    def check(self, spec: StackSpec) -> None:
        """Checks against the stack definition beyond existence; raise FaultParamError."""

    @abstractmethod
    def _inject(self) -> None: ...

    @abstractmethod
    def _revert(self) -> None: ...

    @abstractmethod
    def describe(self) -> str:
        """One line for reports: what is broken, where, how much."""

    @property
    def active(self) -> bool:
        """Whether inject() was called and revert() has not yet completed."""
        return self._active

    def inject(self) -> None:
        """Break the stack. A second call while injected does nothing."""
        if self._active:
            return
        # Marked first: if injecting fails half-way, revert() still undoes the half.
        self._active = True
        self._inject()

    def revert(self) -> None:
        """Undo the fault and wait until the touched service is ready again. Idempotent: does
        nothing if not injected; if it fails it stays active and may be retried."""
        if not self._active:
            return
        self._revert()
        self._active = False

    def as_dict(self) -> dict[str, Any]:
        """The fault as a scenario spells it."""
        return {"type": self.kind, **dataclasses.asdict(self.params)}

    def __enter__(self) -> Fault[P]:
        self.inject()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.revert()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}{' (active)' if self._active else ''}>"


_REGISTRY: dict[str, type[Fault[Any]]] = {}
CATEGORIES = (
    "container",
    "resources",
    "network",
    "kernel",
    "provider",
    "data",
    "traffic",
    "kubernetes",
)

F = TypeVar("F", bound=type[Fault[Any]])


def register(cls: F) -> F:
    """Class decorator: make a fault type available under its kind."""
    if cls.kind in _REGISTRY:
        raise AssertionError(f"fault kind {cls.kind!r} registered twice")
    if cls.category not in CATEGORIES:
        raise AssertionError(f"unknown fault category {cls.category!r}")
    _REGISTRY[cls.kind] = cls
    return cls


def fault_types() -> list[type[Fault[Any]]]:
    """Every registered fault type, by category."""
    return sorted(_REGISTRY.values(), key=lambda c: CATEGORIES.index(c.category))


def fault_type(kind: str) -> type[Fault[Any]]:
    try:
        return _REGISTRY[kind]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise FaultParamError(kind, None, "unknown fault type", f"types are: {known}") from None


def parse(kind: str, values: Mapping[str, Any]) -> Params:
    """The parameters of a fault of `kind`, checked without the stack (pure)."""
    cls = fault_type(kind)
    return parse_params(kind, cls.params_type, values)


@dataclass(frozen=True)
class _Definition:
    """What making a fault reads of a stack: enough to check one against a stack file."""

    spec: StackSpec
    run_id: str = "check"


def validate(kind: str, values: Mapping[str, Any], spec: StackSpec) -> Params:
    """Every check `make_fault` makes, against the stack definition only (no Docker): the
    parameters, the services and links they name, and what the fault type needs of them
    (a size-limited volume, a memory limit)."""
    cls = fault_type(kind)
    params = parse_params(kind, cls.params_type, values)
    cls(typing.cast("Stack", _Definition(spec)), params)
    return params


def make_fault(stack: StackBackend, kind: str, /, **values: Any) -> Fault[Any]:
    """A fault of `kind` on `stack`, its parameters fully checked; nothing is injected yet.

    A Kubernetes stack takes only Kubernetes faults, a Docker stack only the others
    (`check_backend`, on the stack's definition); a Kubernetes fault reaches its KubeStack
    through its checked `kube` property, so `Fault.stack` keeps the Docker stack's type.
    """
    cls = fault_type(kind)
    return cls(typing.cast("Stack", stack), parse_params(kind, cls.params_type, values))


def fault_from_mapping(stack: Stack, spec: Mapping[str, Any]) -> Fault[Any]:
    """A fault as a scenario YAML spells it: `{type: latency, link: api-redis, ...}`."""
    values = dict(spec)
    kind = values.pop("type", None)
    if not isinstance(kind, str):
        raise FaultParamError("?", "type", "a fault needs a 'type'")
    return make_fault(stack, kind, **values)


def catalogue() -> list[dict[str, Any]]:
    """Every fault type with its parameters, as `drillbook faults list --json` prints it."""
    return [
        {
            "type": cls.kind,
            "category": cls.category,
            "description": cls.summary,
            "params": [d.as_json() for d in param_docs(cls.params_type)],
        }
        for cls in fault_types()
    ]
