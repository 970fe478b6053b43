"""The credentials of a runbook's lines: a ServiceAccount of the drill namespace, `admin` there
only, in a kubeconfig of the run (never the cluster's own)."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest

from drillbook.errors import DrillbookError
from drillbook.stack.definition import load_stack_spec
from drillbook.stack.kube import credentials
from drillbook.stack.kube.pin import KubeTarget
from drillbook.stack.kube.stack import KubeStack

ADMIN = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [
        {"name": "other", "cluster": {"server": "https://10.9.9.9:6443"}},
        {
            "name": "drillbook",
            "cluster": {"server": "https://127.0.0.1:7443", "certificate-authority": "pki/ca.crt"},
        },
    ],
    "users": [{"name": "admin", "user": {"client-key": "pki/admin.key"}}],
    "contexts": [{"name": "drillbook", "context": {"cluster": "drillbook", "user": "admin"}}],
    "current-context": "drillbook",
}


def test_the_account_is_bound_to_admin_in_its_namespace_only() -> None:
    account, binding = credentials.account_manifests("drillbook-ref-1", {"io.drillbook.run": "1"})
    assert account["kind"] == "ServiceAccount"
    assert account["metadata"]["namespace"] == "drillbook-ref-1"
    # a RoleBinding (namespaced), never a ClusterRoleBinding: `admin` in this namespace alone
    assert binding["kind"] == "RoleBinding"
    assert binding["metadata"]["namespace"] == "drillbook-ref-1"
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "admin",
    }  # fmt: skip
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": credentials.ACCOUNT, "namespace": "drillbook-ref-1"}
    ]


def test_the_token_is_asked_of_the_account() -> None:
    assert credentials.token_args()[:3] == ["create", "token", credentials.ACCOUNT]


def test_the_kubeconfig_holds_the_token_and_nothing_of_the_admins() -> None:
    doc = credentials.runbook_kubeconfig(
        ADMIN, Path("/state/kubeconfigs/admin.conf"), "drillbook", "TOKEN", "drillbook-ref-1"
    )
    assert doc["clusters"] == [
        {
            "name": credentials.CONTEXT,
            "cluster": {
                "server": "https://127.0.0.1:7443",
                # relative to the admin kubeconfig's folder, as kubectl reads it there
                "certificate-authority": "/state/kubeconfigs/pki/ca.crt",
            },
        }
    ]
    assert doc["users"] == [{"name": credentials.ACCOUNT, "user": {"token": "TOKEN"}}]
    assert doc["contexts"][0]["context"]["namespace"] == "drillbook-ref-1"
    assert doc["current-context"] == credentials.CONTEXT
    assert "admin.key" not in str(doc)


def test_a_context_the_kubeconfig_lacks_is_a_clear_error() -> None:
    with pytest.raises(DrillbookError, match="no context 'prod'"):
        credentials.runbook_kubeconfig(ADMIN, Path("/k"), "prod", "T", "ns")


def test_the_file_is_the_owners_alone_and_removed_at_the_end() -> None:
    path = credentials.write_runbook_kubeconfig({"kind": "Config"}, "drillbook-ref-1")
    try:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert "kind: Config" in path.read_text()
    finally:
        credentials.remove_runbook_kubeconfig(path)
    assert not path.exists() and not path.parent.exists()


def _stack(tmp_path: Path) -> KubeStack:
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Access:
        kubeconfig: Path
        context: str
        kubectl: Path
        pod_subnet: str = "10.200.0.0/16"

    spec = load_stack_spec(Path(__file__).resolve().parents[3] / "fixtures" / "kubernetes")
    access = Access(tmp_path / "admin.conf", "drillbook", Path("/bin/kubectl"))
    return KubeStack(spec, access, import_image=lambda ref: None)


def test_a_runbook_line_never_runs_with_the_clusters_kubeconfig(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = _stack(tmp_path)
    ran: list[tuple[list[str], dict[str, str]]] = []

    def run(argv: list[str], **kw: object) -> subprocess.CompletedProcess[str]:
        ran.append((argv, dict(kw["env"])))  # type: ignore[call-overload]
        return subprocess.CompletedProcess(argv, 0, "", "")

    monkeypatch.setattr(subprocess, "run", run)
    ok, output = stack.kubectl_line(["get", "pods"])
    assert (ok, ran) == (False, [])  # before `up` made the account, nothing runs
    assert "not up" in output
    stack.runbook_target = KubeTarget(
        Path("/bin/kubectl"), tmp_path / "run.conf", credentials.CONTEXT, stack.namespace
    )
    assert stack.kubectl_line(["--kubeconfig", str(tmp_path / "admin.conf"), "get", "pods"])[0]
    argv, env = ran[0]
    assert argv[:5] == ["/bin/kubectl", "--kubeconfig", str(tmp_path / "run.conf"), "--context",
                        credentials.CONTEXT]  # fmt: skip
    assert str(tmp_path / "admin.conf") not in argv
    assert env["KUBECTL_KUBERC"] == "false" and "KUBECONFIG" not in env
