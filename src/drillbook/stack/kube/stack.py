"""KubeStack: a stack of manifests running in a namespace of the drill's own on a cluster.

    with KubeStack(load_stack_spec("fixtures/kubernetes"), cluster_info, importer) as stack:
        httpx.get(stack.service("api").url + "/ready")

`up` creates and labels the namespace `drillbook-<stack>-<run>`, imports the workloads'
images from the local Docker engine into the cluster, applies the user's manifests laid over
(`overlay`: namespace, labels, local images; the files untouched), waits for every rollout
and reaches each service from 127.0.0.1 through a `Relay` to its Service's ready pods.
`down` deletes the namespace (everything in it goes with it), also on an exception or
Ctrl-C. Every kubectl call carries the drill's kubeconfig, context and namespace (`KubeTarget`).

The cluster here has no DNS add-on: where `kube-system` has no `kube-dns` Service, drillbook
adds beside the user's pod templates one `hostAliases` entry per Service of the namespace
(its name and `name.namespace.svc.cluster.local` to its cluster IP), which kube-proxy serves.
"""

from __future__ import annotations

import atexit
import json
import subprocess
import time
import uuid
from collections.abc import Callable
from ipaddress import IPv4Network
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import yaml

from drillbook.errors import DrillbookError
from drillbook.host.progress import Progress, quiet
from drillbook.stack import labels
from drillbook.stack.backend import Backend, Tool
from drillbook.stack.kube import credentials
from drillbook.stack.kube.cli import Unreadable
from drillbook.stack.kube.dump import dump_manifests
from drillbook.stack.kube.endpoints import node_pod_networks
from drillbook.stack.kube.manifests import WORKLOAD_KINDS, Manifests, read_manifests
from drillbook.stack.kube.namespace import dead_run_namespaces, namespace_for, namespace_manifest
from drillbook.stack.kube.overlay import overlay, workload_images
from drillbook.stack.kube.pin import KubeTarget, pin
from drillbook.stack.kube.service import KubeService
from drillbook.stack.reaper import end_processes
from drillbook.stack.spec import StackSpec

LINE_TIMEOUT_S = 120.0  # a runbook's kubectl line (`rollout status` waits inside it)


class ClusterAccess(Protocol):
    """How to reach the cluster (drillbook.cluster.ClusterInfo, or a user's kubeconfig)."""

    @property
    def kubeconfig(self) -> Path: ...

    @property
    def context(self) -> str: ...

    @property
    def kubectl(self) -> Path: ...

    @property
    def pod_subnet(self) -> str:
        """The cluster's pod subnet (CIDR); "" when not known: read from its nodes."""
        ...


class KubeStack:
    """The workloads of a manifests StackSpec, in a namespace of this run on one cluster."""

    def __init__(
        self,
        spec: StackSpec,
        cluster: ClusterAccess,
        *,
        import_image: Callable[[str], object],
        images: dict[str, str] | None = None,
        progress: Progress = quiet,
    ) -> None:
        if spec.kubernetes is None:
            raise DrillbookError(f"stack {spec.name} is not defined by Kubernetes manifests")
        self.spec = spec
        self.run_id = uuid.uuid4().hex[:10]
        self.namespace = namespace_for(spec.name, self.run_id)
        self.target = KubeTarget(
            cluster.kubectl, cluster.kubeconfig, cluster.context, self.namespace
        )
        self._pod_subnet = cluster.pod_subnet
        # the relay connects only to addresses in these (the pods'), from `up` on
        self.pod_networks: tuple[IPv4Network, ...] = ()
        # a runbook's lines: the namespace's ServiceAccount (`credentials`), from `up` on
        self.runbook_target: KubeTarget | None = None
        self.progress = progress
        self.manifests: Manifests = read_manifests(spec.kubernetes.folder)
        self._import = import_image
        self._images = dict(images or {})  # image as written -> local Docker reference
        self._labels = labels.run_labels(self.run_id, spec.name, "session")
        self._aliases: list[dict[str, Any]] = []
        self.services = {
            name: KubeService(self, spec.services[name], m.kind)
            for name, m in self.manifests.workloads.items()
        }

    # -- lifecycle -----------------------------------------------------------------------
    def up(self) -> KubeStack:
        """Namespace, images, manifests, every rollout ready; removed again if that fails."""
        start = time.monotonic()
        atexit.register(self.down)
        try:
            self._reap_dead_runs()
            self.pod_networks = self._read_pod_networks()
            self._create_namespace()
            self.runbook_target = self._runbook_credentials()
            for image in workload_images(self.manifests):
                self._import(self._images.get(image, image))
            docs = self._docs()
            services = [d for d in docs if d["kind"] == "Service"]
            self.apply(
                [d for d in docs if d["kind"] != "Service" and d["kind"] not in WORKLOAD_KINDS]
            )
            self.apply(services)
            self._aliases = self._host_aliases()
            self.apply(self._docs(workloads_only=True))
            for service in self.services.values():
                waited = service.wait_ready()
                self.progress(f"  {service.name}: ready in {waited:.1f} s")
        except BaseException:
            self.down()
            raise
        self.progress(
            f"stack {self.spec.name}: up in {self.namespace} in {time.monotonic() - start:.1f} s"
        )
        return self

    def down(self) -> None:
        """Delete the namespace (and with it everything of the run). Safe to call twice."""
        atexit.unregister(self.down)
        for service in self.services.values():
            service.close()
        if self.runbook_target is not None:
            credentials.remove_runbook_kubeconfig(self.runbook_target.kubeconfig)
            self.runbook_target = None
        result = self.run(
            "delete", "namespace", self.namespace, "--ignore-not-found", "--wait=true",
            "--timeout=120s", namespaced=False,
        )  # fmt: skip
        if result.returncode != 0:
            self.progress(f"stack {self.spec.name}: deleting {self.namespace}: {result.stderr}")

    def __enter__(self) -> KubeStack:
        return self.up()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.down()

    # -- access --------------------------------------------------------------------------
    def service(self, name: str) -> KubeService:
        try:
            return self.services[name]
        except KeyError:
            self.spec.service(name)  # raises the helpful error for an unknown name
            raise DrillbookError(f"service {name!r} is not running in this stack") from None

    def endpoints(self) -> dict[str, Any]:
        return {
            "stack": self.spec.name,
            "run": self.run_id,
            "namespace": self.namespace,
            "services": {name: s.endpoint() for name, s in sorted(self.services.items())},
        }

    # -- changing the running stack -------------------------------------------------------
    def recreate(self, name: str, *, env: dict[str, str] | None = None, wait: bool = True) -> None:
        """With `env`, a rollout of the workload with those settings over its own; without,
        the workload put back exactly as its manifest says (`kubectl replace`)."""
        service = self.service(name)
        if env:
            self.kubectl("set", "env", service.ref, *(f"{k}={v}" for k, v in env.items()))
        else:
            self.replace([self._workload_doc(name)])
            self._unstick(service)
        if wait:
            service.wait_ready()

    def limit_memory(self, name: str, memory: str) -> None:
        """Roll out the workload with this memory limit (and request), not waiting for it."""
        ref = self.service(name).ref
        self.kubectl("set", "resources", ref, f"--limits=memory={memory}",
                     f"--requests=memory={memory}")  # fmt: skip

    def scale(self, name: str, replicas: int) -> None:
        """`kubectl scale`; waits for the replicas to be ready unless scaled to 0."""
        service = self.service(name)
        self.kubectl("scale", service.ref, f"--replicas={replicas}")
        if replicas:
            service.wait_ready()

    def delete_pods(self, name: str) -> None:
        """Delete the workload's pods (its controller starts new ones)."""
        selector = self._selector(name)
        self.kubectl("delete", "pods", "-l", selector, "--wait=false")

    def reset(self) -> None:
        """Every workload back as its manifest says and ready: between drills."""
        self.replace(self._docs(workloads_only=True))
        for service in self.services.values():
            self._unstick(service)
        for service in self.services.values():
            service.wait_ready()

    def _unstick(self, service: KubeService, timeout_s: float = 10.0) -> None:
        """Delete a StatefulSet's pods of an older revision: a StatefulSet waits for a broken
        pod (crash-looping, never ready) to become ready before it replaces it, forever, as
        its documentation says ("forced rollback"); a Deployment needs no help."""
        if service.kind != "StatefulSet":
            return
        deadline = time.monotonic() + timeout_s
        doc = self.get_json(service.ref)
        while doc["status"].get("observedGeneration", 0) < doc["metadata"]["generation"]:
            if time.monotonic() > deadline:
                return  # the controller has not seen the change yet: rollout status waits
            time.sleep(0.2)
            doc = self.get_json(service.ref)
        revision = doc["status"].get("updateRevision")
        pods = json.loads(
            self.kubectl("get", "pods", "-l", self._selector(service.name), "-o", "json")
        )
        stale = [
            p["metadata"]["name"]
            for p in pods["items"]
            if p["metadata"].get("labels", {}).get("controller-revision-hash") != revision
        ]
        if revision and stale:
            self.kubectl("delete", "pods", *stale, "--wait=false")

    @property
    def backend(self) -> Backend:
        return "kubernetes"

    def run_line(self, tool: Tool, argv: list[str]) -> tuple[bool, str] | None:
        """A kubectl line; None for any other (see `StackBackend`)."""
        return self.kubectl_line(argv) if tool == "kubectl" else None

    def kubectl_line(self, argv: list[str]) -> tuple[bool, str]:
        """A runbook's kubectl line, as written but pinned to the drill's namespace, with the
        credentials of the namespace's ServiceAccount (never the cluster's own)."""
        if self.runbook_target is None:
            return False, f"stack {self.spec.name} is not up"
        try:
            pinned = pin(argv, self.runbook_target)
        except Unreadable as why:
            return False, why.reason
        try:
            result = subprocess.run(
                list(pinned.argv), capture_output=True, text=True, timeout=LINE_TIMEOUT_S,
                stdin=subprocess.DEVNULL, check=False, env=KubeTarget.env(),
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return False, f"kubectl did not finish within {LINE_TIMEOUT_S:.0f} s"
        note = pinned.note(self.namespace)
        output = "\n".join(p for p in (note, result.stdout, result.stderr) if p)
        return result.returncode == 0, output

    # -- kubectl --------------------------------------------------------------------------
    def run(
        self,
        *args: str,
        stdin: str | None = None,
        namespaced: bool = True,
        timeout_s: float | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """kubectl with the drill's kubeconfig and context (and namespace, unless told not);
        subprocess.TimeoutExpired after `timeout_s` (default 300 s)."""
        prefix = self.target.command()
        if not namespaced:
            prefix = prefix[:-2]
        return subprocess.run(
            [*prefix, *args], input=stdin, capture_output=True, text=True,
            timeout=timeout_s or 300, check=False, env=KubeTarget.env(),
        )  # fmt: skip

    def kubectl(self, *args: str, stdin: str | None = None) -> str:
        """`run`, raising a DrillbookError with kubectl's own message when it fails."""
        result = self.run(*args, stdin=stdin)
        if result.returncode != 0:
            raise DrillbookError(f"kubectl {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def get_json(self, ref: str) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self.kubectl("get", ref, "-o", "json"))
        return doc

    def apply(self, docs: list[dict[str, Any]]) -> None:
        if docs:
            self.kubectl("apply", "-f", "-", stdin=dump_manifests(docs))

    def replace(self, docs: list[dict[str, Any]]) -> None:
        if docs:
            self.kubectl("replace", "-f", "-", stdin=dump_manifests(docs))

    # -- internals -----------------------------------------------------------------------
    def _create_namespace(self) -> None:
        self.apply([namespace_manifest(self.namespace, self._labels)])

    def _read_pod_networks(self) -> tuple[IPv4Network, ...]:
        """The cluster's pod subnet as told, or else its nodes' pod CIDRs."""
        if self._pod_subnet:
            return (IPv4Network(self._pod_subnet),)
        return node_pod_networks(json.loads(self.kubectl("get", "nodes", "-o", "json"))["items"])

    def _runbook_credentials(self) -> KubeTarget:
        """The namespace's ServiceAccount bound to `admin` there, and a kubeconfig of the run
        with a token of it: what a runbook's lines run with."""
        self.apply(credentials.account_manifests(self.namespace, self._labels))
        token = self.kubectl(*credentials.token_args()).strip()
        admin_path = self.target.kubeconfig
        admin = yaml.safe_load(admin_path.read_text(encoding="utf-8")) or {}
        doc = credentials.runbook_kubeconfig(
            admin, admin_path, self.target.context, token, self.namespace
        )
        path = credentials.write_runbook_kubeconfig(doc, self.namespace)
        return KubeTarget(self.target.kubectl, path, credentials.CONTEXT, self.namespace)

    def _reap_dead_runs(self) -> None:
        """Delete the namespaces of drillbook runs on this host whose process is gone (a
        SIGKILLed drill), as the Docker stack reaps its containers, and end the endpoint
        watches such a run left (marked processes whose owner is gone)."""
        end_processes(lambda mark: not labels.process_owner_alive(mark))
        listed = self.run(
            "get", "namespaces", "-l", f"{labels.MANAGED}=true", "-o", "json", namespaced=False
        )
        if listed.returncode != 0:
            return
        for name in dead_run_namespaces(json.loads(listed.stdout)["items"]):
            self.progress(f"deleting namespace {name}, left by a killed run")
            self.run("delete", "namespace", name, "--wait=false", namespaced=False)

    def _docs(self, *, workloads_only: bool = False) -> list[dict[str, Any]]:
        docs = overlay(
            self.manifests, namespace=self.namespace, labels=self._labels, images=self._images
        )
        if workloads_only:
            docs = [d for d in docs if d["kind"] in WORKLOAD_KINDS]
        for doc in docs:
            if doc["kind"] in WORKLOAD_KINDS and self._aliases:
                pod = doc["spec"]["template"].setdefault("spec", {})
                pod["hostAliases"] = [*(pod.get("hostAliases") or []), *self._aliases]
        return docs

    def _workload_doc(self, name: str) -> dict[str, Any]:
        for doc in self._docs(workloads_only=True):
            if doc["metadata"]["name"] == name:
                return doc
        raise DrillbookError(f"no workload {name!r} in {self.spec.path}")

    def _host_aliases(self) -> list[dict[str, Any]]:
        """Service names for pods, where the cluster has no DNS (see the module's doc)."""
        dns = self.run("get", "service", "kube-dns", "-n", "kube-system", namespaced=False)
        if dns.returncode == 0:
            return []
        services = json.loads(self.kubectl("get", "services", "-o", "json"))["items"]
        suffix = f"{self.namespace}.svc.cluster.local"
        return [
            {
                "ip": s["spec"]["clusterIP"],
                "hostnames": [s["metadata"]["name"], f"{s['metadata']['name']}.{suffix}"],
            }
            for s in services
            if s["spec"].get("clusterIP") not in (None, "", "None")
        ]

    def _selector(self, name: str) -> str:
        match = self.get_json(self.service(name).ref)["spec"]["selector"].get("matchLabels") or {}
        if not match:
            raise DrillbookError(f"workload {name} has no matchLabels selector")
        return ",".join(f"{k}={v}" for k, v in sorted(match.items()))
