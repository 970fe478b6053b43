"""The node's configuration: containerd's, the kubelet's, kube-proxy's flags."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

from drillbook.cluster import node
from drillbook.cluster.layout import Layout, Ports, Settings

SETTINGS = Settings(Ports(*range(40001, 40010)), "10.200.4.0/24", "10.201.4.0/24")


def test_containerd_keeps_everything_under_the_state_directory(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    config = tomllib.loads(node.containerd_config(layout))
    assert config["root"].startswith(str(tmp_path))
    assert config["state"].startswith(str(tmp_path))
    assert config["grpc"]["address"] == str(layout.containerd_socket)
    cri = config["plugins"]["io.containerd.grpc.v1.cri"]
    assert cri["restrict_oom_score_adj"] is True
    assert cri["netns_mounts_under_state_dir"] is True
    assert cri["stream_server_address"] == "127.0.0.1"
    assert cri["cni"]["conf_dir"] == str(layout.cni_conf)


def test_the_kubelet_listens_on_loopback_only(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    config = yaml.safe_load(node.kubelet_config(layout, SETTINGS))
    assert config["address"] == "127.0.0.1" and config["healthzBindAddress"] == "127.0.0.1"
    assert config["port"] == 40006 and config["readOnlyPort"] == 0
    assert config["cgroupsPerQOS"] is False
    assert config["imageGCHighThresholdPercent"] == 100


def test_kube_proxy_is_told_to_leave_host_sysctls_alone(tmp_path: Path) -> None:
    argv = node.kube_proxy(Path("/bin"), Layout(tmp_path), SETTINGS)
    for flag in (
        "--iptables-localhost-nodeports=false",
        "--conntrack-max-per-core=0",
        "--conntrack-tcp-timeout-established=0",
        "--conntrack-tcp-timeout-close-wait=0",
        "--nodeport-addresses=10.200.4.0/24",
        "--metrics-bind-address=127.0.0.1:40008",
    ):
        assert flag in argv


def test_the_namespace_holder_fakes_the_kubelets_sysctls_and_folders(tmp_path: Path) -> None:
    layout = Layout(tmp_path)
    node.write_node_files(layout, SETTINGS)
    script = node.namespace_holder(layout)[-1]
    assert script.endswith("exec sleep infinity")
    for sysctl, value in node.KUBELET_SYSCTLS.items():
        assert f" /proc/sys/{sysctl}" in script
        fake = script.split(f" /proc/sys/{sysctl}")[0].rsplit("mount --bind ", 1)[1]
        assert Path(fake).read_text().strip() == value
    for host_dir in node.PRIVATE_HOST_DIRS:
        assert f"{node.private_dir(layout, host_dir)} {host_dir}" in script
        assert node.private_dir(layout, host_dir).is_dir()


def test_nsenter_runs_the_program_itself_in_the_namespace() -> None:
    assert node.in_namespace(42, ["/usr/bin/containerd", "--config", "c.toml"]) == [
        "nsenter",
        "-t",
        "42",
        "-m",
        "--",
        "/usr/bin/containerd",
        "--config",
        "c.toml",
    ]
