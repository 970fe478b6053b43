"""Reading scenario files: validated on load, every error at its file and line.

name: redis-down                  # default: the file name
description: Redis is killed under load; the runbook brings it back.
fault: {type: kill, service: redis}
duration: 20                      # only for a transient fault: it ends by itself
faults:                           # instead of fault: several, on a schedule; each injected
  - {at: 0, type: kill, service: redis}         # `at` s after the first, reverted `for`
  - {at: 3, for: 5, type: provider-errors, rate: 1}   # s later (else: at the drill's end)
seed: 1234                        # the search seed of a scenario `drillbook explore` wrote
runbook: redis-down               # runbooks/redis-down.md, or a path, or path.md#id, or
                                  # {path: ../team/runbooks.md, incident: redis-down}: a path
                                  # from the scenario's folder, else from the project root;
                                  # incident: an incident's id, or a
                                  # heading's whose section is a procedure
load: {users: 10, spawn_rate: 10}  # workers: 2 spreads the users over 2 Locust processes;
                                  # service: the one the users reach (default: the stack's
                                  # entry, the source of its links)
steady_state:
  service: api                    # the service judged
  probe: /ready
  require: ready                  # or: serving (HTTP 200 is enough)
  max_error_rate: 0.05            # of the load, in the window before each probe
  max_p95_ms: 2000
  window: 2                       # seconds of load each probe is judged with
  stability: 5                    # seconds steady state must hold to count as recovered
expect:
  detect_within: 15
  recover_within: 120             # default: the runbook's MTTR target
  respond_after: 2                # seconds from detection to the first runbook step
  degraded: {max_error_rate: 0.5, max_p95_ms: 5000}   # while a transient fault lasts
                                  # (requests: "POST /v1/query": only those named so;
                                  # window: remediated: only requests sent after the
                                  # runbook's remediation finished; default fault)
  writes_kept: all                # acknowledged writes still there afterwards: all,
                                  # before_fault (a restore loses later ones) or none
  may_absorb: false               # transient faults: unnoticed passes (else: not detected)
  judge: as-written               # the target holds for a person following the runbook
                                  # (the default), or only for the machine: machine
  max_error_rate: 0.5             # of the load from the fault to recovery (user impact)
  max_failed_requests: 200        # from the fault to recovery
operator:                         # a person's pace (drillbook.runbooks.pace), seconds a
  command_s: 20                   # step costs beyond the machine: type and read a command,
  prose_s: 30                     # read and act on prose, look at a dashboard, read a wait
  dashboard_s: 60
  wait_s: 5
  read_s: 5                       # a line that only introduces the next step ("Restart it:")
error_budget: {availability: 0.999, window_days: 30}   # the SLO an incident burns
  alert: RedisDown                # the alert that must page (default: the runbook's; none)
  alert_allow: [HighErrorRate]    # other alerts that may honestly fire with it
  alert_rules: rules/wrong.yml    # a rules file replacing the stack's for this scenario
  alert_delay: 2                  # seconds the fault needs to show in the metrics (a slow
                                  # request is seen when it ends), added to the alert's bound;
                                  # or `detected`: a fault that builds up, the bound counts
                                  # from the first failing probe
  clock: page                     # respond at the page, target from it (default: fault)
env:                              # settings of services for this scenario only
  api: {RATE_LIMIT_FAIL_OPEN: "false"}
before_fault:                     # commands run in the sandbox right before the fault
  - docker compose exec postgres pg_dump -U drillbook -Fc -f /tmp/backup.dump drillbook
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drillbook.load import LoadProfile
from drillbook.observe.slo import Slo
from drillbook.project import RUNBOOKS, find_root
from drillbook.runbooks.model import Runbook, RunbookDocument
from drillbook.runbooks.pace import OperatorModel
from drillbook.runbooks.parser import parse_file
from drillbook.runbooks.procedure import procedure
from drillbook.scenarios.faultspec import FaultReader
from drillbook.scenarios.model import (
    AlertExpectation,
    Availability,
    Degradation,
    Expectations,
    Scenario,
    ScheduledFault,
    SteadyState,
)
from drillbook.stack.spec import StackSpec
from drillbook.yamlsource import Mapping, load_yaml

_TOP = {
    "name",
    "description",
    "fault",
    "faults",
    "duration",
    "seed",
    "runbook",
    "load",
    "steady_state",
    "expect",
    "env",
    "before_fault",
    "operator",
    "error_budget",
}


class _Reader(FaultReader):
    def scenario(self, doc: Any, spec: StackSpec | None) -> Scenario:
        root = self.mapping(doc, 1, "a scenario file")
        self.check_keys(root, _TOP, "a scenario")
        if ("fault" in root) == ("faults" in root):
            raise self.fail(
                root.line_of("faults") if "fault" in root else root.line,
                "a scenario needs a 'fault'"
                + (" or 'faults', not both" if "fault" in root else ""),
                "e.g. fault: {type: kill, "
                "service: redis}; `drillbook faults list` shows every type",
            )
        schedule: tuple[ScheduledFault, ...] = ()
        if "faults" in root:
            schedule = self.schedule(root, spec)
            kind, params = schedule[0].kind, schedule[0].params
        else:
            kind, params = self.fault(
                self.mapping(root["fault"], root.line_of("fault"), "fault"), spec
            )
        runbook = self.runbook(root)
        expect = self.expectations(self.section(root, "expect"))
        if expect.recover_within_s is None and (runbook is None or runbook.mttr_s is None):
            where = f"runbook {runbook.id} has none" if runbook else "there is no runbook"
            raise self.fail(
                root.line_of("expect"),
                f"no recovery target: {where}",
                "give the runbook an MTTR target, or set expect.recover_within",
            )
        duration = self.number(root, "duration", None, low=0.1)
        if schedule:
            duration = self.schedule_duration(root, schedule)
        steady = self.steady(self.section(root, "steady_state"), spec)
        # what only a fault that ends by itself can have
        transient = [k for k in ("degraded", "may_absorb") if getattr(expect, k)]
        if transient and duration is None:
            raise self.fail(
                root.line_of("expect"),
                f"expect.{transient[0]} needs a transient fault",
                "set 'duration' (seconds the fault lasts)",
            )
        if expect.degraded and expect.degraded.window == "remediated" and runbook is None:
            raise self.fail(
                root.line_of("expect"), "degraded.window: remediated needs a runbook", "or: fault"
            )
        return Scenario(
            name=str(root.get("name", self.path.stem)),
            path=self.path,
            description=str(root.get("description", "")),
            fault_kind=kind,
            fault_params=params,
            runbook=runbook,
            duration_s=duration,
            load=self.load(self.section(root, "load")),
            steady=steady,
            load_service=self.load_service(self.section(root, "load"), spec),
            expect=expect,
            env=self.env(self.section(root, "env"), spec),
            before_fault=self.commands(root, "before_fault"),
            operator=self.operator(self.section(root, "operator")),
            availability=self.availability(self.section(root, "error_budget")),
            line=root.line,
            schedule=schedule,
            seed=_whole(self.number(root, "seed", None)),
        )

    def runbook(self, root: Mapping) -> Runbook | None:
        if "runbook" not in root:
            return None
        line = root.line_of("runbook")
        value = root["runbook"]
        looked: list[Path] = []
        if isinstance(value, Mapping):
            looked, wanted = self.runbook_reference(value)
            path = next((p for p in looked if p.is_file()), looked[0])
            shown = f"{value.get('path')}"
        else:
            shown = str(value)
            ref, _, wanted = shown.partition("#")
            if ref.endswith(".md"):
                path = (self.path.parent / ref).resolve()
            else:
                # An id names a runbook in the runbooks folder beside the scenarios folder.
                path = (self.path.parent.parent / RUNBOOKS / f"{ref}.md").resolve()
                wanted = wanted or ref
        if not path.is_file():
            places = " and ".join(str(p) for p in looked or [path])
            raise self.fail(
                line,
                f"runbook {shown!r} not found (looked for {places})",
                "name a Markdown file relative to the scenario, an id in runbooks/, or "
                "runbook: {path: <relative to the scenario or the project root>, incident: <id>}",
            )
        return self.choose(parse_file(path), wanted, line, shown)

    def runbook_reference(self, m: Mapping) -> tuple[list[Path], str]:
        """`{path: ..., incident: ...}`: a file anywhere, relative to the scenario file (as
        every other path of a scenario) or else to the project root (a team's runbook folder,
        or one beside the checkout): the places to look, in order, and the incident."""
        self.check_keys(m, {"path", "incident"}, "runbook")
        path = self.require(m, "path", "runbook")
        if not isinstance(path, str) or not path.endswith(".md"):
            raise self.fail(m.line_of("path"), f"runbook path must name a .md file, got {path!r}")
        incident = m.get("incident", "")
        if not isinstance(incident, str):
            raise self.fail(m.line_of("incident"), "runbook incident must be an id (text)")
        places = [
            (self.path.parent / path).resolve(),
            (find_root(self.path.parent) / path).resolve(),
        ]
        return list(dict.fromkeys(places)), incident

    def choose(self, doc: RunbookDocument, wanted: str, line: int, shown: str) -> Runbook:
        """The runbook `wanted` of the file (an incident id, or the id of a heading whose
        section is a procedure), or the file's only one."""
        runbooks = doc.runbooks
        ids = ", ".join(r.id for r in runbooks) or "none"
        if wanted:
            chosen = next((r for r in runbooks if r.id == wanted), None) or procedure(doc, wanted)
            if chosen is None:
                raise self.fail(
                    line,
                    f"no runbook {wanted!r} in {doc.path}",
                    f"incidents: {ids}; or the id of a heading with steps under it",
                )
            return chosen
        if not runbooks:
            raise self.fail(
                line,
                f"{doc.path} holds no runbook drillbook can read",
                f"name a heading with steps (incident: <id>), or run `drillbook lint {doc.path}`",
            )
        if len(runbooks) > 1:
            raise self.fail(
                line,
                f"{doc.path} holds {len(runbooks)} runbooks: say which",
                f"e.g. runbook: {shown}#{runbooks[0].id} (ids: {ids})",
            )
        return runbooks[0]

    def commands(self, root: Mapping, key: str) -> tuple[str, ...]:
        value = root.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(root.line_of(key), f"{key} must be a list of shell commands")
        return tuple(value)

    def load(self, m: Mapping) -> LoadProfile:
        self.check_keys(m, {"users", "spawn_rate", "workers", "service"}, "load")
        users = int(self.required_number(m, "users", 10, low=1, high=500))
        return LoadProfile(
            users=users,
            spawn_rate=self.required_number(m, "spawn_rate", users, low=0.1),
            workers=int(self.required_number(m, "workers", 0, low=0, high=16)),
        )

    def load_service(self, m: Mapping, spec: StackSpec | None) -> str | None:
        service = m.get("service")
        if service is None:
            return None
        if spec is not None and service not in spec.services:
            raise self.fail(m.line_of("service"), f"load.service: unknown service {service!r}")
        return str(service)

    def steady(self, m: Mapping, spec: StackSpec | None) -> SteadyState:
        allowed = {
            "service",
            "probe",
            "require",
            "max_error_rate",
            "max_p95_ms",
            "window",
            "stability",
            "timeout",
        }
        self.check_keys(m, allowed, "steady_state")
        service = str(m.get("service", "api"))
        if spec is not None and service not in spec.services:
            raise self.fail(
                m.line_of("service"),
                f"unknown service {service!r}",
                f"services are: {', '.join(sorted(spec.services))}",
            )
        require = str(m.get("require", "ready"))
        if require not in ("ready", "serving"):
            raise self.fail(m.line_of("require"), "require must be 'ready' or 'serving'")
        probe = str(m.get("probe", "/ready"))
        if not probe.startswith("/"):
            raise self.fail(
                m.line_of("probe"), f"probe must be a path such as /ready, not {probe!r}"
            )
        slo = Slo(
            max_error_rate=self.required_number(m, "max_error_rate", 0.05, high=1.0),
            max_p95_ms=self.required_number(m, "max_p95_ms", 2000.0),
            window_s=self.required_number(m, "window", 2.0, low=0.1),
        )
        return SteadyState(
            service,
            probe,
            require,
            slo,
            self.required_number(m, "stability", 5.0, low=0.1),
            self.required_number(m, "timeout", 90.0, low=1.0),
        )

    def expectations(self, m: Mapping) -> Expectations:
        self.check_keys(
            m,
            {
                "detect_within",
                "recover_within",
                "respond_after",
                "degraded",
                "writes_kept",
                "may_absorb",
                "judge",
                "max_error_rate",
                "max_failed_requests",
                "alert",
                "alert_allow",
                "alert_rules",
                "alert_delay",
                "clock",
            },
            "expect",
        )
        writes_kept = m.get("writes_kept", "all")
        if writes_kept is True:
            writes_kept = "all"
        if writes_kept is False:
            writes_kept = "none"
        if writes_kept not in ("all", "before_fault", "none"):
            raise self.fail(
                m.line_of("writes_kept"), "writes_kept must be all, before_fault or none"
            )
        return Expectations(
            detect_within_s=self.required_number(m, "detect_within", 15.0, low=0.1),
            recover_within_s=self.number(m, "recover_within", None, low=0.1),
            respond_after_s=self.required_number(m, "respond_after", 2.0),
            degraded=self.degradation(m),
            writes_kept=writes_kept,
            may_absorb=self.flag(m, "may_absorb"),
            judge=self.choice(m, "judge", ("as-written", "machine"), "as-written"),
            max_error_rate=self.number(m, "max_error_rate", None, high=1.0),
            max_failed_requests=_whole(self.number(m, "max_failed_requests", None)),
            alert=self.alert(m),
            clock=self.choice(m, "clock", ("fault", "page"), "fault"),
        )

    def degradation(self, expect: Mapping) -> Degradation | None:
        if "degraded" not in expect:
            return None
        d = self.mapping(expect["degraded"], expect.line_of("degraded"), "expect.degraded")
        self.check_keys(
            d, {"max_error_rate", "max_p95_ms", "requests", "window"}, "expect.degraded"
        )
        requests = d.get("requests")
        if requests is not None and (not isinstance(requests, str) or not requests):
            raise self.fail(
                d.line_of("requests"),
                "expect.degraded.requests must be a request name (or its start)",
                'e.g. requests: "POST /v1/query"',
            )
        return Degradation(
            self.number(d, "max_error_rate", None, high=1.0),
            self.number(d, "max_p95_ms", None),
            requests,
            # remediated: from the runbook's remediation on; fault: all of it
            self.choice(d, "window", ("fault", "remediated"), "fault"),
        )

    def section(self, root: Mapping, key: str) -> Mapping:
        """The optional mapping under `key` (empty when absent)."""
        return self.mapping(root.get(key), root.line_of(key), key, optional=True)

    def choice(self, m: Mapping, key: str, allowed: tuple[str, ...], default: str) -> str:
        value = m.get(key, default)
        if value not in allowed:
            said = ", ".join(allowed[:-1]) + f" or {allowed[-1]}"
            raise self.fail(m.line_of(key), f"{key} must be {said}, got {value!r}")
        return str(value)

    def operator(self, m: Mapping) -> OperatorModel:
        fields = ("command_s", "prose_s", "dashboard_s", "wait_s", "read_s")
        self.check_keys(m, set(fields), "operator")
        defaults = OperatorModel()
        return OperatorModel(
            **{f: self.required_number(m, f, getattr(defaults, f)) for f in fields}
        )

    def availability(self, m: Mapping) -> Availability:
        self.check_keys(m, {"availability", "window_days"}, "error_budget")
        return Availability(
            self.required_number(m, "availability", 0.999, low=0.5, high=0.999999),
            self.required_number(m, "window_days", 30.0, low=1.0),
        )

    def alert(self, m: Mapping) -> AlertExpectation:
        name = m.get("alert")
        if name is not None and not isinstance(name, str):
            raise self.fail(m.line_of("alert"), f"alert must be an alert name, got {name!r}")
        allow = m.get("alert_allow") or []
        if not isinstance(allow, list) or not all(isinstance(a, str) for a in allow):
            raise self.fail(m.line_of("alert_allow"), "alert_allow must be a list of alert names")
        detected = m.get("alert_delay") == "detected"
        rules = None
        if "alert_rules" in m:
            rules = (self.path.parent / str(m["alert_rules"])).resolve()
            if not rules.is_file():
                raise self.fail(m.line_of("alert_rules"), f"alert_rules: no file {rules}")
        return AlertExpectation(
            None if name is None else ("" if name.lower() == "none" else name),
            tuple(allow),
            rules,
            0.0 if detected else self.required_number(m, "alert_delay", 0.0),
            detected,
        )

    def env(self, m: Mapping, spec: StackSpec | None) -> dict[str, dict[str, str]]:
        result = {}
        for service, settings in m.items():
            if spec is not None and service not in spec.services:
                raise self.fail(m.line_of(service), f"env for unknown service {service!r}")
            s = self.mapping(settings, m.line_of(service), f"env.{service}")
            result[service] = {str(k): str(v) for k, v in s.items()}
        return result


def _whole(value: float | None) -> int | None:
    return None if value is None else int(value)


def load_scenario(path: str | Path, spec: StackSpec | None = None) -> Scenario:
    """Read and validate one scenario file (against the stack definition when given)."""
    path = Path(path).resolve()
    return _Reader(path).scenario(load_yaml(path), spec)


def load_scenarios(folder: str | Path, spec: StackSpec | None = None) -> list[Scenario]:
    """Every `*.yaml` scenario of a folder, by name."""
    return sorted(
        (load_scenario(p, spec) for p in Path(folder).glob("*.yaml")), key=lambda s: s.name
    )
