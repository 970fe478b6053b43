"""Kubernetes faults: on the workloads of a stack of manifests (`drillbook.stack.kube`).

A pod deleted is replaced by its controller (the platform heals it); a workload scaled to
zero or a bad rollout stays broken until someone acts: those are the incidents a runbook's
kubectl lines answer. Each is reverted by putting the workload back as its manifest says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from drillbook.errors import DrillbookError
from drillbook.faults.base import Fault, ServiceParams, param, register
from drillbook.faults.container import parse_env
from drillbook.stack.kube.stack import KubeStack


@dataclass(frozen=True, kw_only=True)
class BadRolloutParams(ServiceParams):
    env: str | None = param(
        "the new version's settings, KEY=VALUE[,KEY=VALUE], rolled out over the workload's: "
        "one that passes the readiness probe but breaks the service is an outage; one that "
        "fails it leaves the rollout stuck on the old pods",
        default=None,
    )
    memory: str | None = param(
        "the new version's memory limit (e.g. 8Mi): below the working set, its containers "
        "are OOM-killed over and over (a crash loop)",
        default=None,
    )

    def check(self) -> str | None:
        if self.env is None and self.memory is None:
            return "env: name the broken settings (env) or memory limit (memory) to roll out"
        try:
            parse_env(self.env or "A=1")
        except ValueError as exc:
            return f"env: {exc}"
        return None


KP = TypeVar("KP", bound=ServiceParams)


class _WorkloadFault(Fault[KP]):
    category = "kubernetes"

    @property
    def kube(self) -> KubeStack:
        stack = self.stack
        if not isinstance(stack, KubeStack):
            raise DrillbookError(f"{self.kind} needs a stack running on Kubernetes")
        return stack

    def _revert(self) -> None:
        self.kube.recreate(self.params.service)  # as the manifest says, and ready


@register
class PodDelete(_WorkloadFault[ServiceParams]):
    kind = "pod-delete"
    summary = "Delete the workload's pods; its controller replaces them (revert waits for it)"
    params_type = ServiceParams

    def _inject(self) -> None:
        self.kube.delete_pods(self.params.service)

    def _revert(self) -> None:
        self.kube.service(self.params.service).wait_ready()

    def describe(self) -> str:
        return f"pods of {self.params.service} deleted"


@register
class ScaleToZero(_WorkloadFault[ServiceParams]):
    kind = "scale-to-zero"
    summary = "Scale the workload to 0 replicas; revert restores its manifest's replicas"
    params_type = ServiceParams

    def _inject(self) -> None:
        self.kube.scale(self.params.service, 0)

    def describe(self) -> str:
        return f"{self.params.service} scaled to 0"


@register
class BadRollout(_WorkloadFault[BadRolloutParams]):
    kind = "bad-rollout"
    summary = "Roll out a new version with broken settings; revert restores the manifest's"
    params_type = BadRolloutParams

    def _inject(self) -> None:
        p = self.params
        if p.env is not None:
            self.kube.recreate(p.service, env=parse_env(p.env), wait=False)
        if p.memory is not None:
            self.kube.limit_memory(p.service, p.memory)

    def describe(self) -> str:
        changed = [
            c for c in (self.params.env, self.params.memory and f"memory {self.params.memory}") if c
        ]
        return f"{self.params.service} rolled out with {', '.join(changed)}"
