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

import fcntl
import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from drillbook.cluster import (
    build,
    cgroups,
    chains,
    controlplane,
    network,
    node,
    packages,
    pki,
    teardown,
)
from drillbook.cluster.images import import_image
from drillbook.cluster.kubeconfig import CONTEXT, write_kubeconfig
from drillbook.cluster.layout import (
    IMAGES,
    KUBECONFIGS,
    OWNER,
    READY,
    Layout,
    Ports,
    Settings,
    default_state_dir,
)
from drillbook.cluster.pause import pause_archive
from drillbook.cluster.processes import (
    Recorded,
    pids_named,
    recorded,
    running,
    spawn,
    start_time,
)
from drillbook.cluster.readiness import http_ok, wait_until
from drillbook.errors import DrillbookError
from drillbook.host.footprint import human, trim_build_caches
from drillbook.host.progress import Progress, quiet

# a unix socket's path holds 107 bytes; the kubelet's longest is <state>/kubelet/root/
# pod-resources/<10 digits>
MAX_STATE_PATH = 107 - len("/kubelet/root/pod-resources/1234567890")


@dataclass(frozen=True)
class ClusterInfo:
    """How to reach a running cluster."""

    kubeconfig: Path
    context: str
    kubectl: Path
    server: str  # https://127.0.0.1:PORT
    ctr: tuple[str, ...]  # argv prefix of `ctr` against the cluster's own containerd
    pod_subnet: str = ""  # where pods have their addresses; "" when not known (not ours)


@dataclass(frozen=True)
class Cluster:
    """The cluster kept in one state directory, on one Kubernetes version."""

    state: Path
    version: str = build.KUBERNETES_VERSION
    # kube-proxy's iptables chains are the host's: one cluster per host may run it. Used
    # when the cluster is made, then saved in its settings (which later commands follow).
    proxy: bool = True

    @classmethod
    def default(cls) -> Cluster:
        """The cluster in the user's state directory (`$DRILLBOOK_CLUSTER_STATE` overrides)."""
        where = os.environ.get("DRILLBOOK_CLUSTER_STATE")
        return cls(Path(where) if where else default_state_dir())

    @property
    def layout(self) -> Layout:
        return Layout(self.state)

    def processes(self, settings: Settings) -> tuple[str, ...]:
        """The processes the cluster runs when it is up (with kube-proxy if it was made so)."""
        return tuple(p for p in teardown.PROCESSES if settings.proxy or p != "kube-proxy")

    def info(self, settings: Settings) -> ClusterInfo:
        """How to reach this cluster, made with `settings`."""
        return ClusterInfo(
            kubeconfig=self.layout.kubeconfig("admin"),
            context=CONTEXT,
            kubectl=build.binaries_dir(self.version) / "kubectl",
            server=f"https://127.0.0.1:{settings.ports.apiserver}",
            ctr=("ctr", "--address", str(self.layout.containerd_socket), "-n", "k8s.io"),
            pod_subnet=settings.pod_subnet,
        )

    def up(self, progress: Progress = quiet, own: bool = False) -> ClusterInfo:
        """Start the cluster (building what is missing first); at once when already up.

        Two callers at once (two test sessions) do not both start it: the second waits for
        the first and then finds the cluster up. With `own`, this process records itself as
        the cluster's owner (`owned()`), before anything starts, when it finds the cluster
        down or orphaned: decided under the lock, so two sessions never both own it, and a
        session killed during `up` leaves a cluster the next one adopts.
        """
        settings = self.layout.read_settings()
        if not own and settings is not None and self._healthy(settings):
            return self.info(settings)
        with self._exclusive():
            if own:
                self.layout.refuse_foreign()  # before owner.json is written there
                if self.status() is None or self.orphaned():
                    self.own()
            return self._up(progress)

    def _up(self, progress: Progress) -> ClusterInfo:
        settings = self.layout.read_settings()
        if settings is not None and self._healthy(settings):
            return self.info(settings)
        self.layout.refuse_foreign()
        _require_root("the cluster runs containerd, the kubelet and a pod network")
        if len(str(self.state.resolve())) > MAX_STATE_PATH:
            raise DrillbookError(
                f"the cluster's state directory {self.state} is too long a path: the "
                f"kubelet's sockets in it would not fit in a unix socket address",
                f"use a state directory of at most {MAX_STATE_PATH} characters",
            )
        cgroups.require_v1()
        # a cluster already made keeps the `proxy` it was made with
        if settings.proxy if settings is not None else self.proxy:
            self._refuse_a_second_proxy()
        start = time.monotonic()
        packages.ensure_packages(progress)
        bindir = build.ensure_binaries(self.version, progress)
        pause = pause_archive(self.version)
        # every binary is built: Go's caches (about 4 GB) would only serve another build
        if freed := trim_build_caches():
            progress(f"cluster: binaries built; Go's build caches removed ({human(freed)} freed)")
        settings = settings or self._settle(progress)
        # the bridge routes the pod subnet: claimed on the host from now on
        network.make_bridge(
            self.layout.bridge, settings.gateway, settings.pod_network, settings.service_network
        )
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
        if self.layout.entries():
            _require_root("removing the cluster (its processes, mounts, bridge and rules)")
        with self._exclusive():
            teardown.tear_down(self.layout, progress)

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """One `up` or `down` of this cluster at a time: a lock on the folder holding its
        state directory (no lock file left behind; released by the kernel if we are killed)."""
        parent = self.state.resolve().parent
        parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(parent, os.O_RDONLY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    def status(self) -> str | None:
        """One line on the running cluster, or None when it is down."""
        settings = self.layout.read_settings()
        if settings is None:
            return None
        alive = [n for n in self.processes(settings) if running(self.layout.pids, n)]
        if not alive:
            return None
        dead = [n for n in self.processes(settings) if n not in alive]
        health = "up" if not dead else f"degraded (not running: {', '.join(dead)})"
        return (
            f"{health}: API https://127.0.0.1:{settings.ports.apiserver}, pods "
            f"{settings.pod_subnet} on {self.layout.bridge}, Services {settings.service_subnet}, "
            f"kubeconfig {self.layout.kubeconfig('admin')}"
        )

    def own(self) -> None:
        """Record this process as the cluster's owner: the one that will take it down."""
        started = start_time(os.getpid())
        owner = {"name": "owner", "pid": os.getpid(), "started": started}
        self.state.mkdir(parents=True, exist_ok=True)
        (self.state / OWNER).write_text(json.dumps(owner), encoding="utf-8")

    def owned(self) -> bool:
        """This process is the cluster's recorded owner."""
        owner = recorded(self.state, "owner")
        return owner is not None and owner.pid == os.getpid() and owner.alive()

    def orphaned(self) -> bool:
        """Up, and started by a process (a test session) that is gone without taking it down:
        a later session adopts it and removes it at its end."""
        owner = recorded(self.state, "owner")
        return owner is not None and not owner.alive() and self.status() is not None

    def import_image(self, docker_ref: str) -> bool:
        """`docker save | ctr import` into the cluster, skipped when that image id is there.

        True when it imported, False when the same image was already in."""
        settings = self.layout.read_settings()
        if settings is None or not running(self.layout.pids, "containerd"):
            raise DrillbookError(
                f"cannot import {docker_ref}: the cluster is not running",
                "start it with `drillbook cluster up`",
            )
        return import_image(docker_ref, self.info(settings).ctr, self.layout.state / IMAGES)

    # -- up, step by step --------------------------------------------------------------

    def _healthy(self, settings: Settings) -> bool:
        # READY is written when an `up` finished: a killed `up` leaves a cluster to complete
        if not (self.state / READY).is_file():
            return False
        if any(running(self.layout.pids, n) is None for n in self.processes(settings)):
            return False
        return http_ok(f"https://127.0.0.1:{settings.ports.apiserver}/readyz", self.layout.pki)

    def _settle(self, progress: Progress) -> Settings:
        """Ports and subnets for a new cluster, recorded before anything uses them."""
        pods, services = network.pick_subnets(network.host_networks())
        settings = Settings(Ports.free(), str(pods), str(services), self.proxy)
        self.layout.write_settings(settings)
        progress(f"cluster: pods on {pods}, Services on {services} (free on this host)")
        return settings

    def _write_files(self, settings: Settings) -> None:
        layout = self.layout
        pki.ensure_pki(layout.pki, settings.kubernetes_service_ip)
        server = f"https://127.0.0.1:{settings.ports.apiserver}"
        for who in KUBECONFIGS:
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
        health = f"{controlplane.etcd_url(settings)}/health"
        wait_until(
            "etcd",
            lambda: http_ok(health, layout.pki, "apiserver-etcd-client"),
            30,
            self._log("etcd"),
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
        chains.record_before(layout)  # before the kubelet and kube-proxy first start
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
        if settings.proxy:
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
        if settings.proxy:
            healthz = f"http://127.0.0.1:{settings.ports.proxy_healthz}/healthz"
            wait_until("kube-proxy", lambda: http_ok(healthz), 60, self._log("kube-proxy"))

    def _refuse_a_second_proxy(self) -> None:
        """kube-proxy's iptables chains are the host's: a second one would overwrite the
        first's Services. Another kube-proxy is seen by its process, or (one under another
        name, k3s's) by a KUBE-SERVICES chain that is not our kube-proxy's."""
        ours = running(self.layout.pids, "kube-proxy")
        others = [p for p in pids_named("kube-proxy") if ours is None or p != ours.pid]
        if others or chains.services_chain_foreign(self.layout):
            where = f"runs on this host (pid {others[0]})" if others else "has rules here"
            raise DrillbookError(
                f"another kube-proxy {where} (iptables chain KUBE-SERVICES); two would "
                "overwrite each other's rules",
                "stop the other cluster first (`drillbook cluster down --state DIR`), or "
                "start this one with Cluster(..., proxy=False)",
            )


def _require_root(what: str) -> None:
    if os.geteuid() != 0:
        raise DrillbookError(
            f"{what} needs root",
            "run as root (CI runners and these machines are), or use your own cluster "
            "with --kubeconfig",
        )


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
