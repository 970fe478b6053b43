"""Toxiproxy links, through the toxiproxy-python client.

toxiproxy-python keeps its API address in class-level state shared by the whole process, has
no request timeouts, defaults new proxies to listen on 127.0.0.1 (unreachable from other
containers) and returns nothing from `add_toxic`. Those traps are handled here and nowhere
else: the rest of drillbook speaks of Links.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import requests
from toxiproxy import Toxiproxy
from toxiproxy import api as toxiproxy_api

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

    def reset(self) -> None:
        """Enable every proxy and remove every toxic."""
        with _api(self.host, self.port) as server:
            server.reset()
