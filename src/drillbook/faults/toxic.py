"""Network faults on a dependency link, through the stack's Toxiproxy.

Each fault is one toxic (or, for `link-down`, the proxy disabled) on one link, one direction
(`downstream`: replies towards the caller; `upstream`: requests towards the dependency), hitting
a share of the connections (`toxicity`). Toxics act on open connections as well as new ones.
The toxic is named after the fault, so revert removes its own toxic and no other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from drillbook.faults.access import MARKER, container_of
from drillbook.faults.base import Fault, Params, param, register, resolve_link
from drillbook.stack.toxiproxy import STREAMS, Link, Toxic

if TYPE_CHECKING:
    from drillbook.stack import Stack


@dataclass(frozen=True, kw_only=True)
class LinkParams(Params):
    link: str = param("the link: its name (api-redis) or its target service", refers_to="link")


@dataclass(frozen=True, kw_only=True)
class ToxicParams(LinkParams):
    stream: str = param(
        "direction: downstream (replies) or upstream (requests)",
        default="downstream",
        choices=STREAMS,
    )
    toxicity: float = param(
        "share of the connections affected", default=1.0, minimum=0.0, maximum=1.0
    )


@dataclass(frozen=True, kw_only=True)
class LatencyParams(ToxicParams):
    latency_ms: int = param(
        "delay added to every chunk of data", minimum=0, maximum=3_600_000, unit="ms"
    )
    jitter_ms: int = param(
        "random variation of the delay (±)", default=0, minimum=0, maximum=3_600_000, unit="ms"
    )


@dataclass(frozen=True, kw_only=True)
class TimeoutParams(ToxicParams):
    timeout_ms: int = param(
        "data stops; the connection is closed after this long (0: held open forever)",
        default=0,
        minimum=0,
        maximum=3_600_000,
        unit="ms",
    )


@dataclass(frozen=True, kw_only=True)
class ResetPeerParams(ToxicParams):
    timeout_ms: int = param(
        "connections are reset (TCP RST) after this long",
        default=0,
        minimum=0,
        maximum=3_600_000,
        unit="ms",
    )


@dataclass(frozen=True, kw_only=True)
class BandwidthParams(ToxicParams):
    rate_kbps: int = param("throughput limit", minimum=0, maximum=10_000_000, unit="KB/s")


@dataclass(frozen=True, kw_only=True)
class SlicerParams(ToxicParams):
    average_size: int = param("average size of a slice", minimum=1, unit="bytes")
    size_variation: int = param(
        "random variation of the slice size, below average_size", default=0, minimum=0
    )
    delay_us: int = param("delay between slices", default=0, minimum=0, unit="µs")

    def check(self) -> str | None:
        if self.size_variation >= self.average_size:
            return "size_variation: must be below average_size"
        return None


@dataclass(frozen=True, kw_only=True)
class LimitDataParams(ToxicParams):
    bytes: int = param("the connection is closed once this much has passed", minimum=0)


TP = TypeVar("TP", bound=ToxicParams)


def _link(stack: Stack, link: str) -> Link:
    name = resolve_link(stack.spec, link)
    assert name is not None and stack.spec.proxy is not None  # checked when the fault was made
    container_of(stack, stack.spec.proxy)  # refuses a proxy container drillbook does not own
    return stack.links[name]


class _ToxicFault(Fault[TP]):
    """One toxic of `toxic_type` on one link."""

    category = "network"
    toxic_type: str

    def attributes(self) -> dict[str, int]:
        raise NotImplementedError

    @property
    def toxic_name(self) -> str:
        return f"{MARKER}{self.kind}-{self.id}"

    def _inject(self) -> None:
        p = self.params
        _link(self.stack, self.params.link).add_toxic(
            Toxic(self.toxic_name, self.toxic_type, p.stream, p.toxicity, self.attributes())
        )

    def _revert(self) -> None:
        _link(self.stack, self.params.link).remove_toxic(self.toxic_name)

    def _where(self) -> str:
        p = self.params
        share = "" if p.toxicity == 1.0 else f", {p.toxicity:.0%} of connections"
        return f"on {resolve_link(self.stack.spec, p.link)} {p.stream}{share}"


@register
class Latency(_ToxicFault[LatencyParams]):
    kind = "latency"
    summary = "Delay the data on a link (+ jitter)"
    params_type = LatencyParams
    toxic_type = "latency"

    def attributes(self) -> dict[str, int]:
        return {"latency": self.params.latency_ms, "jitter": self.params.jitter_ms}

    def describe(self) -> str:
        jitter = f" ± {self.params.jitter_ms} ms" if self.params.jitter_ms else ""
        return f"latency {self.params.latency_ms} ms{jitter} {self._where()}"


@register
class Timeout(_ToxicFault[TimeoutParams]):
    kind = "timeout"
    summary = "Stop all data on a link; close the connection after a timeout (0: never)"
    params_type = TimeoutParams
    toxic_type = "timeout"

    def attributes(self) -> dict[str, int]:
        return {"timeout": self.params.timeout_ms}

    def describe(self) -> str:
        return f"black hole (timeout {self.params.timeout_ms} ms) {self._where()}"


@register
class ResetPeer(_ToxicFault[ResetPeerParams]):
    kind = "reset-peer"
    summary = "Reset the connections of a link (TCP RST) after a timeout"
    params_type = ResetPeerParams
    toxic_type = "reset_peer"

    def attributes(self) -> dict[str, int]:
        return {"timeout": self.params.timeout_ms}

    def describe(self) -> str:
        return f"connection reset after {self.params.timeout_ms} ms {self._where()}"


@register
class Bandwidth(_ToxicFault[BandwidthParams]):
    kind = "bandwidth"
    summary = "Limit the throughput of a link"
    params_type = BandwidthParams
    toxic_type = "bandwidth"

    def attributes(self) -> dict[str, int]:
        return {"rate": self.params.rate_kbps}

    def describe(self) -> str:
        return f"bandwidth {self.params.rate_kbps} KB/s {self._where()}"


@register
class Slicer(_ToxicFault[SlicerParams]):
    kind = "slicer"
    summary = "Cut the data of a link into small slices sent with a delay between them"
    params_type = SlicerParams
    toxic_type = "slicer"

    def attributes(self) -> dict[str, int]:
        p = self.params
        return {
            "average_size": p.average_size,
            "size_variation": p.size_variation,
            "delay": p.delay_us,
        }

    def describe(self) -> str:
        p = self.params
        return f"slices of ~{p.average_size} B every {p.delay_us} µs {self._where()}"


@register
class LimitData(_ToxicFault[LimitDataParams]):
    kind = "limit-data"
    summary = "Close the connections of a link once a number of bytes has passed"
    params_type = LimitDataParams
    toxic_type = "limit_data"

    def attributes(self) -> dict[str, int]:
        return {"bytes": self.params.bytes}

    def describe(self) -> str:
        return f"connections closed after {self.params.bytes} B {self._where()}"


@register
class LinkDown(Fault[LinkParams]):
    kind = "link-down"
    category = "network"
    summary = "Take a link down: its proxy is disabled, open connections closed, new ones refused"
    params_type = LinkParams

    def _inject(self) -> None:
        _link(self.stack, self.params.link).disable()

    def _revert(self) -> None:
        _link(self.stack, self.params.link).enable()

    def describe(self) -> str:
        return f"link {resolve_link(self.stack.spec, self.params.link)} down"
