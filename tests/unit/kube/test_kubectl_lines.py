"""Runbook lines on a Kubernetes stack: kubectl runs as written (names resolved, the safety
analysis first); docker and docker compose lines are findings, never translated."""

from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.runbooks.actions import KubectlRun, Recreate, Scale
from drillbook.runbooks.adapter import CommandAdapter
from drillbook.runbooks.names import NameMap
from drillbook.runbooks.status import Admission
from drillbook.stack.definition import load_stack_spec
from drillbook.stack.spec import StackSpec

ROOT = Path(__file__).resolve().parents[3]


def test_kubectl_runs_as_written_with_the_runbooks_names_resolved(kube: StackSpec) -> None:
    adapter = CommandAdapter(kube, NameMap(kube, {"langgraph-api": "api"}))
    t = adapter.translate("kubectl rollout restart deployment/langgraph-api -n rag7-prod")
    assert t.admission is Admission.RUN
    assert t.actions == (
        KubectlRun(("rollout", "restart", "deployment/api", "-n", "rag7-prod"), ("api",)),
    )


def test_a_verb_with_no_container_equivalent_still_runs_on_a_cluster(kube: StackSpec) -> None:
    t = CommandAdapter(kube).translate("kubectl rollout history deployment/api")
    assert t.actions == (KubectlRun(("rollout", "history", "deployment/api"), ("api",)),)


def test_an_unknown_workload_is_not_executable(kube: StackSpec) -> None:
    t = CommandAdapter(kube).translate("kubectl scale deployment/billing --replicas=1")
    assert t.admission is Admission.NOT_EXECUTABLE
    assert t.problem == "service"


@pytest.mark.parametrize(
    "line",
    [
        "kubectl delete deployment api",
        "kubectl delete namespace rag7-prod",
        "kubectl delete pvc data-postgres-0",
        "kubectl drain 127.0.0.1",
        "kubectl exec redis-0 -- redis-cli FLUSHALL",
        # global options before the verb do not hide it
        "kubectl --kubeconfig /x delete namespace kube-system",
        "kubectl --user admin delete namespace kube-system",
        "kubectl -v 6 delete namespace kube-system",
        "kubectl --request-timeout 30s delete namespace kube-system",
        "kubectl -n prod delete deployment api",
        "kubectl --token t exec deploy/redis -- redis-cli FLUSHALL",
        "kubectl --context=x exec redis-0 -- redis-cli FLUSHALL",
    ],
)
def test_destructive_kubectl_is_refused_before_anything_runs(kube: StackSpec, line: str) -> None:
    t = CommandAdapter(kube).translate(line)
    assert t.admission is Admission.REFUSED
    assert t.actions == ()


@pytest.mark.parametrize(
    "line", ["docker compose restart api", "docker-compose up -d redis", "docker restart redis"]
)
def test_docker_lines_on_a_kubernetes_stack_are_findings(kube: StackSpec, line: str) -> None:
    t = CommandAdapter(kube).translate(line)
    assert t.admission is Admission.NOT_EXECUTABLE
    assert t.problem == "backend"
    assert "kubectl" in t.reason


def test_on_containers_the_same_lines_stay_translated(reference: StackSpec) -> None:
    adapter = CommandAdapter(reference)
    assert adapter.translate("kubectl scale deployment/api --replicas=0 -n x").actions == (
        Scale("api", 0),
    )
    assert adapter.translate("kubectl rollout undo deployment/api").actions == (Recreate("api"),)


def test_localhost_urls_mean_the_entry_service(kube: StackSpec) -> None:
    t = CommandAdapter(kube).translate("curl -fsS http://localhost:8000/ready")
    assert t.admission is Admission.RUN
    assert getattr(t.actions[0], "service", None) == "api"


@pytest.mark.parametrize(
    "line",
    [
        "kubectl edit configmap rag7-config -n rag7-prod",
        "kubectl port-forward svc/api 8000:8000",
        "kubectl logs -f deployment/api",
        "kubectl get pods --watch",
        "kubectl top pods -n rag7-prod -w",
        "kubectl logs -fp deployment/api",
        "kubectl logs deployment/api --follow=true",
        "kubectl get pods -Aw",
        "kubectl get pods --watch-only",
    ],
)
def test_lines_nobody_would_end_are_findings(kube: StackSpec, line: str) -> None:
    t = CommandAdapter(kube).translate(line)
    assert t.admission is Admission.NOT_EXECUTABLE
    assert t.problem == "interactive"


@pytest.mark.parametrize(
    "line",
    [
        "kubectl exec statefulset/redis -- redis-cli -w ping",  # the container's -w
        "kubectl rollout status deployment/api -w --timeout=60s",  # ends with the rollout
        "kubectl logs deployment/api --follow=false --tail=5",
        "kubectl get pods -ow",  # -o takes the w: the output format, not a watch
    ],
)
def test_lines_that_end_are_not_taken_for_never_ending(kube: StackSpec, line: str) -> None:
    t = CommandAdapter(kube).translate(line)
    assert t.problem != "interactive", t.reason


def test_the_entry_named_beside_the_manifests_takes_localhost_urls() -> None:
    rag7 = load_stack_spec(ROOT / "examples" / "rag7-langgraph-api" / "kubernetes")
    assert rag7.entry == "langgraph-api"
    t = CommandAdapter(rag7).translate("curl -v http://localhost:8000/health")
    assert getattr(t.actions[0], "service", None) == "langgraph-api"


@pytest.mark.parametrize(
    "line",
    [
        # cobra takes an option it does not know at the top as having a value:
        # this runs `delete --all namespaces`
        "kubectl --all namespaces delete",
        "kubectl --grace-period 0 delete namespace kube-system",
        "kubectl -Rn x get pods",
    ],
)
def test_other_options_before_the_verb_make_the_line_not_executable(
    kube: StackSpec, line: str
) -> None:
    for spec in (kube, load_stack_spec(ROOT / "fixtures" / "stack.yaml")):
        t = CommandAdapter(spec).translate(line)
        assert t.admission is Admission.NOT_EXECUTABLE, t
        assert "global options" in t.reason


def test_global_options_before_the_verb_still_translate(reference: StackSpec) -> None:
    line = "kubectl -v 6 --request-timeout=5s scale deploy/api --replicas=2"
    t = CommandAdapter(reference).translate(line)
    assert t.actions == (Scale("api", 2),)


HOST = "a file on the host"
NETWORK = "network rule"


@pytest.mark.parametrize(
    ("line", "problem", "said"),
    [
        ("kubectl config view --raw", "host-file", "kubeconfig files"),
        (
            "kubectl config set clusters.drillbook.server https://10.0.0.1",
            "host-file",
            "kubeconfig files",
        ),
        ("kubectl config delete-context drillbook", "host-file", "kubeconfig files"),
        (
            "kubectl cp redis-0:/data/dump.rdb /home/user/.bashrc",
            "host-file",
            "between the host and a pod",
        ),
        ("kubectl cp ./x redis-0:/data/dump.rdb", "host-file", "between the host and a pod"),
        ("kubectl get pods --profile=cpu --profile-output=/tmp/p", "host-file", HOST),
        ("kubectl --cache-dir /tmp/x get pods", "host-file", HOST),
        ("kubectl get pods -o go-template-file=/etc/shadow", "host-file", HOST),
        ("kubectl get pods -ogo-template-file=/etc/shadow", "host-file", HOST),
        ("kubectl get pods --output=jsonpath-file=/etc/shadow", "host-file", HOST),
        ("kubectl create secret generic s --from-file=/etc/shadow", "host-file", HOST),
        ("kubectl create configmap c --from-env-file /root/.env", "host-file", HOST),
        ("kubectl apply -f /etc/kubernetes/pod.yaml", "host-file", HOST),
        ("kubectl apply -fpod.yaml", "host-file", HOST),
        ("kubectl apply --filename=pod.yaml", "host-file", HOST),
        ("kubectl apply -k ./overlay", "host-file", HOST),
        ("kubectl create secret tls t --cert=/root/tls.crt --key=/root/tls.key", "host-file", HOST),
        ("kubectl cluster-info dump --output-directory=/tmp/dump", "host-file", HOST),
        ("kubectl kustomize ./overlay", "host-file", "a folder of the host"),
        ("kubectl apply -f https://example.com/x.yaml", "host-file", NETWORK),
        ("kubectl apply -k github.com/org/repo/overlay?ref=main", "host-file", NETWORK),
        ("kubectl create -f http://10.0.0.1/pod.yaml", "host-file", NETWORK),
        ("kubectl foo bar", "unknown", "plugin program kubectl-foo"),
    ],
)
def test_lines_reaching_beyond_the_cluster_are_not_executable(
    kube: StackSpec, line: str, problem: str, said: str
) -> None:
    t = CommandAdapter(kube).translate(line)
    assert t.admission is Admission.NOT_EXECUTABLE, t
    assert (t.problem, said in t.reason) == (problem, True), t.reason


@pytest.mark.parametrize(
    "line",
    [
        "kubectl logs -f deployment/api --tail=5",  # -f follows (refused as never-ending)
        "kubectl get pods -o jsonpath={.items[0].metadata.name}",
        "kubectl get pods -o json",
        "kubectl rollout undo deployment/api",
        "kubectl debug redis-0 -it --image=busybox --profile=general",
    ],
)
def test_options_that_only_look_like_files_are_not_host_files(kube: StackSpec, line: str) -> None:
    t = CommandAdapter(kube).translate(line)
    assert t.problem != "host-file", t.reason
