"""The Markdown report: readable in a terminal, a pull request or a wiki."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from drillbook.outcome.format import offset
from drillbook.outcome.result import Result
from drillbook.report.summary import ScenarioRow, change, judged_ttr, seconds, sparkline


@dataclass(frozen=True)
class ReportContext:
    """What a report is about, for its heading."""

    title: str
    generated: str
    results_dir: str
    history: str
    baseline: str  # "previous run in the history", or the baseline file
    max_regression_pct: float | None = None


@dataclass(frozen=True)
class Figures:
    """The plots of a report, relative to its folder."""

    trend: str | None
    timelines: dict[str, str]


def counts(rows: Sequence[ScenarioRow]) -> str:
    """'3 passed, 1 failed, 1 regression' of a report's rows."""
    passed = sum(r.current.passed for r in rows)
    parts = [f"{passed} passed"]
    if len(rows) - passed:
        parts.append(f"{len(rows) - passed} failed")
    regressions = sum(r.regression is not None for r in rows)
    if regressions:
        parts.append(f"{regressions} regression" + ("s" if regressions > 1 else ""))
    return ", ".join(parts)


def table_rows(rows: Sequence[ScenarioRow]) -> list[list[str]]:
    """The summary table, header first; the same cells in Markdown and HTML."""
    header = [
        "scenario",
        "verdict",
        "TTD",
        "TTD alert",
        "TTR",
        "target",
        "TTR/target",
        "margin",
        "baseline TTR",
        "change",
        "trend (TTR)",
        "as written",
        "errors",
        "budget burned",
        "p95 during",
    ]
    out = [header]
    for r in rows:
        c, b = r.current, r.baseline
        used = r.target_used_pct
        budget = c.error_budget
        errors = f"{budget['failed']}/{budget['total']}" if budget.get("total") else "-"
        burned = budget.get("burned_min")
        p95 = c.p95_ms.get("during")
        out.append(
            [
                r.name,
                c.verdict + (" ⚠ regression" if r.regression else ""),
                seconds(c.ttd_s),
                _ttd_alert(r.result),
                judged_ttr(c),
                f"{c.target_s:g} s",
                "-" if used is None else f"{used:.0f}%",
                c.margin(),
                "-" if b is None else judged_ttr(b),
                change(r.ttr_change_pct),
                sparkline([t.target_ttr_s for t in r.trend]) if len(r.trend) > 1 else "",
                seconds(c.as_written_ttr_s),
                errors,
                "-" if burned is None else f"{burned:.2f} min",
                "-" if p95 is None else f"{p95:.0f} ms",
            ]
        )
    return out


def _ttd_alert(result: Result) -> str:
    """Time to detect as people live it: the page, since the injection."""
    alert = result.alert
    return "-" if alert is None else seconds(alert.notified_s)


def alert_rows(result: Result) -> list[list[str]]:
    """The alert contract of a result, header first; only the header without one."""
    out = [["alert", "pending", "firing", "paged", "bound", "resolved", "other alerts"]]
    a = result.alert
    if a is not None:
        others = [f"{n} (unexpected)" for n in a.unexpected] + [f"{n} (allowed)" for n in a.allowed]
        out.append(
            [
                (a.expected or "none expected")
                + (f" (rules {Path(a.rules).name})" if a.rules else ""),
                *(seconds(t) for t in (a.pending_s, a.firing_s, a.notified_s, a.bound_s)),
                seconds(a.resolved_s),
                ", ".join(others) or "none",
            ]
        )
    return out


def margin_rows(result: Result) -> list[list[str]]:
    """Each bound the verdict was judged on, thinnest first, header first."""
    out = [["bound", "observed / bound", "room left"]]
    for m in sorted(result.margins, key=lambda m: m.room):
        room = "over" if not m.held else f"{m.room:.0%}" + (" (thin)" if m.thin else "")
        out.append([m.bound, m.figures(), room])
    return out


def step_rows(result: Result) -> list[list[str]]:
    """The runbook's steps as executed, header first."""
    out = [["line", "step", "status", "at", "took", "as written", "output"]]
    person = {c.line: c.person_s for c in result.as_written.steps} if result.as_written else {}
    for step in result.steps:
        output = " ".join((step.output or step.detail).split())
        paced = person.get(step.line)
        out.append(
            [
                str(step.line),
                step.text,
                str(step.status) + (" (weak)" if step.weak else ""),
                f"t+{step.start_s:.2f} s",
                f"{step.duration_s:.2f} s",
                "-" if paced is None else f"{paced:.0f} s",
                output[:120] + ("…" if len(output) > 120 else ""),
            ]
        )
    return out


def render(context: ReportContext, rows: Sequence[ScenarioRow], figures: Figures) -> str:
    """The report as Markdown."""
    lines = [
        f"# {context.title}",
        "",
        f"**{counts(rows)}** · generated {context.generated} from `{context.results_dir}` · "
        f"baseline: {context.baseline}"
        + (
            f" · gate: TTR +{context.max_regression_pct:g}%"
            if context.max_regression_pct is not None
            else ""
        ),
        "",
    ]
    regressions = [r.regression for r in rows if r.regression is not None]
    if regressions:
        lines += ["## Regressions", ""]
        lines += [f"- {reg.message}" for reg in regressions]
        lines.append("")
    lines += _table(table_rows(rows))
    if figures.trend:
        lines += ["", "## Trend", "", f"![TTR over the history]({figures.trend})"]
    for r in rows:
        lines += ["", *_scenario(r, figures.timelines.get(r.name))]
    return "\n".join(lines) + "\n"


def _scenario(row: ScenarioRow, plot: str | None) -> list[str]:
    result, c = row.result, row.current
    lines = [f"## {row.name} — {c.verdict}", "", result.reason, ""]
    runbook = result.runbook
    facts = []
    if runbook:
        facts.append(f"runbook `{Path(runbook.path).name}#{runbook.id}`")
        if runbook.severity:
            facts.append(f"severity {runbook.severity}")
    if c.version or c.git_sha:
        facts.append(f"version {c.version or '?'} ({c.git_sha[:10] or 'no commit'})")
    if result.started_at:
        facts.append(f"started {result.started_at}")
    if row.baseline is not None:
        facts.append(
            f"{row.baseline_source}: {row.baseline.verdict}, TTR {seconds(row.baseline.ttr_s)}"
        )
    lines += [" · ".join(facts), ""]
    if plot:
        lines += [f"![timeline of {row.name}]({plot})", ""]
    else:
        lines += ["(no timeline plot: the result has no per-second series)", ""]
    if result.as_written is not None:
        judged = "judged" if result.as_written.judged else "not judged: machine pace"
        lines += [
            f"As written (a person following the runbook): TTR "
            f"{seconds(result.as_written.ttr_s)} ({judged}); the machine took "
            f"{seconds(result.ttr_s)}.",
            "",
        ]
    if result.findings:
        lines += ["Findings:", "", *[f"- {f}" for f in result.findings], ""]
    lines += _table([["t", "event", "detail"], *_events(result)])
    bounds = margin_rows(result)
    if len(bounds) > 1:
        lines += ["", *_table(bounds)]
    alerts = alert_rows(result)
    if len(alerts) > 1:
        lines += ["", *_table(alerts)]
    steps = step_rows(result)
    if len(steps) > 1:
        lines += ["", *_table(steps)]
    return lines


def _events(result: Result) -> list[list[str]]:
    return [[offset(e.t), e.kind, e.detail] for e in result.timeline]


def _table(rows: list[list[str]]) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    header, *body = rows
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in body]
    return out
