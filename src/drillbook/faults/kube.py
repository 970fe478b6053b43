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
    env: str = param(
        "the new version's settings, KEY=VALUE[,KEY=VALUE], rolled out over the workload's: "
        "one that passes the readiness probe but breaks the service is an outage; one that "
        "fails it leaves the rollout stuck on the old pods",
    )

    def check(self) -> str | None:
        try:
            parse_env(self.env)
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
        self.kube.recreate(self.params.service, env=parse_env(self.params.env), wait=False)

    def describe(self) -> str:
        return f"{self.params.service} rolled out with {self.params.env}"
