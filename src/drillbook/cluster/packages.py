"""The Debian packages the cluster runs on, installed with apt where a program is missing.

etcd (`etcd-server`), a containerd of its own (`containerd`, never dockerd's instance), the
CNI plugins of the pod network (`containernetworking-plugins`), and `conntrack`, which
kube-proxy uses to forget connections to a Service's removed endpoints.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from drillbook.errors import DrillbookError
from drillbook.stack.debian import apt_install
from drillbook.stack.progress import Progress, quiet

CNI_BIN = Path("/usr/lib/cni")


@dataclass(frozen=True)
class Package:
    """A Debian package and the file that shows it is installed."""

    name: str
    provides: Path


PACKAGES = (
    Package("etcd-server", Path("/usr/bin/etcd")),
    Package("containerd", Path("/usr/bin/containerd")),
    Package("runc", Path("/usr/sbin/runc")),
    Package("containernetworking-plugins", CNI_BIN / "bridge"),
    Package("conntrack", Path("/usr/sbin/conntrack")),
    Package("iptables", Path("/usr/sbin/iptables")),
)


def absent(packages: tuple[Package, ...] = PACKAGES) -> list[Package]:
    return [p for p in packages if not p.provides.exists()]


def ensure_packages(progress: Progress = quiet, packages: tuple[Package, ...] = PACKAGES) -> None:
    """Install the packages whose program is missing; nothing when all are there."""
    todo = absent(packages)
    if not todo:
        return
    names = " ".join(p.name for p in todo)
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise DrillbookError(
            f"the cluster needs {names}, and drillbook installs packages only as root with apt",
            f"install them (`apt-get install {names}`) and rerun",
        )
    progress(f"cluster: installing {names} with apt-get")
    # policy-rc.d on these machines keeps apt from starting etcd or containerd as services;
    # the cluster starts its own instances either way.
    apt_install([p.name for p in todo])
