"""drillbook's own Kubernetes cluster, for real: a Deployment of an image imported from the
local Docker engine behind a Service, and a `down` that leaves nothing after a SIGKILLed `up`.

Marked `k8s`: root, and the first run builds Kubernetes (about 8 minutes on 2 cores).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from ipaddress import ip_address
from pathlib import Path

import pytest

from drillbook.cluster import Cluster, ClusterInfo, cgroups
from drillbook.cluster.node import FAKED_SYSCTLS, PRIVATE_HOST_DIRS
from drillbook.cluster.processes import cmdline, pids_named, running
from drillbook.cluster.teardown import shim_sockets
from drillbook.errors import DrillbookError
from drillbook.host import engine
from drillbook.stack import load_stack_spec
from drillbook.stack.images import build_image

ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "drillbook-cluster-test"

pytestmark = [pytest.mark.k8s, pytest.mark.integration]


def kubectl(info: ClusterInfo, *args: str, stdin: str | None = None, timeout: float = 120) -> str:
    argv = [str(info.kubectl), "--kubeconfig", str(info.kubeconfig), "--context", info.context]
    result = subprocess.run(
        [*argv, *args], input=stdin, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"kubectl {' '.join(args)}: {result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def redis_image() -> str:
    """The reference stack's Redis image, built in the local Docker engine if missing."""
    spec = load_stack_spec(ROOT / "fixtures" / "stack.yaml")
    client = engine.connect()
    try:
        return build_image(client, spec.services["redis"], spec)
    finally:
        client.close()


def manifests(image: str) -> str:
    return f"""
apiVersion: v1
kind: Namespace
metadata: {{name: {NAMESPACE}}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: redis, namespace: {NAMESPACE}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: redis}}}}
  template:
    metadata: {{labels: {{app: redis}}}}
    spec:
      containers:
      - name: redis
        image: {image}
        imagePullPolicy: Never
        ports: [{{containerPort: 6379}}]
        readinessProbe: {{exec: {{command: [redis-cli, ping]}}, periodSeconds: 1}}
        resources: {{limits: {{memory: 128Mi, cpu: 500m}}}}
---
apiVersion: v1
kind: Service
metadata: {{name: redis, namespace: {NAMESPACE}}}
spec:
  selector: {{app: redis}}
  ports: [{{port: 6379, targetPort: 6379}}]
"""


def test_a_deployment_of_a_local_image_answers_through_its_cluster_ip(
    drillbook_cluster: ClusterInfo, redis_image: str
) -> None:
    info = drillbook_cluster
    cluster = Cluster.default()
    cluster.import_image(redis_image)
    assert cluster.import_image(redis_image) is False  # same image id: not imported again
    kubectl(info, "apply", "-f", "-", stdin=manifests(redis_image))
    try:
        kubectl(info, "-n", NAMESPACE, "rollout", "status", "deployment/redis", "--timeout=90s")
        cluster_ip = kubectl(
            info, "-n", NAMESPACE, "get", "service", "redis", "-o", "jsonpath={.spec.clusterIP}"
        )
        settings = cluster.layout.read_settings()
        assert settings is not None and ip_address(cluster_ip) in settings.service_network
        # A second pod asks Redis through the Service's ClusterIP (kube-proxy's rules), and
        # through the address the kubelet put in its environment for the Service.
        kubectl(
            info,
            "-n",
            NAMESPACE,
            "run",
            "client",
            f"--image={redis_image}",
            "--image-pull-policy=Never",
            "--restart=Never",
            "--command",
            "--",
            "sh",
            "-c",
            f"redis-cli -h {cluster_ip} ping && redis-cli -h $REDIS_SERVICE_HOST ping",
        )
        kubectl(
            info,
            "-n",
            NAMESPACE,
            "wait",
            "pod/client",
            "--for=jsonpath={.status.phase}=Succeeded",
            "--timeout=60s",
        )
        assert kubectl(info, "-n", NAMESPACE, "logs", "client").split() == ["PONG", "PONG"]
    finally:
        kubectl(info, "delete", "namespace", NAMESPACE, "--wait=false")


def test_a_service_address_without_a_rule_stays_on_the_cluster_s_bridge(
    drillbook_cluster: ClusterInfo,
) -> None:
    # An address of the Service subnet no Service has: kube-proxy has no rule for it, so
    # only the routing table decides where a connection to it goes.
    settings = Cluster.default().layout.read_settings()
    assert settings is not None
    unused = str(settings.service_network[-2])
    route = subprocess.run(
        ["ip", "-4", "-o", "route", "get", unused], capture_output=True, text=True, check=True
    ).stdout
    assert f" dev {Cluster.default().layout.bridge} " in route, route
    assert " via " not in route, route


def test_a_second_cluster_may_not_run_kube_proxy_beside_the_first(
    drillbook_cluster: ClusterInfo,
) -> None:
    second = Cluster(Path(tempfile.mkdtemp(prefix="dbk-", dir="/tmp")))
    try:
        with pytest.raises(DrillbookError, match="another kube-proxy runs on this host"):
            second.up()
    finally:
        second.down()
    assert leftovers(second) == []
    # and the first cluster's Services still work: its rules were not touched
    rules = subprocess.run(
        ["iptables", "-w", "-t", "nat", "-S", "KUBE-SERVICES"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "-j KUBE-NODEPORTS" in rules


# read when the module is collected, before the session's cluster starts (if it does)
HOST_SYSCTLS = {
    s: Path(f"/proc/sys/{s}").read_text().strip()
    for s in [
        *FAKED_SYSCTLS,
        "net/ipv4/conf/all/route_localnet",
        "net/netfilter/nf_conntrack_max",
    ]
}


def test_the_cluster_leaves_host_sysctls_as_they_were(drillbook_cluster: ClusterInfo) -> None:
    # the kubelet and the CNI plugins see the values they want only inside the private mount
    # namespace: each of those sysctls is a bind mount there
    cluster = Cluster.default()
    holder = running(cluster.layout.pids, "nsholder")
    assert holder is not None
    mounts = Path(f"/proc/{holder.pid}/mountinfo").read_text()
    for sysctl in FAKED_SYSCTLS:
        assert f" /proc/sys/{sysctl} " in mounts, sysctl
    # the values read before the session are the host's own only if the session started
    # the cluster; kube-proxy is told to leave the conntrack and localhost settings alone
    if cluster.owned():
        for sysctl, before in HOST_SYSCTLS.items():
            assert Path(f"/proc/sys/{sysctl}").read_text().strip() == before, sysctl


CONTAINERS: dict[Path, set[str]] = {}


def leftovers(cluster: Cluster) -> list[str]:
    """Whatever of `cluster` is still on the host: processes, mounts, bridge, cgroups, files."""
    state = str(cluster.layout.state)
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            mounts = (proc / "mountinfo").read_text()
        except OSError:
            continue
        if state in cmdline:
            found.append(f"process {proc.name}: {cmdline[:120]}")
        if state in mounts:
            found.append(f"mount under {state} seen by process {proc.name}")
    if Path(f"/sys/class/net/{cluster.layout.bridge}").exists():
        found.append(f"interface {cluster.layout.bridge}")
    containers = CONTAINERS.get(cluster.state, set())
    found += [f"cgroup {p}" for p in cgroups.cgroups_of(containers)]
    found += [f"shim socket {p}" for p in shim_sockets(cluster.layout, containers) if p.exists()]
    if cluster.layout.state.exists():
        found.append(f"state directory {state}")
    return found


def test_down_after_a_sigkilled_up_leaves_nothing() -> None:
    # A cluster of its own beside the session's, without kube-proxy (one per host: its
    # iptables chains are the host's); in a short folder, since the kubelet's sockets
    # must fit in 108 bytes.
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="dbk-", dir="/tmp")), proxy=False)
    host_dirs = {d: d.exists() for d in PRIVATE_HOST_DIRS}
    try:
        _sigkill_up_once_the_kubelet_runs(cluster)
        # the cluster outlives the process that started it, and is found from its records
        assert running(cluster.layout.pids, "containerd") is not None
        assert leftovers(cluster)
        # a later `up` completes it; a pod makes a sandbox, a container, cgroups and a veth
        _run_a_pod(cluster)
    finally:
        cluster.down()
    assert leftovers(cluster) == []
    assert {d: d.exists() for d in PRIVATE_HOST_DIRS} == host_dirs
    for table in ("filter", "nat"):
        rules = subprocess.run(
            ["iptables", "-w", "-t", table, "-S"], capture_output=True, text=True, check=True
        ).stdout
        assert cluster.layout.network_name not in rules


def _sigkill_up_once_the_kubelet_runs(cluster: Cluster) -> None:
    script = (
        "from pathlib import Path; from drillbook.cluster import Cluster; "
        f"Cluster(Path({str(cluster.state)!r}), proxy=False).up(progress=print)"
    )
    up = subprocess.Popen(
        [sys.executable, "-c", script],
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 240
        while running(cluster.layout.pids, "kubelet") is None:
            assert up.poll() is None, "up ended before the kubelet started"
            assert time.monotonic() < deadline, "the kubelet did not start within 240 s"
            time.sleep(0.2)
    finally:
        os.kill(up.pid, signal.SIGKILL)
        up.wait(timeout=10)


def _run_a_pod(cluster: Cluster) -> None:
    info = cluster.up()
    kubectl(
        info,
        "run",
        "sleeper",
        "--image=registry.k8s.io/pause:3.10",
        "--image-pull-policy=Never",
        "--restart=Never",
    )
    kubectl(info, "wait", "pod/sleeper", "--for=condition=Ready", "--timeout=60s")
    # the ids are kept to look for their cgroups once the cluster (and its records) are gone
    CONTAINERS[cluster.state] = cgroups.container_ids(cluster.layout)
    memory = Path("/sys/fs/cgroup/memory") / cgroups.PARENT
    assert all((memory / i).is_dir() for i in CONTAINERS[cluster.state])
    assert len(CONTAINERS[cluster.state]) == 2  # the sandbox and the container
    assert any(p.exists() for p in shim_sockets(cluster.layout, CONTAINERS[cluster.state]))
    assert list(Path(f"/sys/class/net/{cluster.layout.bridge}/brif").iterdir())


def test_two_ups_at_once_start_one_cluster() -> None:
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="dbk-", dir="/tmp")), proxy=False)
    script = (
        "from pathlib import Path; from drillbook.cluster import Cluster; "
        f"print(Cluster(Path({str(cluster.state)!r}), proxy=False).up().server)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    try:
        ups = [
            subprocess.Popen(
                [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        servers = [up.communicate(timeout=240)[0].strip() for up in ups]
        assert [up.returncode for up in ups] == [0, 0]
        assert servers[0] == servers[1] and servers[0].startswith("https://127.0.0.1:")
        state = str(cluster.state)
        apiservers = [p for p in pids_named("kube-apiserver") if state in " ".join(cmdline(p))]
        assert len(apiservers) == 1
    finally:
        cluster.down()
    assert leftovers(cluster) == []


def test_down_removes_only_the_chains_up_made_with_their_jumps() -> None:
    # in a network namespace of its own: the host's iptables are not touched
    script = """
import subprocess, sys
from pathlib import Path
from drillbook.cluster import chains
from drillbook.cluster.layout import Layout
def ipt(*a): subprocess.run(["iptables", "-w", *a], check=True)
ipt("-N", "KUBE-FIREWALL"); ipt("-A", "INPUT", "-j", "KUBE-FIREWALL")  # another kubelet's
ipt("-t", "nat", "-N", "DOCKER")
layout = Layout(Path(sys.argv[1]))
chains.record_before(layout)
ipt("-t", "mangle", "-N", "KUBE-IPTABLES-HINT"); ipt("-t", "nat", "-N", "KUBE-KUBELET-CANARY")
ipt("-t", "nat", "-N", "KUBE-SERVICES"); ipt("-t", "nat", "-N", "KUBE-SVC-X")
ipt("-t", "nat", "-A", "OUTPUT", "-j", "KUBE-SERVICES")
ipt("-t", "nat", "-A", "KUBE-SERVICES", "-j", "KUBE-SVC-X")
print(chains.remove_made(layout, proxy=True, kubelet=True))
print(subprocess.run(["iptables-save"], capture_output=True, text=True).stdout)
"""
    with tempfile.TemporaryDirectory() as state:
        done = subprocess.run(
            ["unshare", "--net", sys.executable, "-c", script, state],
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
            capture_output=True,
            text=True,
            check=True,
        )
    removed, saved = done.stdout.split("\n", 1)
    assert removed == "4"
    assert ":KUBE-FIREWALL" in saved and "-A INPUT -j KUBE-FIREWALL" in saved  # not ours
    assert ":DOCKER" in saved
    for made in ("KUBE-IPTABLES-HINT", "KUBE-KUBELET-CANARY", "KUBE-SERVICES", "KUBE-SVC-X"):
        assert made not in saved
