"""The wrapper module that builds Kubernetes' commands from the Go module proxy."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.cluster import build
from drillbook.errors import DrillbookError

UPSTREAM = """module k8s.io/kubernetes

go 1.24.0

require (
\tgithub.com/foo/bar v1.0.0
)

replace (
\tk8s.io/api => ./staging/src/k8s.io/api
\tk8s.io/client-go => ./staging/src/k8s.io/client-go
\tk8s.io/kube-proxy => ./staging/src/k8s.io/kube-proxy
\tgithub.com/other/thing => github.com/fork/thing v1.2.3
)
"""


def test_staging_modules_are_the_replaces_into_staging_folders() -> None:
    assert build.staging_modules(UPSTREAM) == (
        "k8s.io/api",
        "k8s.io/client-go",
        "k8s.io/kube-proxy",
    )


def test_the_wrapper_pins_each_staging_module_to_its_published_v0_tag() -> None:
    gomod = build.wrapper_gomod("v1.34.4", ("k8s.io/api", "k8s.io/client-go"))
    assert "require k8s.io/kubernetes v1.34.4\n" in gomod
    assert "replace k8s.io/api => k8s.io/api v0.34.4\n" in gomod
    assert "replace k8s.io/client-go => k8s.io/client-go v0.34.4\n" in gomod
    assert gomod.startswith(f"module {build.WRAPPER_MODULE}\n")


@pytest.mark.parametrize("bad", ["2.0.0", "v1", "latest"])
def test_a_version_that_is_not_v1_minor_patch_is_refused(bad: str) -> None:
    with pytest.raises(DrillbookError, match="unexpected Kubernetes version"):
        build.staging_version(bad)


def test_tools_go_imports_every_command_under_the_tools_tag() -> None:
    text = build.tools_go(("kubelet", "kubectl"))
    assert text.startswith("//go:build tools\n")
    assert '_ "k8s.io/kubernetes/cmd/kubelet"' in text
    assert '_ "k8s.io/kubernetes/cmd/kubectl"' in text


def test_ldflags_stamp_the_version_the_binaries_report() -> None:
    flags = build.ldflags("v1.34.4")
    assert "-X k8s.io/component-base/version.gitVersion=v1.34.4" in flags
    assert "-X k8s.io/component-base/version.gitMinor=34 " in flags
    assert "-X k8s.io/client-go/pkg/version.gitVersion=v1.34.4" in flags


def test_binaries_present_are_not_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "CACHE", tmp_path)
    bindir = build.binaries_dir("v1.34.4")
    bindir.mkdir(parents=True)
    for command in build.COMMANDS:
        (bindir / command).write_text("#!/bin/sh\n")
    # no Go on the PATH: any attempt to build would fail
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    assert build.ensure_binaries("v1.34.4") == bindir
    assert build.missing("v1.34.4") == []


def test_a_missing_binary_without_go_says_how_to_get_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "CACHE", tmp_path)
    monkeypatch.setattr(build.shutil, "which", lambda *_a, **_k: None)
    assert build.missing("v1.34.4") == list(build.COMMANDS)
    with pytest.raises(DrillbookError, match=r"needs Go >= 1\.24") as error:
        build.ensure_binaries("v1.34.4")
    assert error.value.hint is not None and "go.dev" in error.value.hint


def test_a_failed_build_shows_the_log_tail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build, "CACHE", tmp_path)
    fake_go = tmp_path / "go"
    fake_go.write_text("#!/bin/sh\necho 'cmd/kubelet: undefined: frobnicate' >&2\nexit 1\n")
    fake_go.chmod(0o755)
    wrapper = build.version_dir("v1.34.4") / "wrapper"
    wrapper.mkdir(parents=True)
    (wrapper / ".resolved").touch()
    monkeypatch.setattr(build, "go_command", lambda: str(fake_go))
    with pytest.raises(DrillbookError, match="undefined: frobnicate") as error:
        build.ensure_binaries("v1.34.4", commands=("kubelet",))
    assert str(build.build_log("v1.34.4")) in str(error.value.hint)
    assert not (build.binaries_dir("v1.34.4") / "kubelet").exists()
