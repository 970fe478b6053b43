"""Reading scenario files: validated on load, every error at its file and line.

name: redis-down                  # default: the file name
description: Redis is killed under load; the runbook brings it back.
fault: {type: kill, service: redis}
duration: 20                      # only for a transient fault: it ends by itself
runbook: redis-down               # runbooks/redis-down.md, or a path, or path.md#id
load: {users: 10, spawn_rate: 10}
steady_state:
  service: api
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
  writes_kept: all                # acknowledged writes still there afterwards: all,
                                  # before_fault (a restore loses later ones) or none
  may_absorb: false               # transient faults: unnoticed passes (else: not detected)
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

from drillbook import faults
from drillbook.faults.base import FaultParamError
from drillbook.load import LoadProfile
from drillbook.observe.slo import Slo
from drillbook.project import RUNBOOKS
from drillbook.runbooks.model import Runbook
from drillbook.runbooks.parser import parse_file
from drillbook.scenarios.model import (
    AlertExpectation,
    Degradation,
    Expectations,
    Scenario,
    SteadyState,
)
from drillbook.stack.spec import StackSpec
from drillbook.yamlsource import Mapping, SourceReader, load_yaml

_TOP = {
    "name",
    "description",
    "fault",
    "duration",
    "runbook",
    "load",
    "steady_state",
    "expect",
    "env",
    "before_fault",
}


class _Reader(SourceReader):
    def number(
        self,
        m: Mapping,
        key: str,
        default: float | None,
        *,
        low: float = 0.0,
        high: float | None = None,
    ) -> float | None:
        if key not in m:
            return default
        value = m[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(m.line_of(key), f"{key} must be a number, got {value!r}")
        if value < low or (high is not None and value > high):
            bounds = f">= {low:g}" + (f" and <= {high:g}" if high is not None else "")
            raise self.fail(m.line_of(key), f"{key} must be {bounds}, got {value!r}")
        return float(value)

    def flag(self, m: Mapping, key: str) -> bool:
        value = m.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(m.line_of(key), f"{key} must be true or false, got {value!r}")
        return value

    def required_number(self, m: Mapping, key: str, default: float, **bounds: float) -> float:
        value = self.number(m, key, default, **bounds)
        assert value is not None
        return value

    def scenario(self, doc: Any, spec: StackSpec | None) -> Scenario:
        root = self.mapping(doc, 1, "a scenario file")
        self.check_keys(root, _TOP, "a scenario")
        if "fault" not in root:
            raise self.fail(
                root.line,
                "a scenario needs a 'fault'",
                "e.g. fault: {type: kill, "
                "service: redis}; `drillbook faults list` shows every type",
            )
        kind, params = self.fault(self.mapping(root["fault"], root.line_of("fault"), "fault"), spec)
        runbook = self.runbook(root)
        expect = self.expectations(
            self.mapping(root.get("expect"), root.line_of("expect"), "expect", optional=True)
        )
        if expect.recover_within_s is None and (runbook is None or runbook.mttr_s is None):
            where = f"runbook {runbook.id} has none" if runbook else "there is no runbook"
            raise self.fail(
                root.line_of("expect"),
                f"no recovery target: {where}",
                "give the runbook an MTTR target, or set expect.recover_within",
            )
        duration = self.number(root, "duration", None, low=0.1)
        if expect.degraded is not None and duration is None:
            raise self.fail(
                root.line_of("expect"),
                "expect.degraded needs a transient fault",
                "set 'duration' (seconds the fault lasts)",
            )
        if expect.may_absorb and duration is None:
            raise self.fail(
                root.line_of("expect"),
                "expect.may_absorb needs a transient fault",
                "set 'duration' (seconds the fault lasts); a lasting fault must be detected",
            )
        return Scenario(
            name=str(root.get("name", self.path.stem)),
            path=self.path,
            description=str(root.get("description", "")),
            fault_kind=kind,
            fault_params=params,
            runbook=runbook,
            duration_s=duration,
            load=self.load(
                self.mapping(root.get("load"), root.line_of("load"), "load", optional=True)
            ),
            steady=self.steady(
                self.mapping(
                    root.get("steady_state"),
                    root.line_of("steady_state"),
                    "steady_state",
                    optional=True,
                ),
                spec,
            ),
            expect=expect,
            env=self.env(
                self.mapping(root.get("env"), root.line_of("env"), "env", optional=True), spec
            ),
            before_fault=self.commands(root, "before_fault"),
            line=root.line,
        )

    def fault(self, m: Mapping, spec: StackSpec | None) -> tuple[str, dict[str, Any]]:
        values = dict(m)
        kind = values.pop("type", None)
        if not isinstance(kind, str):
            raise self.fail(
                m.line, "the fault needs a 'type'", "`drillbook faults list` shows every type"
            )
        try:
            params = faults.base.parse(kind, values)
            if spec is not None:
                faults.base.check_references(kind, params, spec)
        except FaultParamError as exc:
            line = m.line_of(exc.param) if exc.param and exc.param in m else m.line_of("type")
            raise self.fail(line, exc.message, exc.hint) from None
        return kind, values

    def runbook(self, root: Mapping) -> Runbook | None:
        if "runbook" not in root:
            return None
        value = str(root["runbook"])
        line = root.line_of("runbook")
        ref, _, wanted = value.partition("#")
        if ref.endswith(".md"):
            path = (self.path.parent / ref).resolve()
        else:
            # An id names a runbook in the runbooks folder beside the scenarios folder.
            path = (self.path.parent.parent / RUNBOOKS / f"{ref}.md").resolve()
            wanted = wanted or ref
        if not path.is_file():
            raise self.fail(
                line,
                f"runbook {value!r} not found (looked for {path})",
                "name a Markdown file relative to the scenario, or an id in runbooks/",
            )
        runbooks = parse_file(path).runbooks
        if not runbooks:
            raise self.fail(
                line, f"{path} holds no runbook drillbook can read", f"run `drillbook lint {path}`"
            )
        if wanted:
            chosen = next((r for r in runbooks if r.id == wanted), None)
            if chosen is None:
                ids = ", ".join(r.id for r in runbooks)
                raise self.fail(line, f"no runbook {wanted!r} in {path}", f"it has: {ids}")
        elif len(runbooks) > 1:
            ids = ", ".join(r.id for r in runbooks)
            raise self.fail(
                line,
                f"{path} holds {len(runbooks)} runbooks: say which",
                f"e.g. runbook: {ref}#{runbooks[0].id} (ids: {ids})",
            )
        else:
            chosen = runbooks[0]
        return chosen

    def commands(self, root: Mapping, key: str) -> tuple[str, ...]:
        value = root.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(root.line_of(key), f"{key} must be a list of shell commands")
        return tuple(value)

    def load(self, m: Mapping) -> LoadProfile:
        self.check_keys(m, {"users", "spawn_rate"}, "load")
        users = int(self.required_number(m, "users", 10, low=1, high=500))
        return LoadProfile(
            users=users, spawn_rate=self.required_number(m, "spawn_rate", users, low=0.1)
        )

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
                "alert",
                "alert_allow",
                "alert_rules",
                "alert_delay",
                "clock",
            },
            "expect",
        )
        clock = m.get("clock", "fault")
        if clock not in ("fault", "page"):
            raise self.fail(m.line_of("clock"), f"clock must be fault or page, got {clock!r}")
        degraded = None
        if "degraded" in m:
            d = self.mapping(m["degraded"], m.line_of("degraded"), "expect.degraded")
            self.check_keys(d, {"max_error_rate", "max_p95_ms"}, "expect.degraded")
            degraded = Degradation(
                self.number(d, "max_error_rate", None, high=1.0), self.number(d, "max_p95_ms", None)
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
            degraded=degraded,
            writes_kept=writes_kept,
            may_absorb=self.flag(m, "may_absorb"),
            alert=self.alert(m),
            clock=clock,
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


def load_scenario(path: str | Path, spec: StackSpec | None = None) -> Scenario:
    """Read and validate one scenario file (against the stack definition when given)."""
    path = Path(path).resolve()
    return _Reader(path).scenario(load_yaml(path), spec)


def load_scenarios(folder: str | Path, spec: StackSpec | None = None) -> list[Scenario]:
    """Every `*.yaml` scenario of a folder, by name."""
    return sorted(
        (load_scenario(p, spec) for p in Path(folder).glob("*.yaml")), key=lambda s: s.name
    )
