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
from drillbook.host.debian import apt_install
from drillbook.host.progress import Progress, quiet

CNI_BIN = Path("/usr/lib/cni")


@dataclass(frozen=True)
class Package:
    """A Debian package and the file that shows it is installed."""

    name: str
    provides: tuple[Path, ...]  # any one of them

    def installed(self) -> bool:
        """One of its files is there (from this package or one that provides the same)."""
        return any(path.exists() for path in self.provides)


# Debian's runc is /usr/sbin/runc; Docker CE's containerd.io has it at /usr/bin/runc
RUNC_PATHS = (Path("/usr/sbin/runc"), Path("/usr/bin/runc"))
PACKAGES = (
    Package("etcd-server", (Path("/usr/bin/etcd"),)),
    Package("containerd", (Path("/usr/bin/containerd"),)),
    Package("runc", RUNC_PATHS),
    Package("containernetworking-plugins", (CNI_BIN / "bridge",)),
    Package("conntrack", (Path("/usr/sbin/conntrack"),)),
    Package("iptables", (Path("/usr/sbin/iptables"),)),
)


def absent(packages: tuple[Package, ...] = PACKAGES) -> list[Package]:
    """The packages none of whose files is on the host."""
    return [p for p in packages if not p.installed()]


def runc() -> Path:
    """The host's runc, wherever its package put it: containerd's runtime for our pods."""
    for path in RUNC_PATHS:
        if path.exists():
            return path
    raise DrillbookError(
        f"no runc at {' or '.join(str(p) for p in RUNC_PATHS)}",
        "install it (`apt-get install runc`; Docker CE's containerd.io has one too)",
    )


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
    # apt_install starts no service (etcd, containerd): the cluster runs its own instances
    apt_install([p.name for p in todo])
