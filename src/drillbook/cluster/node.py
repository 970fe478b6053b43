"""The node: a containerd of its own, the kubelet in a private mount namespace, kube-proxy.

The kubelet insists on setting three kernel sysctls (`vm.overcommit_memory`, `kernel.panic`,
`kernel.panic_on_oops`) and on two fixed host folders (`/var/lib/kubelet/device-plugins`,
`/var/log/containers`); CNI caches its results in `/var/lib/cni`. The kubelet and containerd
run inside a mount namespace held open by a `sleep` started with `unshare --mount
--propagation private`, in which those `/proc/sys` files and folders are bind mounts of files
in the cluster's state directory: the host's kernel settings and folders never change, and
the mounts vanish with the namespace.

containerd is Debian's, with its own config, root, state and socket under the state
directory (never the instance dockerd runs). There is no CAP_SYS_RESOURCE on these machines,
so runc may not lower a sandbox's oom_score_adj: `restrict_oom_score_adj` keeps it from trying.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from drillbook.cluster.layout import Layout, Settings
from drillbook.cluster.packages import CNI_BIN
from drillbook.cluster.pause import PAUSE_IMAGE
from drillbook.cluster.pki import NODE_NAME

# sysctl (as a path under /proc/sys) -> the value the kubelet wants to see
KUBELET_SYSCTLS = {"vm/overcommit_memory": "1", "kernel/panic": "10", "kernel/panic_on_oops": "1"}
# Host folders used whatever the configuration says: the kubelet's device plugins and log
# links, and the CNI library's result cache (containerd 1.6 has no setting for it).
PRIVATE_HOST_DIRS = (Path("/var/lib/kubelet"), Path("/var/log/containers"), Path("/var/lib/cni"))
CONTAINERD = "/usr/bin/containerd"
RUNC = "/usr/sbin/runc"


def containerd_config(layout: Layout) -> str:
    c = layout.containerd
    sock = layout.containerd_socket
    return f"""version = 2
root = "{c / "root"}"
state = "{c / "state"}"
[grpc]
  address = "{sock}"
[ttrpc]
  address = "{sock}.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "{c / "opt"}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "{PAUSE_IMAGE}"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # pods' network namespaces live under our state, not in the host's /var/run/netns
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "{RUNC}"
        Root = "{c / "runc"}"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "{CNI_BIN}"
    conf_dir = "{layout.cni_conf}"
"""


def kubelet_config(layout: Layout, settings: Settings) -> str:
    p = settings.ports
    config = {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "address": "127.0.0.1",
        "port": p.kubelet,
        "readOnlyPort": 0,
        "healthzBindAddress": "127.0.0.1",
        "healthzPort": p.kubelet_healthz,
        "containerRuntimeEndpoint": f"unix://{layout.containerd_socket}",
        "cgroupDriver": "cgroupfs",
        # cgroup v1 without per-QoS cgroups: containerd puts containers at /k8s.io/<id>
        # (see `cgroups`)
        "cgroupsPerQOS": False,
        "enforceNodeAllocatable": [],
        "failSwapOn": False,
        "failCgroupV1": False,
        "podCIDR": settings.pod_subnet,
        "authentication": {
            "anonymous": {"enabled": False},
            "webhook": {"enabled": True},
            "x509": {"clientCAFile": str(layout.pki / "ca.crt")},
        },
        "authorization": {"mode": "Webhook"},
        "clusterDomain": "cluster.local",
        "podLogsDir": str(layout.kubelet / "pod-logs"),
        "resolvConf": "/etc/resolv.conf",
        "evictionHard": {
            "memory.available": "100Mi",
            "nodefs.available": "2%",
            "imagefs.available": "2%",
        },
        # images come only from local import: never collect one, it cannot be pulled again
        "imageGCHighThresholdPercent": 100,
        "imageGCLowThresholdPercent": 99,
        "serializeImagePulls": False,
    }
    return yaml.safe_dump(config, sort_keys=False)


def kubelet(bindir: Path, layout: Layout) -> list[str]:
    return [
        str(bindir / "kubelet"),
        f"--config={layout.kubelet / 'config.yaml'}",
        f"--kubeconfig={layout.kubeconfig('kubelet')}",
        f"--root-dir={layout.kubelet / 'root'}",
        f"--cert-dir={layout.kubelet / 'pki'}",
        # the node's address is its name: the kubelet refuses a loopback --node-ip, and the
        # API server reaches it by Hostname (--kubelet-preferred-address-types)
        f"--hostname-override={NODE_NAME}",
        "--v=1",
    ]


def kube_proxy(bindir: Path, layout: Layout, settings: Settings) -> list[str]:
    """kube-proxy in iptables mode, told to leave every host sysctl as it is."""
    p = settings.ports
    return [
        str(bindir / "kube-proxy"),
        f"--kubeconfig={layout.kubeconfig('kube-proxy')}",
        f"--hostname-override={NODE_NAME}",
        "--proxy-mode=iptables",
        f"--cluster-cidr={settings.pod_subnet}",
        # NodePorts only on our bridge's subnet: never on the host's outside interfaces, and
        # not on 127.0.0.1, which would need net.ipv4.conf.all.route_localnet=1
        f"--nodeport-addresses={settings.pod_subnet}",
        "--iptables-localhost-nodeports=false",
        # 0: leave nf_conntrack_max and the conntrack TCP timeouts as the host has them
        "--conntrack-max-per-core=0",
        "--conntrack-tcp-timeout-established=0",
        "--conntrack-tcp-timeout-close-wait=0",
        "--oom-score-adj=0",
        f"--metrics-bind-address=127.0.0.1:{p.proxy_metrics}",
        f"--healthz-bind-address=127.0.0.1:{p.proxy_healthz}",
        "--v=1",
    ]


def namespace_holder(layout: Layout) -> list[str]:
    """The process whose private mount namespace containerd and the kubelet join."""
    mounts = []
    for sysctl in KUBELET_SYSCTLS:
        mounts.append(f"mount --bind {_fake_sysctl(layout, sysctl)} /proc/sys/{sysctl}")
    for host_dir in PRIVATE_HOST_DIRS:
        mounts.append(f"mount --bind {private_dir(layout, host_dir)} {host_dir}")
    script = " && ".join(mounts) + " && exec sleep infinity"
    return ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", script]


def private_dir(layout: Layout, host_dir: Path) -> Path:
    return layout.host_dirs / str(host_dir).strip("/").replace("/", "_")


def _fake_sysctl(layout: Layout, sysctl: str) -> Path:
    return layout.kubelet / "sysctl" / sysctl.replace("/", "_")


def write_node_files(layout: Layout, settings: Settings) -> None:
    """containerd's and the kubelet's configuration, the fake sysctls and private folders."""
    layout.containerd.mkdir(parents=True, exist_ok=True)
    (layout.containerd / "config.toml").write_text(containerd_config(layout), encoding="utf-8")
    layout.kubelet.mkdir(parents=True, exist_ok=True)
    (layout.kubelet / "config.yaml").write_text(kubelet_config(layout, settings), encoding="utf-8")
    for sysctl, value in KUBELET_SYSCTLS.items():
        fake = _fake_sysctl(layout, sysctl)
        fake.parent.mkdir(parents=True, exist_ok=True)
        fake.write_text(value + "\n", encoding="utf-8")
    for host_dir in PRIVATE_HOST_DIRS:
        private_dir(layout, host_dir).mkdir(parents=True, exist_ok=True)


def in_namespace(holder_pid: int, argv: list[str]) -> list[str]:
    """`argv` run inside the holder's mount namespace (nsenter execs it: same pid)."""
    return ["nsenter", "-t", str(holder_pid), "-m", "--", *argv]
