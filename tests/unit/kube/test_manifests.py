"""The reference manifests read as a stack, and bad manifests refused at file:line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from drillbook.errors import DrillbookError, SourceError
from drillbook.stack.definition import load_stack_spec
from drillbook.stack.kube.manifests import read_manifests
from drillbook.stack.kube.overlay import overlay, workload_images

REFERENCE = Path(__file__).resolve().parents[3] / "fixtures" / "kubernetes"

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: shop/web:1
          ports: [{containerPort: 8080}]
          env: [{name: MODE, value: prod}]
          readinessProbe: {httpGet: {path: /healthz, port: 8080}}
          resources: {limits: {memory: 256Mi}}
"""


def folder(tmp_path: Path, **files: str) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return tmp_path


def test_the_reference_manifests_are_the_reference_services() -> None:
    spec = load_stack_spec(REFERENCE)
    assert spec.kubernetes is not None and spec.kubernetes.folder == REFERENCE
    assert set(spec.services) == {
        "api", "postgres", "redis", "vectordb", "provider", "provider-fallback",
    }  # fmt: skip
    api = spec.services["api"]
    assert (api.port, api.ready.http, api.memory) == (8000, "/health", "384Mi")
    assert api.env["REDIS_URL"] == "redis://redis:6379/0"
    assert spec.services["redis"].ready.command == ("redis-cli", "ping")
    assert spec.entry == "api"
    assert spec.writes is not None and spec.writes.service == "postgres"


def test_data_lives_in_statefulsets_and_every_image_is_local_only() -> None:
    manifests = read_manifests(REFERENCE)
    kinds = {name: m.kind for name, m in manifests.workloads.items()}
    assert kinds["postgres"] == kinds["redis"] == "StatefulSet"
    assert kinds["api"] == "Deployment"
    for m in manifests.workloads.values():
        for container in m.doc["spec"]["template"]["spec"]["containers"]:
            assert container["imagePullPolicy"] == "Never"  # no registry here
            assert container["resources"]["limits"]["memory"]


def test_a_workload_without_readiness_probe_is_refused_at_its_line(tmp_path: Path) -> None:
    text = DEPLOYMENT.replace(
        "          readinessProbe: {httpGet: {path: /healthz, port: 8080}}\n", ""
    )
    with pytest.raises(SourceError) as err:
        read_manifests(folder(tmp_path, **{"web.yaml": text}))
    assert f"{tmp_path / 'web.yaml'}:10" in str(err.value)
    assert "readinessProbe" in str(err.value) and "hint" in str(err.value)


def test_cluster_wide_objects_are_refused(tmp_path: Path) -> None:
    role = "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: x}\n"
    with pytest.raises(SourceError) as err:
        read_manifests(folder(tmp_path, **{"all.yaml": DEPLOYMENT + role}))
    assert f"{tmp_path / 'all.yaml'}:17" in str(err.value)
    assert "ClusterRole" in str(err.value)


def test_a_folder_without_workloads_is_refused(tmp_path: Path) -> None:
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {}\n"
    with pytest.raises(DrillbookError, match="no Deployment or StatefulSet"):
        read_manifests(folder(tmp_path, **{"svc.yaml": service}))


def test_a_workload_defined_twice_names_both_places(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"defined twice.*\n.*a.yaml:1"):
        read_manifests(folder(tmp_path, **{"a.yaml": DEPLOYMENT, "b.yaml": DEPLOYMENT}))


def test_the_overlay_pins_namespace_labels_images_and_leaves_the_files_alone(
    tmp_path: Path,
) -> None:
    namespace_doc = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop-prod}\n---\n"
    path = folder(tmp_path, **{"web.yaml": namespace_doc + DEPLOYMENT})
    before = (path / "web.yaml").read_text()
    manifests = read_manifests(path)
    docs = overlay(
        manifests,
        namespace="drillbook-shop-1",
        labels={"drillbook.run": "1"},
        images={"shop/web:1": "shop/web:local"},
    )
    assert [d["kind"] for d in docs] == ["Deployment"]  # the drill's namespace replaces theirs
    web = docs[0]
    assert web["metadata"]["namespace"] == "drillbook-shop-1"
    assert web["metadata"]["labels"] == {"app": "web", "drillbook.run": "1"}
    template = web["spec"]["template"]
    assert template["metadata"]["labels"] == {"app": "web", "drillbook.run": "1"}
    assert web["spec"]["selector"] == {"matchLabels": {"app": "web"}}  # selectors stay theirs
    assert template["spec"]["containers"][0]["image"] == "shop/web:local"
    # the documents read are not changed, nor the file
    assert (
        manifests.workloads["web"].doc["spec"]["template"]["spec"]["containers"][0]["image"]
        == "shop/web:1"
    )
    assert (path / "web.yaml").read_text() == before
    assert workload_images(manifests) == ["shop/web:1"]
    assert yaml.safe_load(yaml.safe_dump_all(docs)) == web  # plain data, as kubectl reads it


def test_an_entry_that_is_no_workload_is_refused_at_its_line(tmp_path: Path) -> None:
    path = folder(
        tmp_path, **{"web.yaml": DEPLOYMENT, "drillbook.yaml": "name: shop\nentry: api\n"}
    )
    with pytest.raises(SourceError) as err:
        load_stack_spec(path)
    assert f"{path / 'drillbook.yaml'}:2" in str(err.value)
    assert "workloads: web" in str(err.value)


POD_SPEC = "    spec:\n      containers:\n"
IMAGE = "          image: shop/web:1\n"


def test_a_pod_or_cronjob_reaching_the_host_is_refused_too(tmp_path: Path) -> None:
    pod = "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: true\n"
    cron = (
        "---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n"
        "    spec:\n      template:\n        spec:\n          hostPID: true\n"
    )
    for extra, line in ((pod, 21), (cron, 25)):
        with pytest.raises(SourceError) as err:
            read_manifests(folder(tmp_path, **{"web.yaml": DEPLOYMENT + extra}))
        assert f"web.yaml:{line}" in str(err.value)


def test_a_host_field_set_to_false_is_no_host_access(tmp_path: Path) -> None:
    text = DEPLOYMENT.replace(POD_SPEC, "    spec:\n      hostNetwork: false\n      containers:\n")
    assert read_manifests(folder(tmp_path, **{"web.yaml": text})).workloads["web"]


PORTS = "ports: [{containerPort: 8080}]"
PROBE = "readinessProbe: {httpGet: {path: /healthz, port: 8080}}"


@pytest.mark.parametrize(
    ("old", "new", "line", "said"),
    [
        # pods reaching the host
        (POD_SPEC, "    spec:\n      hostNetwork: true\n      containers:\n", 9, "hostNetwork"),
        (POD_SPEC, "    spec:\n      hostPID: true\n      containers:\n", 9, "hostPID"),
        (POD_SPEC, "    spec:\n      hostIPC: true\n      containers:\n", 9, "hostIPC"),
        (
            POD_SPEC,
            "    spec:\n      volumes: [{name: h, hostPath: {path: /}}]\n      containers:\n",
            9,
            "hostPath",
        ),
        (IMAGE, IMAGE + "          securityContext: {privileged: true}\n", 12, "privileged"),
        ("{containerPort: 8080}", "{containerPort: 8080, hostPort: 80}", 12, "hostPort"),
        # fields of the wrong type
        (PORTS, "ports: 8080", 12, "ports must be a list"),
        (PORTS, "ports: [5]", 12, "each of ports must be a mapping"),
        (PORTS, "ports: [{containerPort: http}]", 12, "containerPort must be a port number"),
        ("resources: {limits: {memory: 256Mi}}", "resources: [1]", 15, "resources must be"),
        ("{limits: {memory: 256Mi}}", "{limits: 256Mi}", 15, "resources.limits must be"),
        (PROBE, "readinessProbe: {httpGet: null}", 14, "readinessProbe.httpGet must be"),
        (PROBE, "readinessProbe: yes", 14, "readinessProbe must be a mapping"),
        ("env: [{name: MODE, value: prod}]", "env: 5", 13, "env must be a list"),
        ("image: shop/web:1", "image: [1]", 11, "image must be"),
        ("metadata: {name: web, labels: {app: web}}", "metadata: web", 3, "metadata must be"),
        ("metadata: {name: web,", "metadata: {name: [web],", 3, "metadata.name must be"),
        ("kind: Deployment", "kind: [Deployment]", 2, "kind must be a word"),
        (POD_SPEC, "    spec:\n      initContainers: foo\n      containers:\n", 9, "a list"),
    ],
)
def test_bad_fields_are_refused_at_their_line(
    tmp_path: Path, old: str, new: str, line: int, said: str
) -> None:
    assert old in DEPLOYMENT
    with pytest.raises(SourceError) as err:
        load_stack_spec(folder(tmp_path, **{"web.yaml": DEPLOYMENT.replace(old, new)}))
    assert f"{tmp_path / 'web.yaml'}:{line}: " in str(err.value)
    assert said in str(err.value)
