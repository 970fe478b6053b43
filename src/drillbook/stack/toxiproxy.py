"""Toxiproxy links, through the toxiproxy-python client.

toxiproxy-python keeps its API address in class-level state shared by the whole process, has
no request timeouts, defaults new proxies to listen on 127.0.0.1 (unreachable from other
containers) and returns nothing from `add_toxic`. It raises only for 400, 404 and 409 answers
(its own exception classes, not `requests` ones) and silently accepts any other error status,
so a toxic is read back after it is added. Those traps are handled here and nowhere else: the
rest of drillbook speaks of Links and Toxics.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from toxiproxy import Toxiproxy
from toxiproxy import api as toxiproxy_api
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists

from drillbook.errors import DrillbookError
from drillbook.stack.spec import LinkSpec

_TIMEOUT_S = 5.0


class _RequestsWithTimeout:
    """Stands in for the `requests` module inside toxiproxy.api, adding a timeout to each call:
    the client passes none, and a hung API must not hang a drill."""

    @staticmethod
    def get(**kwargs: Any) -> requests.Response:
        return requests.get(timeout=_TIMEOUT_S, **kwargs)

    @staticmethod
    def post(**kwargs: Any) -> requests.Response:
        return requests.post(timeout=_TIMEOUT_S, **kwargs)

    @staticmethod
    def delete(**kwargs: Any) -> requests.Response:
        return requests.delete(timeout=_TIMEOUT_S, **kwargs)


toxiproxy_api.requests = _RequestsWithTimeout()
# One lock for the process-wide APIConsumer address, so two stacks never cross wires.
_API_LOCK = threading.Lock()


@contextmanager
def _api(host: str, port: int) -> Iterator[Toxiproxy]:
    with _API_LOCK:
        server = Toxiproxy()
        server.update_api_consumer(host, port)
        try:
            yield server
        except requests.RequestException as exc:
            raise DrillbookError(f"Toxiproxy API at {host}:{port} failed: {exc}") from None


STREAMS = ("upstream", "downstream")


@dataclass(frozen=True)
class Toxic:
    """A Toxiproxy toxic: `type` (latency, timeout, reset_peer, bandwidth, slicer,
    limit_data), the direction it acts on, the share of connections it hits, its attributes."""

    name: str
    type: str
    stream: str = "downstream"
    toxicity: float = 1.0
    attributes: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Link:
    """A running Toxiproxy proxy for one dependency edge of the stack."""

    spec: LinkSpec
    upstream: str
    api_host: str
    api_port: int

    @property
    def name(self) -> str:
        return self.spec.name

    def _proxy(self, server: Toxiproxy) -> Any:
        proxy = server.get_proxy(self.name)
        if proxy is None:
            raise DrillbookError(f"link {self.name} has no proxy in Toxiproxy any more")
        return proxy

    def disable(self) -> None:
        """Take the link down: every connection through it is closed and refused."""
        with _api(self.api_host, self.api_port) as server:
            self._proxy(server).disable()

    def enable(self) -> None:
        with _api(self.api_host, self.api_port) as server:
            self._proxy(server).enable()

    def enabled(self) -> bool:
        with _api(self.api_host, self.api_port) as server:
            return bool(self._proxy(server).enabled)

    def toxics(self) -> list[Toxic]:
        """The toxics on this link now, in no particular order."""
        with _api(self.api_host, self.api_port) as server:
            found = self._proxy(server).toxics()
        return [
            Toxic(t.name, t.type, t.stream, float(t.toxicity), dict(t.attributes or {}))
            for t in found.values()
        ]

    def add_toxic(self, toxic: Toxic) -> None:
        """Put a toxic on the link; it acts on open connections too. Fails if Toxiproxy
        refuses it or does not show it afterwards."""
        with _api(self.api_host, self.api_port) as server:
            proxy = self._proxy(server)
            try:
                proxy.add_toxic(
                    name=toxic.name,
                    type=toxic.type,
                    stream=toxic.stream,
                    toxicity=toxic.toxicity,
                    attributes=dict(toxic.attributes),
                )
            except (InvalidToxic, ProxyExists) as exc:
                raise DrillbookError(
                    f"Toxiproxy refused toxic {toxic.name} on {self.name}: {_text(exc)}"
                ) from None
            # The client ignores error answers other than 400/404/409: check it is there.
            if proxy.get_toxic(toxic.name) is None:
                raise DrillbookError(f"toxic {toxic.name} did not appear on link {self.name}")

    def remove_toxic(self, name: str) -> bool:
        """Remove a toxic by name; False if it was not there (so removing twice is fine)."""
        with _api(self.api_host, self.api_port) as server:
            try:
                self._proxy(server).destroy_toxic(name)
            except NotFound:
                return False
        return True


def _text(exc: Exception) -> str:
    arg = exc.args[0] if exc.args else exc
    return arg.decode(errors="replace").strip() if isinstance(arg, bytes) else str(arg)


class Toxiproxies:
    """The Toxiproxy server of a stack, reached on its published API port."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port

    def create(self, spec: LinkSpec, target_port: int) -> Link:
        upstream = f"{spec.target}:{target_port}"
        with _api(self.host, self.port) as server:
            existing = server.get_proxy(spec.name)
            if existing is not None:
                existing.destroy()
            # 0.0.0.0: the proxy must be reachable from the other containers of the network.
            server.create(upstream=upstream, name=spec.name, listen=f"0.0.0.0:{spec.listen}")
        return Link(spec, upstream, self.host, self.port)

    def find(self, spec: LinkSpec) -> Link:
        """The link of a stack already running: its proxy must exist."""
        with _api(self.host, self.port) as server:
            proxy = server.get_proxy(spec.name)
        if proxy is None:
            raise DrillbookError(
                f"the stack's Toxiproxy at {self.host}:{self.port} has no proxy {spec.name!r}",
                "a stack started by `drillbook stack up` has one per link of its definition",
            )
        return Link(spec, str(proxy.upstream), self.host, self.port)

    def reset(self) -> None:
        """Enable every proxy and remove every toxic."""
        with _api(self.host, self.port) as server:
            server.reset()
