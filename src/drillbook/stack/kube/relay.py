"""A loopback TCP relay to a Service's ready pods: how probes and load reach a workload.

    with Relay(endpoints.pick) as relay:
        httpx.get(f"http://127.0.0.1:{relay.port}/ready")

Why a relay and not `kubectl port-forward`: port-forward picks one pod when it starts and
dies with it, so the very faults a drill injects (a pod deleted, a rollout) would cut the
probe's own line and the measured outage would be the tunnel's. The relay connects each new
connection to one of the Service's ready endpoints at that moment (`ServiceEndpoints`), as
kube-proxy balances a client's: a pod gone is out of the choice, and while none is ready
each connection is reset. Only pod addresses on the cluster's own bridge are connected to.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable

from drillbook.stack.docker.service import HOST
from drillbook.stack.kube.background import Background

_CHUNK = 65536
_CONNECT_TIMEOUT_S = 2.0


class Relay(Background):
    """Listens on 127.0.0.1 (a port of its own, or `port`) and pipes each connection on."""

    def __init__(self, upstream: Callable[[], tuple[str, int] | None], port: int = 0) -> None:
        self.upstream = upstream
        self._server = socket.create_server((HOST, port))
        self.port: int = self._server.getsockname()[1]
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, name=f"relay-{self.port}", daemon=True)

    def start(self) -> Relay:
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop accepting; connections in flight end when either side closes."""
        self._closed.set()
        with contextlib.suppress(OSError):
            self._server.shutdown(socket.SHUT_RDWR)
        self._server.close()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._server.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        address = self.upstream()
        try:
            if address is None:
                raise ConnectionRefusedError("no ready endpoint")
            upstream = socket.create_connection(address, timeout=_CONNECT_TIMEOUT_S)
        except OSError:
            # No ready endpoint behind the Service: the client's connection is reset, as
            # kube-proxy's REJECT resets one made from inside the cluster.
            with contextlib.suppress(OSError):
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
            return
        upstream.settimeout(None)
        back = threading.Thread(target=_pipe, args=(upstream, client), daemon=True)
        back.start()
        _pipe(client, upstream)
        back.join()
        client.close()
        upstream.close()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    """Copy until `source` ends, then tell `sink` no more is coming."""
    try:
        while data := source.recv(_CHUNK):
            sink.sendall(data)
    except OSError:
        pass
    with contextlib.suppress(OSError):
        sink.shutdown(socket.SHUT_WR)
