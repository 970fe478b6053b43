"""The alert contract of one scenario run, on a stack with alerting (`stack.yaml: alerting`).

    with AlertCheck.start(stack, scenario) as check:   # None-safe: see `alert_check`
        check.before_fault()       # wait until no alert is left over from before
        ...inject, remediate, recover...
        check.after_recovery(t)    # wait (bounded) for the expected alert to resolve
    check.observed()               # for the judge

The pager listens on the host's address on the stack's own network (the network's gateway,
which is where the Alertmanager image sends its pages); Prometheus is asked at its 127.0.0.1
port. A scenario's `alert_rules` replace the Prometheus service's rules for the run and are
put back afterwards, whatever happens.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import tarfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from drillbook.errors import DrillbookError
from drillbook.observe.alertrules import read_rule_files
from drillbook.observe.alerts import AlertBound, Page, Poll, alert_times
from drillbook.observe.alertwatch import AlertWatch
from drillbook.observe.pager import Pager
from drillbook.observe.prometheus import Prometheus, alert_bound
from drillbook.observe.ruletest import metric_names, rule_test
from drillbook.scenarios.model import Scenario
from drillbook.stack import Service, Stack

RULES_DIR = "/etc/prometheus/rules"  # where the Prometheus service reads its rule files
QUIET_TIMEOUT_S = 30.0  # longest wait for alerts of an earlier drill to resolve
RESOLVE_TIMEOUT_S = 60.0  # longest wait for the expected alert to resolve after recovery
REPLAY_BEFORE_S = 30.0  # series replayed from before the fault (rate windows need history)
PAGE_SLACK_S = 10.0  # clock: page — how long past its bound a responder waits for the page


@dataclass(frozen=True)
class AlertObserved:
    """What the alert watch saw in one drill, for the judge."""

    expected: str
    bound: AlertBound | None
    polls: tuple[Poll, ...] = ()
    pages: tuple[Page, ...] = ()
    already_active: frozenset[str] = frozenset()
    allow: tuple[str, ...] = ()
    rules: str = ""
    poll_failures: int = 0
    ended_at: float = field(default=0.0)
    landed_at: float | None = None  # when the fault's inject() returned
    from_detection: bool = False  # the bound counts from the first failing probe


class AlertCheck:
    """The watch on one drill's alerts, with the scenario's rules in place."""

    def __init__(self, stack: Stack, scenario: Scenario, expected: str) -> None:
        alerting = stack.spec.alerting
        assert alerting is not None
        self.stack, self.scenario, self.expected = stack, scenario, expected
        self.prometheus = Prometheus(stack.service(alerting.prometheus).url)
        self.alertmanager_url = stack.service(alerting.alertmanager).url
        self.watch = AlertWatch(
            self.prometheus, Pager(stack.host_address(), alerting.webhook_port), period_s=0.25
        )
        self.already_active: frozenset[str] = frozenset()
        self.bound: AlertBound | None = None
        self.landed_at: float | None = None

    def before_fault(self) -> None:
        """Wait until no alert of an earlier drill is active; those that stay are noted."""
        self.already_active = self.watch.wait_quiet(QUIET_TIMEOUT_S)

    def wait_page(self, since: float) -> float | None:
        """The expected alert's page after `since`, waited for up to its bound + 10 s."""
        timeout = self.bound.total_s + PAGE_SLACK_S if self.bound else PAGE_SLACK_S
        return self.watch.wait_page(self.expected, since, timeout)

    def after_recovery(self, since: float) -> None:
        """Wait (bounded) for the expected alert, if it fired after `since`, to resolve."""
        times = alert_times(self.watch.polls(), self.watch.pages(), self.expected, since)
        if times.firing_at is not None:
            self.watch.wait_resolved(self.expected, since, RESOLVE_TIMEOUT_S)

    def observed(self) -> AlertObserved:
        rules = self.scenario.expect.alert.rules
        return AlertObserved(
            expected=self.expected,
            bound=self.bound,
            polls=tuple(self.watch.polls()),
            pages=tuple(self.watch.pages()),
            already_active=self.already_active,
            allow=self.scenario.expect.alert.allow,
            rules=str(rules) if rules else "",
            poll_failures=self.watch.failures,
            ended_at=time.monotonic(),
            landed_at=self.landed_at,
            from_detection=self.scenario.expect.alert.from_detection,
        )

    def write_rule_test(self, injected_at: float, path: Path) -> Path | None:
        """A `promtool test rules` file from this drill's series (None if the alert never
        fired, or its rule is not in the stack's rule files); see drillbook.observe.ruletest."""
        alerting = self.stack.spec.alerting
        assert alerting is not None
        if not self.expected:
            return None
        override = self.scenario.expect.alert.rules
        files = [override] if override else list(alerting.rules)
        rule = read_rule_files(files).alert(self.expected)
        offset = time.time() - time.monotonic()
        injected = injected_at + offset
        start, end = injected - REPLAY_BEFORE_S, time.time()
        fired = self.prometheus.series(
            f'ALERTS{{alertname="{self.expected}",alertstate="firing"}}', injected, end
        )
        if rule is None or not fired:
            return None
        first = min(fired, key=lambda s: s.samples[0][0])
        fired_at = first.samples[0][0]
        end = min(end, fired_at + 5)
        series = [
            s for name in metric_names(rule.expr) for s in self.prometheus.series(name, start, end)
        ]
        test = rule_test(
            rule_files=[str(f) for f in files],
            alert=self.expected,
            series=series,
            start=start,
            injected=injected,
            fired=fired_at,
            labels=first.labels,
            end=end,
            annotations=dict(rule.annotations),
        )
        path.write_text(yaml.safe_dump(test, sort_keys=False, width=200), encoding="utf-8")
        return path

    @classmethod
    @contextlib.contextmanager
    def start(cls, stack: Stack, scenario: Scenario) -> Iterator[AlertCheck | None]:
        """The check for this run, or None where there is no alert to check."""
        if stack.spec.alerting is None:
            yield None
            return
        # No expected alert (`alert: none`, or a runbook without one): nothing may page.
        check = cls(stack, scenario, scenario.expected_alert or "")
        # The bound is the stack's own contract, read before a scenario's rules replace its
        # rules: a rule change that pages later than the stack promises is "alert late".
        if check.expected:
            bound = alert_bound(check.prometheus, check.alertmanager_url, check.expected)
            delay = scenario.expect.alert.delay_s
            check.bound = dataclasses.replace(bound, delay_s=delay) if bound else None
        with (
            _rules(stack, scenario.expect.alert.rules, check.prometheus),
            check.watch.pager,
            check.watch,
        ):
            yield check


@contextlib.contextmanager
def _rules(stack: Stack, rules: Path | None, prometheus: Prometheus) -> Iterator[None]:
    """The Prometheus service runs `rules` instead of its own rule files, then its own again."""
    if rules is None:
        yield
        return
    alerting = stack.spec.alerting
    assert alerting is not None
    service = stack.service(alerting.prometheus)
    # Set aside below the rules folder: Prometheus reads `rules/*.yml`, not sub-folders.
    saved = f"{RULES_DIR}/drillbook-saved"
    _exec(service, f"mkdir -p {saved} && mv {RULES_DIR}/*.yml {saved}/", "set the rules aside")
    try:
        data = io.BytesIO()
        with tarfile.open(fileobj=data, mode="w") as tar:
            info = tarfile.TarInfo("drillbook-scenario.yml")
            body = rules.read_bytes()
            info.size, info.mode = len(body), 0o644
            tar.addfile(info, io.BytesIO(body))
        service.docker.put_archive(RULES_DIR, data.getvalue())
        code, output = service.exec(
            ["promtool", "check", "rules", f"{RULES_DIR}/drillbook-scenario.yml"]
        )
        if code != 0:
            raise DrillbookError(
                f"{rules}: promtool check rules failed:\n{output.strip()[-800:]}",
                "fix the rules file (promtool check rules FILE)",
            )
        prometheus.reload()
        yield
    finally:
        _exec(
            service,
            f"rm -f {RULES_DIR}/*.yml && mv {saved}/*.yml {RULES_DIR}/ && rmdir {saved}",
            "put the stack's rules back",
        )
        prometheus.reload()


def _exec(service: Service, script: str, what: str) -> None:
    code, output = service.exec(["sh", "-c", script])
    if code != 0:
        raise DrillbookError(f"could not {what} in {service.name}: {output.strip()[-300:]}")
