"""Debian packages on the host, installed with apt-get (as root) when something needs them.

Two guards, because the host is someone's machine: an install that would remove a package
(Docker CE's `containerd.io` conflicts with Debian's `containerd` and `runc`, so installing
those would remove it and `docker-ce` with it) is refused before anything is changed; and
no service of an installed package is started (drillbook starts its own instances), by a
`policy-rc.d` that forbids it for the install's duration.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

from drillbook.errors import DrillbookError

# invoke-rc.d asks this program whether a package's maintainer scripts may start a
# service; exit 101 means "forbidden" (Debian policy, /usr/share/doc/init-system-helpers)
POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
FORBID_STARTS = "#!/bin/sh\n# drillbook: no service starts while it installs packages\nexit 101\n"


def apt_install(packages: Sequence[str]) -> None:
    """`apt-get update` then install `packages`, removing nothing and starting no service;
    a DrillbookError with apt's words if it fails, or naming what it would remove."""
    _apt(["apt-get", "update", "-qq"])
    removed = would_remove(packages)
    names = " ".join(packages)
    if removed:
        raise DrillbookError(
            f"installing {names} with apt would remove {', '.join(removed)}, so drillbook "
            "does not install it",
            f"see what apt would do with `apt-get install -s {names}`; a host with Docker "
            "CE (containerd.io) already has containerd and runc",
        )
    with services_not_started():
        _apt(["apt-get", "install", "-y", "-qq", "--no-remove", *packages])


def would_remove(packages: Sequence[str]) -> list[str]:
    """The packages `apt-get install packages` would remove (a simulation: nothing changes)."""
    out = _apt(["apt-get", "install", "-s", "-y", *packages])
    return [line.split()[1] for line in out.splitlines() if line.startswith("Remv ")]


@contextlib.contextmanager
def services_not_started() -> Iterator[None]:
    """A `policy-rc.d` forbidding service starts while inside, removed after; one the host
    already has is its administrator's policy and stays as it is."""
    if POLICY_RC_D.exists():
        yield
        return
    POLICY_RC_D.write_text(FORBID_STARTS, encoding="utf-8")
    POLICY_RC_D.chmod(0o755)
    try:
        yield
    finally:
        POLICY_RC_D.unlink(missing_ok=True)


def _apt(argv: list[str]) -> str:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise DrillbookError(
            f"`{' '.join(argv)}` failed: {result.stderr.strip()[-500:]}",
            "check that Debian's package mirror is reachable",
        )
    return result.stdout
