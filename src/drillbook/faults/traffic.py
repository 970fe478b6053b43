"""Traffic faults: a burst of users on top of the normal load (the rate-limit storm).

The burst is real Locust load, in its own process like all of drillbook's load, sent only to
the service's port published on 127.0.0.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from drillbook.errors import DrillbookError
from drillbook.faults.access import service_of
from drillbook.faults.base import Fault, ServiceParams, param, register
from drillbook.load import LoadProfile, LoadRun
from drillbook.project import LOCUSTFILE, find_root

if TYPE_CHECKING:
    from drillbook.stack import Stack


@dataclass(frozen=True, kw_only=True)
class BurstParams(ServiceParams):
    service: str = param("the service the burst hits", default="api", refers_to="service")
    users: int = param("extra simulated users", minimum=1, maximum=500)
    spawn_rate: float = param("users started per second", default=50.0, minimum=0.1)
    locustfile: str = param(
        "the user mix (relative to the working directory or the project)",
        default=LOCUSTFILE,
    )


@register
class TrafficBurst(Fault[BurstParams]):
    kind = "traffic-burst"
    category = "traffic"
    summary = "A burst of extra users on a service (Locust); revert ends it"
    params_type = BurstParams

    def __init__(self, stack: Stack, params: BurstParams) -> None:
        super().__init__(stack, params)
        self._run: LoadRun | None = None

    def _locustfile(self) -> Path:
        wanted = Path(self.params.locustfile)
        for candidate in (wanted, find_root(self.stack.spec.path.parent) / wanted):
            if candidate.is_file():
                return candidate
        raise DrillbookError(f"traffic-burst: locustfile {wanted} not found")

    def _inject(self) -> None:
        p = self.params
        service = service_of(self.stack, p.service)
        self._run = LoadRun(
            self._locustfile(),
            service.url,
            LoadProfile(users=p.users, spawn_rate=p.spawn_rate),
            run_id=self.stack.run_id,
        ).start()

    def _revert(self) -> None:
        if self._run is not None:
            self._run.stop()
            self._run = None

    def describe(self) -> str:
        return f"a burst of {self.params.users} users on {self.params.service}"
