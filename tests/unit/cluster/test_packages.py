"""Installing the cluster's Debian packages never removes one and starts no service."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from drillbook.cluster import node, packages
from drillbook.cluster.layout import Layout
from drillbook.errors import DrillbookError
from drillbook.host import debian


class FakeApt:
    """apt-get as seen through subprocess.run: records each call; a simulation answers
    with `removes` as apt's `Remv` lines."""

    def __init__(self, policy: Path, removes: tuple[str, ...] = ()) -> None:
        self.calls: list[list[str]] = []
        self.policy_during_install: str | None = None
        self.policy = policy
        self.removes = removes

    def __call__(self, argv: list[str], **_: object) -> subprocess.CompletedProcess[str]:
        self.calls.append(argv)
        out = ""
        if "-s" in argv:
            out = "".join(f"Remv {name} [1.0]\n" for name in self.removes)
            out += "Inst runc (1.1.5 Debian:12)\n"
        elif "install" in argv:
            self.policy_during_install = self.policy.read_text() if self.policy.exists() else None
        return subprocess.CompletedProcess(argv, 0, out, "")


@pytest.fixture
def policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "policy-rc.d"
    monkeypatch.setattr(debian, "POLICY_RC_D", path)
    return path


def test_an_install_that_would_remove_a_package_is_refused(
    policy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apt = FakeApt(policy, removes=("containerd.io", "docker-ce"))
    monkeypatch.setattr(debian.subprocess, "run", apt)
    with pytest.raises(DrillbookError, match=re.escape("would remove containerd.io, docker-ce")):
        debian.apt_install(["runc"])
    installs = [c for c in apt.calls if "install" in c and "-s" not in c]
    assert installs == []


def test_an_install_starts_no_service_and_removes_nothing(
    policy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apt = FakeApt(policy)
    monkeypatch.setattr(debian.subprocess, "run", apt)
    debian.apt_install(["etcd-server"])
    assert apt.calls[-1][:2] == ["apt-get", "install"] and "--no-remove" in apt.calls[-1]
    assert apt.policy_during_install is not None and "exit 101" in apt.policy_during_install
    assert not policy.exists()  # removed after the install


def test_the_hosts_own_policy_rc_d_is_left_as_it_is(
    policy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy.write_text("#!/bin/sh\nexit 0\n")
    apt = FakeApt(policy)
    monkeypatch.setattr(debian.subprocess, "run", apt)
    debian.apt_install(["etcd-server"])
    assert apt.policy_during_install == "#!/bin/sh\nexit 0\n"
    assert policy.read_text() == "#!/bin/sh\nexit 0\n"


def test_docker_ces_runc_counts_and_is_the_one_containerd_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    debian_runc, docker_runc = tmp_path / "sbin" / "runc", tmp_path / "bin" / "runc"
    docker_runc.parent.mkdir()
    docker_runc.write_text("#!/bin/sh\n")
    monkeypatch.setattr(packages, "RUNC_PATHS", (debian_runc, docker_runc))
    runc = packages.Package("runc", packages.RUNC_PATHS)
    assert packages.absent((runc,)) == []
    config = tomllib.loads(node.containerd_config(Layout(tmp_path)))
    runtime = config["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]["runtimes"]["runc"]
    assert runtime["options"]["BinaryName"] == str(docker_runc)


def test_no_runc_at_all_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packages, "RUNC_PATHS", (tmp_path / "a", tmp_path / "b"))
    with pytest.raises(DrillbookError, match="no runc"):
        packages.runc()
