"""LLM provider faults, set on the provider simulator's control endpoint.

`POST /control` takes `{latency_ms, hang, error_rate, rate_limit_rate}` and `GET /control`
reads them back. Each fault changes only its own fields (read, merge, write), so faults of
different types can be layered, and revert puts its fields back to normal service.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from drillbook.errors import DrillbookError
from drillbook.faults.access import service_of
from drillbook.faults.base import Fault, ServiceParams, param, register
from drillbook.stack.network import require_loopback

if TYPE_CHECKING:
    from drillbook.stack import Service

NORMAL: dict[str, Any] = {"latency_ms": 0, "hang": False, "error_rate": 0, "rate_limit_rate": 0}
_TIMEOUT_S = 5.0


@dataclass(frozen=True, kw_only=True)
class ProviderParams(ServiceParams):
    service: str = param("the provider simulator to break", default="provider", refers_to="service")


@dataclass(frozen=True, kw_only=True)
class ProviderLatencyParams(ProviderParams):
    latency_ms: int = param("delay before every answer", minimum=0, maximum=3_600_000, unit="ms")


@dataclass(frozen=True, kw_only=True)
class ProviderRateParams(ProviderParams):
    rate: float = param("share of the requests that fail", minimum=0.0, maximum=1.0)


def _control(service: Service, method: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    url = f"{service.url}/control"
    require_loopback(url)
    try:
        response = httpx.request(method, url, json=body, timeout=_TIMEOUT_S)
    except httpx.HTTPError as exc:
        raise DrillbookError(
            f"provider control of {service.name} failed: {type(exc).__name__}: {exc}"
        ) from None
    if response.status_code != 200:
        raise DrillbookError(
            f"{method} {url} answered {response.status_code}",
            f"is {service.name} a provider simulator with a /control endpoint?",
        )
    state: dict[str, Any] = response.json()
    return state


class _ProviderFault(Fault[Any]):
    category = "provider"

    def fields(self) -> dict[str, Any]:
        raise NotImplementedError

    def _inject(self) -> None:
        service = service_of(self.stack, self.params.service)
        _control(service, "POST", {**_control(service, "GET"), **self.fields()})

    def _revert(self) -> None:
        service = service_of(self.stack, self.params.service)  # its container reloaded
        # A provider that was restarted since has forgotten the fault already.
        if service.docker.status != "running":
            return
        normal = {k: NORMAL[k] for k in self.fields()}
        _control(service, "POST", {**_control(service, "GET"), **normal})


@register
class ProviderHang(_ProviderFault):
    kind = "provider-hang"
    summary = "The LLM provider accepts requests and never answers"
    params_type = ProviderParams

    def fields(self) -> dict[str, Any]:
        return {"hang": True}

    def describe(self) -> str:
        return f"{self.params.service} hangs"


@register
class ProviderLatency(_ProviderFault):
    kind = "provider-latency"
    summary = "The LLM provider answers after a delay"
    params_type = ProviderLatencyParams

    def fields(self) -> dict[str, Any]:
        return {"latency_ms": self.params.latency_ms}

    def describe(self) -> str:
        return f"{self.params.service} answers {self.params.latency_ms} ms late"


@register
class ProviderErrors(_ProviderFault):
    kind = "provider-errors"
    summary = "The LLM provider answers a share of the requests with 500"
    params_type = ProviderRateParams

    def fields(self) -> dict[str, Any]:
        return {"error_rate": self.params.rate}

    def describe(self) -> str:
        return f"{self.params.service} fails {self.params.rate:.0%} of requests with 500"


@register
class ProviderRateLimit(_ProviderFault):
    kind = "provider-rate-limit"
    summary = "The LLM provider answers a share of the requests with 429 (rate limited)"
    params_type = ProviderRateParams

    def fields(self) -> dict[str, Any]:
        return {"rate_limit_rate": self.params.rate}

    def describe(self) -> str:
        return f"{self.params.service} rate-limits {self.params.rate:.0%} of requests (429)"
