"""The Docker engine: reach it, and on a machine without one, install and start it."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import docker
from docker.errors import DockerException

from drillbook.errors import DrillbookError
from drillbook.host.debian import apt_install
from drillbook.host.progress import Progress, quiet

DOCKERD_LOG = Path(os.environ.get("DRILLBOOK_DOCKERD_LOG", "/var/log/drillbook-dockerd.log"))


def connect(timeout_s: float = 30.0) -> docker.DockerClient:
    """A client for the local engine, or a DrillbookError that says how to get one."""
    try:
        client = docker.from_env(timeout=int(timeout_s))
        client.ping()
    except DockerException as exc:
        raise DrillbookError(
            f"cannot reach the Docker engine ({_short(exc)})",
            "start it, or run `drillbook setup`, which installs and starts one where it can",
        ) from None
    return client


def reachable() -> bool:
    try:
        connect(timeout_s=5).close()
    except DrillbookError:
        return False
    return True


def ensure_engine(progress: Progress = quiet, install: bool = True) -> None:
    """Make sure an engine answers: start dockerd if installed, install docker.io if allowed."""
    if reachable():
        progress("docker engine: running")
        return
    if shutil.which("dockerd") is None:
        if not install:
            raise DrillbookError("no Docker engine is installed", "run `drillbook setup`")
        _install_engine(progress)
    _start_dockerd(progress)


def _install_engine(progress: Progress) -> None:
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise DrillbookError(
            "no Docker engine is installed and drillbook can only install one as root with apt",
            "install Docker (https://docs.docker.com/engine/install/) and start it, then rerun",
        )
    progress("docker engine: installing docker.io with apt-get (about a minute)")
    apt_install(["docker.io", "iptables"])


def _start_dockerd(progress: Progress) -> None:
    if os.geteuid() != 0:
        raise DrillbookError(
            "the Docker engine is installed but not running, and only root can start it",
            "start it (e.g. `sudo systemctl start docker`) and rerun",
        )
    progress(f"docker engine: starting dockerd (log: {DOCKERD_LOG})")
    DOCKERD_LOG.parent.mkdir(parents=True, exist_ok=True)
    with DOCKERD_LOG.open("ab") as log:
        # A new session so the engine outlives this command and is not hit by its Ctrl-C.
        subprocess.Popen(
            ["dockerd"], stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if reachable():
            progress("docker engine: running")
            return
        time.sleep(0.5)
    raise DrillbookError("dockerd did not answer within 60 s", f"read {DOCKERD_LOG}")


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
