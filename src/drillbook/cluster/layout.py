"""Where one cluster keeps its state, and the ports and subnets it was given.

Everything a running cluster writes lives in its state directory (default
`$XDG_STATE_HOME/drillbook/cluster`, else `~/.local/state/drillbook/cluster`): certificates,
kubeconfigs, etcd's data, containerd's root, logs and the record of every process started, so
that `down()` finds all of it again after the process that ran `up()` was SIGKILLed.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from dataclasses import asdict, dataclass
from ipaddress import IPv4Network
from pathlib import Path

from drillbook.errors import DrillbookError

SETTINGS = "cluster.json"


def default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "drillbook" / "cluster"


@dataclass(frozen=True)
class Ports:
    """High ports on 127.0.0.1, one per listener, picked free when the cluster is made."""

    etcd: int
    etcd_peer: int
    apiserver: int
    controller_manager: int
    scheduler: int
    kubelet: int
    kubelet_healthz: int
    proxy_metrics: int
    proxy_healthz: int

    @classmethod
    def free(cls) -> Ports:
        """Ports nothing listens on now (the kernel's choice, so two clusters never clash)."""
        sockets = [socket.socket() for _ in cls.__dataclass_fields__]
        try:
            for s in sockets:
                s.bind(("127.0.0.1", 0))
            return cls(*(s.getsockname()[1] for s in sockets))
        finally:
            for s in sockets:
                s.close()


@dataclass(frozen=True)
class Settings:
    """What a cluster was made with; written once, read by every later command."""

    ports: Ports
    pod_subnet: str
    service_subnet: str

    @property
    def pod_network(self) -> IPv4Network:
        return IPv4Network(self.pod_subnet)

    @property
    def service_network(self) -> IPv4Network:
        return IPv4Network(self.service_subnet)

    @property
    def gateway(self) -> str:
        """The bridge's own address: the first of the pod subnet."""
        return str(next(self.pod_network.hosts()))

    @property
    def kubernetes_service_ip(self) -> str:
        return str(next(self.service_network.hosts()))

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str, where: Path) -> Settings:
        try:
            raw = json.loads(text)
            return cls(Ports(**raw["ports"]), raw["pod_subnet"], raw["service_subnet"])
        except (ValueError, KeyError, TypeError) as exc:
            raise DrillbookError(
                f"{where}: not a cluster settings file ({exc})",
                "run `drillbook cluster down`, which removes the cluster's state, then `up`",
            ) from None


@dataclass(frozen=True)
class Layout:
    """The paths of one cluster, all under its state directory."""

    state: Path

    @property
    def ident(self) -> str:
        """Short and stable per state directory: names the bridge and the CNI network."""
        return hashlib.sha256(str(self.state.resolve()).encode()).hexdigest()[:6]

    @property
    def bridge(self) -> str:
        return f"dbk{self.ident}"  # interface names are at most 15 characters

    @property
    def network_name(self) -> str:
        return f"drillbook-{self.ident}"

    @property
    def settings_file(self) -> Path:
        return self.state / SETTINGS

    @property
    def pki(self) -> Path:
        return self.state / "pki"

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    @property
    def pids(self) -> Path:
        return self.state / "pids"

    @property
    def etcd_data(self) -> Path:
        return self.state / "etcd"

    @property
    def containerd(self) -> Path:
        return self.state / "containerd"

    @property
    def cni_conf(self) -> Path:
        return self.state / "cni" / "net.d"

    @property
    def cni_ipam(self) -> Path:
        return self.state / "cni" / "ipam"

    @property
    def kubelet(self) -> Path:
        return self.state / "kubelet"

    @property
    def host_dirs(self) -> Path:
        return self.state / "host"

    @property
    def containerd_socket(self) -> Path:
        return self.containerd / "containerd.sock"

    def kubeconfig(self, who: str) -> Path:
        return self.state / f"{who}.kubeconfig"

    def read_settings(self) -> Settings | None:
        try:
            text = self.settings_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return Settings.from_json(text, self.settings_file)

    def write_settings(self, settings: Settings) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        self.settings_file.write_text(settings.to_json(), encoding="utf-8")
