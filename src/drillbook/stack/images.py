"""Images of a stack, built locally and offline-capable.

Every Dockerfile starts `FROM debian:bookworm-slim`. Where that image cannot be pulled it is
made here (debootstrap from the host's own Debian mirror, see `stack.mirror`, then `docker
import`) under the same name, so one set of Dockerfiles works online and offline. Python images
install from a wheelhouse built on the host; Go binaries are built on the host from the Go
module proxy. Tags carry a content hash of everything that goes
into the build, so an unchanged image is never rebuilt.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import docker
from docker.errors import APIError, BuildError, ImageNotFound

from drillbook.errors import DrillbookError
from drillbook.host.mirror import debian_mirror
from drillbook.host.progress import Progress, quiet
from drillbook.project import CACHE
from drillbook.stack import labels
from drillbook.stack.spec import Build, GoBuild, ServiceSpec, StackSpec

BASE_IMAGE = "debian:bookworm-slim"


def _files(context: Path) -> Iterator[Path]:
    for path in sorted(context.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            yield path


def content_hash(build: Build) -> str:
    """A digest of the build context and build parameters: same inputs, same tag."""
    h = hashlib.sha256()
    for path in _files(build.context):
        h.update(str(path.relative_to(build.context)).encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    h.update(repr((build.wheels, build.go)).encode())
    return h.hexdigest()[:12]


def image_ref(service: ServiceSpec) -> str:
    """The image a service runs: its own `image:` or the content-hashed tag of its build."""
    if service.image:
        return service.image
    assert service.build is not None
    # Named by build folder and content: two stacks sharing a folder share the image.
    return f"drillbook/{service.build.context.name}:{content_hash(service.build)}"


def ensure_base_image(client: docker.DockerClient, progress: Progress = quiet) -> None:
    """Make `debian:bookworm-slim` exist locally: pull it, else bootstrap it with debootstrap."""
    try:
        client.images.get(BASE_IMAGE)
        progress(f"base image {BASE_IMAGE}: present")
        return
    except ImageNotFound:
        pass
    progress(f"base image {BASE_IMAGE}: pulling")
    try:
        client.images.pull(BASE_IMAGE)
        return
    except APIError as exc:
        progress(f"base image: pull failed ({str(exc).splitlines()[0][:120]}); bootstrapping")
    _bootstrap_base(progress)


def _bootstrap_base(progress: Progress) -> None:
    mirror = debian_mirror()  # before anything is installed: no mirror, nothing to do
    if shutil.which("debootstrap") is None:
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise DrillbookError(
                f"cannot pull {BASE_IMAGE} and debootstrap is not installed",
                "install debootstrap (as root), or make the image available to Docker",
            )
        _run(["apt-get", "install", "-y", "-qq", "debootstrap"], "installing debootstrap")
    with tempfile.TemporaryDirectory(prefix="drillbook-rootfs-") as root:
        progress(f"base image: debootstrap bookworm from {mirror} (about 30 s)")
        _run(["debootstrap", "--variant=minbase", "bookworm", root, mirror], "debootstrap")
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            for entry in (Path(root) / junk).glob("*"):
                if entry.is_file():
                    entry.unlink()
        progress("base image: docker import")
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
        result = subprocess.run(
            [
                "docker",
                "import",
                "--change",
                "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "--change",
                'CMD ["bash"]',
                "-",
                BASE_IMAGE,
            ],
            stdin=tar.stdout,
            capture_output=True,
            text=True,
            check=False,
        )
        tar.wait()
        if result.returncode != 0:
            raise DrillbookError(f"docker import failed: {result.stderr.strip()}")


def _run(cmd: list[str], what: str, env: dict[str, str] | None = None) -> None:
    result = subprocess.run(
        cmd, capture_output=True, text=True, check=False, env={**os.environ, **(env or {})}
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip()[-800:]
        raise DrillbookError(f"{what} failed (`{' '.join(cmd)}`):\n{tail}")


def wheelhouse(requirements: Path, progress: Progress = quiet) -> Path:
    """Wheels for a requirements file, built on the host once and cached by its content."""
    if sys.version_info[:2] != (3, 11) or platform.machine() != "x86_64":
        raise DrillbookError(
            "the wheelhouse for the images is built with the host's Python, which must be "
            f"CPython 3.11 on x86_64 like Debian bookworm's (this is {platform.python_version()} "
            f"on {platform.machine()})",
            "run drillbook from a Python 3.11 environment",
        )
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    target = CACHE / "wheels" / digest
    if (target / ".complete").exists():
        return target
    progress(f"wheelhouse for {requirements.parent.name}: pip wheel -r {requirements.name}")
    target.mkdir(parents=True, exist_ok=True)
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--prefer-binary",
            "-w",
            str(target),
            "-r",
            str(requirements),
        ],
        f"building wheels for {requirements}",
    )
    (target / ".complete").touch()
    return target


def go_binary(go: GoBuild, progress: Progress = quiet) -> Path:
    """A static binary of `go.module@go.version`, built with the host's Go once and cached."""
    if shutil.which("go") is None:
        raise DrillbookError(
            f"building {go.binary} needs Go (module {go.module})",
            "install Go >= 1.23 (https://go.dev/dl/), or give the service an `image:` instead",
        )
    key = hashlib.sha256(f"{go.module}@{go.version}".encode()).hexdigest()[:16]
    bindir = CACHE / "go" / key
    built = bindir / go.module.rstrip("/").rsplit("/", 1)[-1]
    if built.is_file():
        return built
    progress(f"go install {go.module}@{go.version} (static)")
    bindir.mkdir(parents=True, exist_ok=True)
    _run(
        ["go", "install", f"{go.module}@{go.version}"],
        f"building {go.module}",
        # Go's caches in drillbook's own, so `drillbook clean` frees them, not the user's.
        env={
            "CGO_ENABLED": "0",
            "GOBIN": str(bindir),
            "GOCACHE": str(CACHE / "gocache"),
            "GOMODCACHE": str(CACHE / "gomod"),
        },
    )
    return built


def build_image(
    client: docker.DockerClient, service: ServiceSpec, stack: StackSpec, progress: Progress = quiet
) -> str:
    """Build a service's image unless its content-hashed tag already exists; return the tag."""
    tag = image_ref(service)
    build = service.build
    if build is None:
        return tag
    try:
        client.images.get(tag)
        progress(f"image {tag}: up to date")
        return tag
    except ImageNotFound:
        pass
    with tempfile.TemporaryDirectory(prefix=f"drillbook-build-{service.name}-") as tmp:
        context = Path(tmp) / "context"
        shutil.copytree(
            build.context, context, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
        if build.wheels:
            shutil.copytree(
                wheelhouse(build.context / build.wheels, progress),
                context / "wheels",
                ignore=shutil.ignore_patterns(".complete"),
            )
        if build.go:
            shutil.copy2(go_binary(build.go, progress), context / build.go.binary)
        progress(f"image {tag}: building")
        try:
            client.images.build(
                path=str(context),
                tag=tag,
                rm=True,
                forcerm=True,
                pull=False,
                labels={
                    labels.MANAGED: "true",
                    labels.STACK: stack.name,
                    labels.SERVICE: service.name,
                    labels.IMAGE_HASH: tag.rsplit(":", 1)[1],
                },
            )
        except BuildError as exc:
            log = "".join(
                str(chunk.get("stream", chunk.get("error", ""))) for chunk in exc.build_log
            )
            raise DrillbookError(
                f"building {tag} failed: {exc.msg}\n{log.strip()[-1500:]}",
                f"fix {build.context / 'Dockerfile'} and rerun `drillbook images`",
            ) from None
    progress(f"image {tag}: built")
    return tag


def ensure_images(
    client: docker.DockerClient, stack: StackSpec, progress: Progress = quiet
) -> dict[str, str]:
    """Base image, then every service image of the stack; returns service -> image reference."""
    if any(s.build for s in stack.services.values()):
        ensure_base_image(client, progress)
    refs = {}
    for service in stack.services.values():
        if service.build is None and not service.image:
            continue  # a Compose service with its own `build:`: Compose builds it on `up`
        if service.build is None:
            _require_pulled(client, service.image or "", progress)
        refs[service.name] = build_image(client, service, stack, progress)
    return refs


def _require_pulled(client: docker.DockerClient, ref: str, progress: Progress) -> None:
    try:
        client.images.get(ref)
        return
    except ImageNotFound:
        pass
    progress(f"image {ref}: pulling")
    try:
        client.images.pull(ref)
    except APIError as exc:
        raise DrillbookError(
            f"image {ref} is not present and cannot be pulled ({str(exc).splitlines()[0][:160]})",
            "load it with `docker load`, or build the service from a Dockerfile instead",
        ) from None
