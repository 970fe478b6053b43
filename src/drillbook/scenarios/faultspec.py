"""Reading a scenario's faults: `fault:` (one) or `faults:` (several on a schedule), each
checked as `make_fault` would, every error at its file and line. Part of the scenario loader.
"""

from __future__ import annotations

from typing import Any

from drillbook import faults
from drillbook.faults.base import FaultParamError
from drillbook.scenarios.model import ScheduledFault
from drillbook.stack.spec import StackSpec
from drillbook.yamlsource import Mapping, SourceReader


class FaultReader(SourceReader):
    """Numbers with bounds, and faults, read from a scenario's YAML."""

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

    def schedule(self, root: Mapping, spec: StackSpec | None) -> tuple[ScheduledFault, ...]:
        """`faults:`: a list of faults, each with `at` (s after the first) and maybe `for`."""
        items = root["faults"]
        line = root.line_of("faults")
        if not isinstance(items, list) or not items:
            raise self.fail(
                line,
                "faults must be a non-empty list of faults",
                "e.g. faults: [{at: 0, type: kill, service: redis}, "
                "{at: 3, type: provider-errors, rate: 1}]",
            )
        schedule = []
        for item in items:
            m = self.mapping(item, line, "a fault of faults")
            timing = {k: m.pop(k) for k in ("at", "for") if k in m}
            timed = Mapping(timing, m.line, {k: m.key_lines.get(k, m.line) for k in timing})
            kind, params = self.fault(m, spec)
            at = self.required_number(timed, "at", 0.0)
            schedule.append(
                ScheduledFault(kind, params, at, self.number(timed, "for", None, low=0.1))
            )
        # Injected in time order; the file may list them in any.
        schedule.sort(key=lambda f: f.at_s)
        if schedule[0].at_s != 0:
            raise self.fail(line, "the first of faults must be at 0", "times count from it")
        return tuple(schedule)

    def schedule_duration(
        self, root: Mapping, schedule: tuple[ScheduledFault, ...]
    ) -> float | None:
        """A schedule whose every fault has a `for` is transient: it lasts until the last ends."""
        if "duration" in root:
            raise self.fail(
                root.line_of("duration"),
                "duration is for one fault: with faults, give each its own 'for'",
            )
        ends = [f.ends_s for f in schedule]
        return None if any(e is None for e in ends) else max(e for e in ends if e is not None)

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
