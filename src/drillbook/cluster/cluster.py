"""A single-node Kubernetes cluster on this machine: up, status, down, image import.

    info = Cluster.default().up(progress=print)   # builds once, then starts in seconds
    subprocess.run([str(info.kubectl), "--kubeconfig", str(info.kubeconfig), "get", "nodes"])
    Cluster.default().down()

Its processes belong to the cluster, not to the caller: they outlive the command that ran
`up` (a new session each), and `down()` — from any process, also after the one that ran `up`
was SIGKILLed — stops them by their records and removes every mount, cgroup, interface,
iptables rule and file the cluster made.
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from drillbook.cluster import build, cgroups, controlplane, network, node, packages, pki, teardown
from drillbook.cluster.images import import_image
from drillbook.cluster.kubeconfig import CONTEXT, write_kubeconfig
from drillbook.cluster.layout import Layout, Ports, Settings, default_state_dir
from drillbook.cluster.pause import pause_archive
from drillbook.cluster.processes import Recorded, running, spawn
from drillbook.cluster.readiness import http_ok, wait_until
from drillbook.errors import DrillbookError
from drillbook.stack.progress import Progress, quiet

READY = "ready"  # written by an `up` that finished
# a unix socket's path holds 107 bytes; the kubelet's longest is <state>/kubelet/root/
# pod-resources/<10 digits>
MAX_STATE_PATH = 107 - len("/kubelet/root/pod-resources/1234567890")
COMPONENTS = ("admin", "controller-manager", "scheduler", "kubelet", "kube-proxy")


@dataclass(frozen=True)
class ClusterInfo:
    """How to reach a running cluster."""

    kubeconfig: Path
    context: str
    kubectl: Path
    server: str  # https://127.0.0.1:PORT
    ctr: tuple[str, ...]  # argv prefix of `ctr` against the cluster's own containerd


@dataclass(frozen=True)
class Cluster:
    """The cluster kept in one state directory, on one Kubernetes version."""

    state: Path
    version: str = build.KUBERNETES_VERSION
    # kube-proxy's iptables chains are the host's: one cluster per host may run it
    proxy: bool = True

    @classmethod
    def default(cls) -> Cluster:
        """The cluster in the user's state directory (`$DRILLBOOK_CLUSTER_STATE` overrides)."""
        where = os.environ.get("DRILLBOOK_CLUSTER_STATE")
        return cls(Path(where) if where else default_state_dir())

    @property
    def layout(self) -> Layout:
        return Layout(self.state)

    @property
    def processes(self) -> tuple[str, ...]:
        """The processes this cluster runs when it is up."""
        return tuple(p for p in teardown.PROCESSES if self.proxy or p != "kube-proxy")

    def info(self, settings: Settings) -> ClusterInfo:
        return ClusterInfo(
            kubeconfig=self.layout.kubeconfig("admin"),
            context=CONTEXT,
            kubectl=build.binaries_dir(self.version) / "kubectl",
            server=f"https://127.0.0.1:{settings.ports.apiserver}",
            ctr=("ctr", "--address", str(self.layout.containerd_socket), "-n", "k8s.io"),
        )

    def up(self, progress: Progress = quiet) -> ClusterInfo:
        """Start the cluster (building what is missing first); at once when already up."""
        settings = self.layout.read_settings()
        if settings is not None and self._healthy(settings):
            return self.info(settings)
        if os.geteuid() != 0:
            raise DrillbookError(
                "the cluster runs containerd, the kubelet and a pod network, which needs root",
                "run as root (CI runners and these machines are), or use your own cluster "
                "with --kubeconfig",
            )
        if len(str(self.state.resolve())) > MAX_STATE_PATH:
            raise DrillbookError(
                f"the cluster's state directory {self.state} is too long a path: the "
                f"kubelet's sockets in it would not fit in a unix socket address",
                f"use a state directory of at most {MAX_STATE_PATH} characters",
            )
        start = time.monotonic()
        packages.ensure_packages(progress)
        bindir = build.ensure_binaries(self.version, progress)
        pause = pause_archive(self.version)
        settings = settings or self._settle(progress)
        self._write_files(settings)
        progress("cluster: starting the control plane")
        self._control_plane(bindir, settings)
        progress("cluster: starting the node")
        self._node(bindir, settings, pause)
        (self.state / READY).touch()
        took = time.monotonic() - start
        progress(f"cluster: up in {took:.1f} s at https://127.0.0.1:{settings.ports.apiserver}")
        return self.info(settings)

    def down(self, progress: Progress = quiet) -> None:
        """Stop every process and remove every mount, cgroup, interface, rule and file."""
        teardown.tear_down(self.layout, build.binaries_dir(self.version), progress)

    def status(self) -> str | None:
        """One line on the running cluster, or None when it is down."""
        settings = self.layout.read_settings()
        if settings is None:
            return None
        alive = [n for n in self.processes if running(self.layout.pids, n)]
        if not alive:
            return None
        dead = [n for n in self.processes if n not in alive]
        health = "up" if not dead else f"degraded (not running: {', '.join(dead)})"
        return (
            f"{health}: API https://127.0.0.1:{settings.ports.apiserver}, pods "
            f"{settings.pod_subnet} on {self.layout.bridge}, Services {settings.service_subnet}, "
            f"kubeconfig {self.layout.kubeconfig('admin')}"
        )

    def import_image(self, docker_ref: str) -> bool:
        """`docker save | ctr import` into the cluster, skipped when that image id is there.

        True when it imported, False when the same image was already in."""
        settings = self.layout.read_settings()
        if settings is None or not running(self.layout.pids, "containerd"):
            raise DrillbookError(
                f"cannot import {docker_ref}: the cluster is not running",
                "start it with `drillbook cluster up`",
            )
        return import_image(docker_ref, self.info(settings).ctr, self.layout.state / "images.json")

    # -- up, step by step --------------------------------------------------------------

    def _healthy(self, settings: Settings) -> bool:
        # READY is written when an `up` finished: a killed `up` leaves a cluster to complete
        if not (self.state / READY).is_file():
            return False
        if any(running(self.layout.pids, n) is None for n in self.processes):
            return False
        return http_ok(f"https://127.0.0.1:{settings.ports.apiserver}/readyz", self.layout.pki)

    def _settle(self, progress: Progress) -> Settings:
        """Ports and subnets for a new cluster, recorded before anything uses them."""
        pods, services = network.pick_subnets(network.host_networks())
        settings = Settings(Ports.free(), str(pods), str(services))
        self.layout.write_settings(settings)
        progress(f"cluster: pods on {pods}, Services on {services} (free on this host)")
        return settings

    def _write_files(self, settings: Settings) -> None:
        layout = self.layout
        pki.ensure_pki(layout.pki, settings.kubernetes_service_ip)
        server = f"https://127.0.0.1:{settings.ports.apiserver}"
        for who in COMPONENTS:
            write_kubeconfig(layout.kubeconfig(who), server, layout.pki, who)
        node.write_node_files(layout, settings)
        layout.cni_conf.mkdir(parents=True, exist_ok=True)
        (layout.cni_conf / "10-drillbook.conflist").write_text(
            network.conflist(
                layout.network_name,
                layout.bridge,
                settings.pod_subnet,
                settings.service_subnet,
                layout.cni_ipam,
            ),
            encoding="utf-8",
        )

    def _start(self, name: str, argv: list[str]) -> Recorded:
        return running(self.layout.pids, name) or spawn(
            name, argv, self.layout.pids, self.layout.logs
        )

    def _log(self, name: str) -> Path:
        return self.layout.logs / f"{name}.log"

    def _control_plane(self, bindir: Path, settings: Settings) -> None:
        layout, p = self.layout, settings.ports
        self._start("etcd", controlplane.etcd(layout, settings))
        wait_until(
            "etcd", lambda: http_ok(f"http://127.0.0.1:{p.etcd}/health"), 30, self._log("etcd")
        )
        self._start("kube-apiserver", controlplane.apiserver(bindir, layout, settings))
        readyz = f"https://127.0.0.1:{p.apiserver}/readyz"
        wait_until(
            "kube-apiserver", lambda: http_ok(readyz, layout.pki), 90, self._log("kube-apiserver")
        )
        self._start(
            "kube-controller-manager", controlplane.controller_manager(bindir, layout, settings)
        )
        self._start("kube-scheduler", controlplane.scheduler(bindir, layout, settings))

    def _node(self, bindir: Path, settings: Settings, pause: Path) -> None:
        layout = self.layout
        network.make_bridge(layout.bridge, settings.gateway, settings.pod_network)
        network.allow_forwarding(layout.bridge, layout.network_name)
        teardown.claim_host_dirs(layout)
        cgroups.claim_parents(layout)
        holder = self._start("nsholder", node.namespace_holder(layout))
        wait_until(
            "the kubelet's mount namespace", lambda: _mounted(holder.pid), 10, self._log("nsholder")
        )
        self._start(
            "containerd",
            node.in_namespace(
                holder.pid, [node.CONTAINERD, "--config", str(layout.containerd / "config.toml")]
            ),
        )
        ctr = self.info(settings).ctr
        wait_until("containerd", lambda: _answers([*ctr, "version"]), 30, self._log("containerd"))
        _run([*ctr, "images", "import", str(pause)], "importing the pause image")
        self._start("kubelet", node.in_namespace(holder.pid, node.kubelet(bindir, layout)))
        if self.proxy:
            self._start("kube-proxy", node.kube_proxy(bindir, layout, settings))
        kubectl = [str(bindir / "kubectl"), "--kubeconfig", str(layout.kubeconfig("admin"))]
        ready = [
            *kubectl,
            "get",
            "node",
            pki.NODE_NAME,
            "-o",
            "jsonpath={.status.conditions[?(@.type=='Ready')].status}",
        ]
        wait_until("the node", lambda: _output(ready) == "True", 120, self._log("kubelet"))
        # pods are refused until the controller-manager made the namespace's service account
        account = [*kubectl, "get", "serviceaccount", "default", "-o", "name"]
        wait_until(
            "the default service account",
            lambda: _answers(account),
            60,
            self._log("kube-controller-manager"),
        )
        if self.proxy:
            healthz = f"http://127.0.0.1:{settings.ports.proxy_healthz}/healthz"
            wait_until("kube-proxy", lambda: http_ok(healthz), 60, self._log("kube-proxy"))


def _mounted(holder_pid: int) -> bool:
    """The holder's namespace has its fake sysctls in place."""
    try:
        mounts = Path(f"/proc/{holder_pid}/mountinfo").read_text()
    except OSError:
        return False
    return " /proc/sys/kernel/panic_on_oops " in mounts and "/var/log/containers" in mounts


def _answers(argv: list[str]) -> bool:
    return subprocess.run(argv, capture_output=True, check=False).returncode == 0


def _output(argv: list[str]) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    return result.stdout.strip() if result.returncode == 0 else ""


def _run(argv: list[str], what: str) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DrillbookError(
            f"{what} failed: {result.stderr.strip()[-500:]}",
            "`drillbook cluster down` removes what was started",
        )
