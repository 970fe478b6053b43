"""The ready endpoints of one Service, kept current by a `kubectl get -w` of its slices.

    with ServiceEndpoints(kubectl_argv, "api", [IPv4Network("10.200.0.0/16")]) as endpoints:
        endpoints.pick()   # ("10.200.0.7", 8000), or None while no pod is ready

Why pod addresses and not the Service's cluster IP: a cluster IP is only an address while
kube-proxy has a rule for it. Between two of its syncs (a Service whose last endpoint went
away and came back) a connection to it finds no rule and follows the host's default route
out of the machine. A pod address is on the cluster's own bridge: it never leaves the host.
The endpoints are the ones kube-proxy would use (ready ones), so what the probe sees is what
a client of the Service sees.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import threading
from collections.abc import Mapping, Sequence
from ipaddress import IPv4Address, IPv4Network
from typing import Any

from drillbook.errors import DrillbookError
from drillbook.stack.kube.background import Background


def ready_addresses(
    endpoint_slice: dict[str, Any], pod_networks: Sequence[IPv4Network]
) -> list[tuple[str, int]]:
    """The (address, port) of each ready endpoint of one EndpointSlice that is a pod's.

    Only IPv4 addresses in the cluster's pod subnet: a slice can list anything (a
    hostNetwork pod's node address, a hand-made slice of a selector-less Service saying
    8.8.8.8, an FQDN slice), and the relay connects wherever this says — only to pods, on
    the cluster's own bridge, by the network rule.
    """
    ports = [int(p["port"]) for p in endpoint_slice.get("ports") or [] if p.get("port")]
    if not ports or endpoint_slice.get("addressType") != "IPv4":
        return []
    return [
        (str(address), ports[0])
        for endpoint in endpoint_slice.get("endpoints") or []
        if (endpoint.get("conditions") or {}).get("ready")
        for address in endpoint.get("addresses") or []
        if _in(str(address), pod_networks)
    ]


def node_pod_networks(nodes: Sequence[dict[str, Any]]) -> tuple[IPv4Network, ...]:
    """The IPv4 pod CIDRs of a cluster's nodes (`kubectl get nodes -o json`'s items): where
    the pods of a cluster that is not drillbook's have their addresses."""
    cidrs = {c for n in nodes for c in (n.get("spec") or {}).get("podCIDRs") or []}
    networks = tuple(IPv4Network(c) for c in sorted(cidrs) if ":" not in c)
    if not networks:
        raise DrillbookError(
            "the cluster's nodes name no IPv4 pod CIDR: drillbook reaches services only at "
            "addresses it knows to be pods'",
            "use drillbook's own cluster (`drillbook cluster up`), or one whose nodes have "
            "spec.podCIDRs",
        )
    return networks


def _in(address: str, networks: Sequence[IPv4Network]) -> bool:
    try:
        ip = IPv4Address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class WatchStream:
    """Whole JSON documents out of the text `kubectl get -w -o json` prints, as they end."""

    def __init__(self) -> None:
        self._buffer = ""
        self._decoder = json.JSONDecoder()

    def feed(self, text: str) -> list[Any]:
        self._buffer += text
        docs: list[Any] = []
        while True:
            stripped = self._buffer.lstrip()
            if not stripped:
                self._buffer = ""
                return docs
            try:
                doc, end = self._decoder.raw_decode(stripped)
            except json.JSONDecodeError:
                self._buffer = stripped
                return docs
            docs.append(doc)
            self._buffer = stripped[end:]


class ServiceEndpoints(Background):
    """Ready endpoints of a Service, from a watch of its EndpointSlices (restarted if it ends)."""

    def __init__(
        self,
        kubectl: Sequence[str],
        service: str,
        pod_networks: Sequence[IPv4Network],
        env: Mapping[str, str] | None = None,
    ) -> None:
        """`env`: kubectl's environment, with the run's process marks (`labels.process_marks`)
        so that a watch left by a SIGKILLed run is found and ended by the next one."""
        self._argv = [
            *kubectl, "get", "endpointslices", "-l", f"kubernetes.io/service-name={service}",
            "-o", "json", "--watch", "--output-watch-events",
        ]  # fmt: skip
        self._networks = tuple(pod_networks)
        self._env = dict(env) if env is not None else None
        self._starting = threading.Lock()  # a watch is started, or closed, never both
        self._slices: dict[str, list[tuple[str, int]]] = {}
        self._lock = threading.Lock()
        self._turn = itertools.count()
        self._closed = threading.Event()
        self._seen = threading.Event()
        self._process: subprocess.Popen[str] | None = None
        self._thread = threading.Thread(
            target=self._watch, name=f"endpoints-{service}", daemon=True
        )

    def start(self, timeout_s: float = 10.0) -> ServiceEndpoints:
        """Start watching; returns once the first list arrived (or after `timeout_s`)."""
        self._thread.start()
        self._seen.wait(timeout_s)
        return self

    def pick(self) -> tuple[str, int] | None:
        """The next ready endpoint, round robin; None while there is none."""
        with self._lock:
            ready = sorted(a for addresses in self._slices.values() for a in addresses)
        return ready[next(self._turn) % len(ready)] if ready else None

    def close(self) -> None:
        with self._starting:
            self._closed.set()
            process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    def _watch(self) -> None:
        while True:
            with self._starting:
                if self._closed.is_set():
                    return  # closed while the last watch ended: start none
                process = subprocess.Popen(
                    self._argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                    stdin=subprocess.DEVNULL, text=True, env=self._env,
                )  # fmt: skip
                self._process = process
            stream = WatchStream()
            assert process.stdout is not None
            for line in process.stdout:
                for event in stream.feed(line):
                    self._apply(event)
            process.wait()
            self._closed.wait(0.5)  # the watch ended (apiserver timeout): start it again

    def _apply(self, event: dict[str, Any]) -> None:
        obj = event.get("object") or {}
        name = str((obj.get("metadata") or {}).get("name", ""))
        with self._lock:
            if event.get("type") == "DELETED":
                self._slices.pop(name, None)
            else:
                self._slices[name] = ready_addresses(obj, self._networks)
        self._seen.set()
