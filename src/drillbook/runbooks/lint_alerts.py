"""Lint rules of the alert contract, between runbooks and the stack's alert rule files:

    unknown-alert        a runbook answers an alert no rule of the stack raises (error)
    unanswered-alert     an alert rule no runbook answers: it pages nobody with a procedure

Only for a stack with `alerting` (its rule files); pure: files only, no Prometheus. An
unanswered alert is only looked for in a whole collection of runbooks (a folder was linted):
one runbook linted alone answers one alert, not all. Findings are returned as the fields of
`drillbook.runbooks.lint.Finding` (path, line, rule, severity, message, hint).
"""

from __future__ import annotations

from difflib import get_close_matches

from drillbook.errors import SourceError
from drillbook.observe.alertrules import read_rule_files
from drillbook.runbooks.model import RunbookDocument
from drillbook.stack.spec import StackSpec

ERROR, WARNING = "error", "warning"
Finding = tuple[str, int, str, str, str, str]  # the fields of runbooks.lint.Finding


def lint_alerts(
    docs: list[RunbookDocument], spec: StackSpec, *, collection: bool = False
) -> list[Finding]:
    """Findings between the runbooks' `alert:` names and the stack's alert rules."""
    if spec.alerting is None or not spec.alerting.rules:
        return []
    try:
        rules = read_rule_files(spec.alerting.rules)
    except SourceError as exc:
        return [(exc.path, exc.line or 0, "unreadable", ERROR, exc.message, "")]
    names = rules.names()
    files = ", ".join(p.name for p in spec.alerting.rules)
    findings = []
    answered = set()
    for doc in docs:
        for runbook in doc.runbooks:
            if not runbook.alert:
                continue  # runbook-without-alert says so
            answered.add(runbook.alert)
            if runbook.alert in names:
                continue
            near = get_close_matches(runbook.alert, sorted(names), n=1, cutoff=0.6)
            hint = f"did you mean {near[0]}?" if near else f"add the rule to {files}"
            findings.append(
                (
                    str(doc.path),
                    runbook.alert_line or runbook.line,
                    "unknown-alert",
                    ERROR,
                    f"alert {runbook.alert} is raised by no rule in {files}",
                    hint,
                )
            )
    for rule in rules if collection else ():
        if rule.name not in answered:
            findings.append(
                (
                    str(rule.path),
                    rule.line,
                    "unanswered-alert",
                    WARNING,
                    f"alert {rule.name} pages, and no runbook answers it",
                    f"write a runbook with `alert: {rule.name}`, or drop the rule",
                )
            )
    return findings
