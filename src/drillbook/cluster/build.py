"""Kubernetes' binaries, built from the Go module proxy once per version and cached.

Kubernetes publishes no installable module for its commands: `k8s.io/kubernetes` requires its
31 staging modules (`k8s.io/api`, `k8s.io/client-go`, ...) through `replace => ./staging/...`
lines that only work inside its own repository. A small wrapper module requires
`k8s.io/kubernetes vX.Y.Z` and replaces each staging module with its published `v0.Y.Z`, and
`go build` then builds any command of it.

    bindir = ensure_binaries(KUBERNETES_VERSION, progress)

A binary present in the cache is never rebuilt; one is written under a temporary name and
renamed when complete, so a killed build never leaves a half binary that counts as present.
Everything (module cache, build cache, wrapper, log, binaries) lives under
`~/.cache/drillbook/` (`$DRILLBOOK_CACHE`).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path

from drillbook.errors import DrillbookError
from drillbook.host.progress import Progress, quiet
from drillbook.project import CACHE

KUBERNETES_VERSION = "v1.34.4"
# kube-proxy makes Services' ClusterIPs work; the rest is the control plane, node and client.
COMMANDS = (
    "kubectl",
    "kube-scheduler",
    "kubelet",
    "kube-proxy",
    "kube-controller-manager",
    "kube-apiserver",
)
# Rough cold build times on 2 cores, said before each build so a wait is not a surprise.
EXPECTED_S = {"kube-apiserver": 360, "kube-controller-manager": 75, "kubectl": 35}
WRAPPER_MODULE = "drillbook.local/k8s-wrapper"
_STAGING_LINE = re.compile(r"^\s*(k8s\.io/[\w.-]+)\s+=>\s+\./staging/", re.MULTILINE)


def version_dir(version: str) -> Path:
    """Where one Kubernetes version's wrapper module, build log and binaries live."""
    return CACHE / "kubernetes" / version


def binaries_dir(version: str = KUBERNETES_VERSION) -> Path:
    """Where the built commands of `version` are kept (a binary there is never rebuilt)."""
    return version_dir(version) / "bin"


def build_log(version: str = KUBERNETES_VERSION) -> Path:
    """The Go build's output for `version`, shown in part when a build fails."""
    return version_dir(version) / "build.log"


def missing(version: str = KUBERNETES_VERSION, commands: Sequence[str] = COMMANDS) -> list[str]:
    """The commands of `version` not in the cache yet."""
    return [c for c in commands if not (binaries_dir(version) / c).is_file()]


def staging_modules(upstream_gomod: str) -> tuple[str, ...]:
    """The staging modules `k8s.io/kubernetes`' go.mod replaces with its own folders."""
    return tuple(sorted(set(_STAGING_LINE.findall(upstream_gomod))))


def staging_version(version: str) -> str:
    """Staging modules are published as v0.<minor>.<patch> beside v1.<minor>.<patch>."""
    major, _, rest = version.removeprefix("v").partition(".")
    if major != "1" or not rest:
        raise DrillbookError(f"unexpected Kubernetes version {version!r}", "use e.g. v1.34.4")
    return f"v0.{rest}"


def wrapper_gomod(version: str, staging: Sequence[str]) -> str:
    """go.mod of the wrapper: kubernetes itself, each staging module at its published tag."""
    lines = [f"module {WRAPPER_MODULE}", "", "go 1.24.0", ""]
    lines += [f"require k8s.io/kubernetes {version}", ""]
    lines += [f"replace {m} => {m} {staging_version(version)}" for m in staging]
    return "\n".join(lines) + "\n"


def tools_go(commands: Sequence[str]) -> str:
    """A file importing every command, so `go mod tidy` resolves all their dependencies."""
    imports = "\n".join(f'\t_ "k8s.io/kubernetes/cmd/{c}"' for c in commands)
    return f"//go:build tools\n\npackage tools\n\nimport (\n{imports}\n)\n"


def ldflags(version: str) -> str:
    """Stripped binaries that report their real version (`kubectl version`, the node's)."""
    minor = version.removeprefix("v").split(".")[1]
    base = "k8s.io/component-base/version"
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return " ".join(
        [
            "-s -w",
            f"-X {base}.gitVersion={version}",
            f"-X {base}.gitMajor=1",
            f"-X {base}.gitMinor={minor}",
            f"-X {base}.gitTreeState=clean",
            f"-X {base}.buildDate={stamp}",
            f"-X k8s.io/client-go/pkg/version.gitVersion={version}",
        ]
    )


def ensure_binaries(
    version: str = KUBERNETES_VERSION,
    progress: Progress = quiet,
    commands: Sequence[str] = COMMANDS,
) -> Path:
    """The folder of `version`'s binaries, building those missing (never those present)."""
    todo = missing(version, commands)
    if not todo:
        return binaries_dir(version)
    go = go_command()
    wrapper = _wrapper(version, go, progress)
    for command in todo:
        _build(command, version, go, wrapper, progress)
    return binaries_dir(version)


def go_command() -> str:
    # Go's own installer puts it in /usr/local/go, often not on a non-login shell's PATH.
    go = shutil.which("go") or shutil.which("go", path="/usr/local/go/bin")
    if go is None:
        raise DrillbookError(
            "building Kubernetes needs Go >= 1.24, and no `go` is on the PATH",
            "install Go (https://go.dev/dl/) and rerun; the build runs once and is cached",
        )
    return go


def go_env() -> dict[str, str]:
    return {
        **os.environ,
        "GOMODCACHE": str(CACHE / "gomod"),
        "GOCACHE": str(CACHE / "gocache"),
        "GOPATH": str(CACHE / "gopath"),
        "GOFLAGS": "-mod=mod",
        "CGO_ENABLED": "0",
        # The host's Go builds it; no toolchain download behind the user's back.
        "GOTOOLCHAIN": "local",
    }


def _wrapper(version: str, go: str, progress: Progress) -> Path:
    wrapper = version_dir(version) / "wrapper"
    done = wrapper / ".resolved"
    if done.is_file():
        return wrapper
    wrapper.mkdir(parents=True, exist_ok=True)
    progress(f"kubernetes {version}: resolving its modules from the Go module proxy (~1 min)")
    info = _run([go, "mod", "download", "-json", f"k8s.io/kubernetes@{version}"], wrapper, version)
    upstream = Path(json.loads(info)["GoMod"]).read_text(encoding="utf-8")
    staging = staging_modules(upstream)
    if not staging:
        raise DrillbookError(
            f"k8s.io/kubernetes@{version}'s go.mod names no staging modules",
            f"read {build_log(version)}; the version may not exist",
        )
    (wrapper / "go.mod").write_text(wrapper_gomod(version, staging), encoding="utf-8")
    (wrapper / "tools.go").write_text(tools_go(COMMANDS), encoding="utf-8")
    _run([go, "mod", "tidy", "-e"], wrapper, version)
    done.touch()
    return wrapper


def _build(command: str, version: str, go: str, wrapper: Path, progress: Progress) -> None:
    target = binaries_dir(version) / command
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{command}.partial")
    expected = EXPECTED_S.get(command, 30)
    progress(f"kubernetes {version}: building {command} (about {expected} s on 2 cores)")
    start = time.monotonic()
    package = f"k8s.io/kubernetes/cmd/{command}"
    flags = ["-trimpath", "-ldflags", ldflags(version)]
    _run([go, "build", *flags, "-o", str(partial), package], wrapper, version)
    partial.rename(target)
    took = time.monotonic() - start
    size_mb = target.stat().st_size / 1e6
    _log(version, f"built {command} in {took:.0f} s ({size_mb:.0f} MB)")
    progress(f"kubernetes {version}: built {command} in {took:.0f} s ({size_mb:.0f} MB)")


def _log(version: str, line: str) -> None:
    build_log(version).parent.mkdir(parents=True, exist_ok=True)
    with build_log(version).open("a", encoding="utf-8") as log:
        log.write(f"drillbook: {line}\n")


def _run(argv: list[str], cwd: Path, version: str) -> str:
    """Run a Go command with its output appended to the build log; stdout is returned."""
    _log(version, "$ " + " ".join(argv))
    with build_log(version).open("a", encoding="utf-8") as log:
        result = subprocess.run(
            argv, cwd=cwd, env=go_env(), stdout=subprocess.PIPE, stderr=log, text=True, check=False
        )
        log.write(result.stdout)
    if result.returncode != 0:
        raise DrillbookError(
            f"`{' '.join(argv[:3])} ...` failed (exit {result.returncode}); the build log ends:\n"
            + tail(build_log(version)),
            f"full log: {build_log(version)}",
        )
    return result.stdout


def tail(path: Path, lines: int = 15) -> str:
    """The last lines of a log, indented, for an error message."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "    (no log)"
    return "\n".join("    " + line for line in text.splitlines()[-lines:])
