"""The HTML report: one self-contained file (styles inline, plots embedded), to mail or archive."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape
from pathlib import Path

from drillbook.outcome.format import offset
from drillbook.report.plots import DETECTED, FAULT, RECOVERED, STEP
from drillbook.report.render_md import (
    Figures,
    ReportContext,
    alert_rows,
    counts,
    margin_rows,
    step_rows,
    table_rows,
)
from drillbook.report.summary import ScenarioRow, seconds

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px;
       color: #222; padding: 0 1em; }
h1 { margin-bottom: .2em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.meta { color: #666; }
table { border-collapse: collapse; margin: .8em 0; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.passed { color: #1a7f37; font-weight: 600; } .failed { color: #c62828; font-weight: 600; }
.regression { background: #fff3cd; }
.box { padding: .6em 1em; border-left: 4px solid #c62828; background: #fdecea; }
img { max-width: 100%; border: 1px solid #eee; }
code { background: #f4f4f4; padding: 0 3px; }
.legend span { display: inline-block; margin-right: 1.2em; }
.legend i { display: inline-block; width: 14px; height: 10px; margin-right: 4px; }
details { margin: .5em 0; } summary { cursor: pointer; color: #555; }
"""

_NUMERIC = {
    "TTD",
    "TTD alert",
    "TTR",
    "target",
    "TTR/target",
    "baseline TTR",
    "change",
    "errors",
    "p95 during",
}


def render(
    context: ReportContext, rows: Sequence[ScenarioRow], figures: Figures, folder: Path
) -> str:
    """The report as one HTML page; plots (paths relative to `folder`) are embedded."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(context.title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{escape(context.title)}</h1>",
        f'<p class="meta"><b>{escape(counts(rows))}</b> · generated {escape(context.generated)}'
        f" from <code>{escape(context.results_dir)}</code> · history "
        f"<code>{escape(context.history)}</code> · baseline: {escape(context.baseline)}"
        + (
            f" · gate: TTR may grow by {context.max_regression_pct:g}%"
            if context.max_regression_pct is not None
            else ""
        )
        + "</p>",
    ]
    regressions = [r.regression for r in rows if r.regression is not None]
    if regressions:
        parts.append('<div class="box"><b>Regressions</b><ul>')
        parts += [f"<li>{escape(reg.message)}</li>" for reg in regressions]
        parts.append("</ul></div>")
    parts.append(_summary_table(rows))
    if figures.trend:
        parts += ["<h2>Trend</h2>", _img(folder / figures.trend, "TTR over the history")]
    for row in rows:
        parts.append(_scenario(row, figures.timelines.get(row.name), folder))
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _summary_table(rows: Sequence[ScenarioRow]) -> str:
    header, *body = table_rows(rows)
    out = ["<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>"]
    for row, cells in zip(rows, body, strict=True):
        klass = ' class="regression"' if row.regression else ""
        tds = []
        for name, text in zip(header, cells, strict=True):
            if name == "scenario":
                tds.append(f'<td><a href="#{escape(text)}">{escape(text)}</a></td>')
            elif name == "verdict":
                status = "passed" if row.current.passed else "failed"
                tds.append(f'<td class="{status}">{escape(text)}</td>')
            else:
                num = ' class="num"' if name in _NUMERIC else ""
                tds.append(f"<td{num}>{escape(text)}</td>")
        out.append(f"<tr{klass}>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _scenario(row: ScenarioRow, plot: str | None, folder: Path) -> str:
    result, c = row.result, row.current
    status = "passed" if c.passed else "failed"
    parts = [
        f'<h2 id="{escape(row.name)}">{escape(row.name)} — '
        f'<span class="{status}">{escape(c.verdict)}</span></h2>',
        f"<p>{escape(result.reason)}</p>",
    ]
    facts = []
    runbook = result.runbook
    if runbook:
        facts.append(f"runbook <code>{escape(Path(runbook.path).name)}#{escape(runbook.id)}</code>")
        if runbook.severity:
            facts.append(f"severity {escape(runbook.severity)}")
    if c.version or c.git_sha:
        facts.append(
            f"version {escape(c.version or '?')} ({escape(c.git_sha[:10] or 'no commit')})"
        )
    if row.baseline is not None:
        facts.append(
            f"{escape(row.baseline_source)}: {escape(row.baseline.verdict)}, "
            f"TTR {seconds(row.baseline.ttr_s)}"
        )
    if result.started_at:
        facts.append(f"started {escape(result.started_at)}")
    parts.append(f'<p class="meta">{" · ".join(facts)}</p>')
    if plot:
        parts += [_legend(), _img(folder / plot, f"timeline of {row.name}")]
    else:
        parts.append('<p class="meta">No timeline plot: the result has no per-second series.</p>')
    if result.as_written is not None:
        judged = "judged" if result.as_written.judged else "not judged: machine pace"
        parts.append(
            f'<p class="meta">As written (a person following the runbook): TTR '
            f"{seconds(result.as_written.ttr_s)} ({judged}); the machine took "
            f"{seconds(result.ttr_s)}.</p>"
        )
    if result.findings:
        items = "".join(f"<li>{escape(f)}</li>" for f in result.findings)
        parts.append(f"<p>Findings:</p><ul>{items}</ul>")
    bounds = margin_rows(result)
    if len(bounds) > 1:
        parts.append(_table(bounds, "Bounds judged, thinnest first"))
    alerts = alert_rows(result)
    if len(alerts) > 1:
        parts.append(_table(alerts, "Alert: pending → firing → paged → resolved, since the fault"))
    parts.append(_table(step_rows(result), "Runbook steps"))
    events = [["t", "event", "detail"]] + [[offset(e.t), e.kind, e.detail] for e in result.timeline]
    parts.append(f"<details><summary>Timeline ({len(events) - 1} events)</summary>")
    parts.append(_table(events, None) + "</details>")
    return "\n".join(parts)


def _legend() -> str:
    items = [
        (FAULT, "fault injected → recovered (shaded)"),
        (DETECTED, "detected"),
        (STEP, "runbook step running"),
        (RECOVERED, "recovered"),
    ]
    spans = "".join(
        f'<span><i style="background:{colour}"></i>{escape(text)}</span>' for colour, text in items
    )
    return f'<p class="legend meta">{spans}</p>'


def _table(rows: list[list[str]], caption: str | None) -> str:
    header, *body = rows
    if not body:
        return "" if caption else "<p>none</p>"
    out = ["<table>"]
    if caption:
        out.append(f"<caption style='text-align:left'><b>{escape(caption)}</b></caption>")
    out.append("<tr>" + "".join(f"<th>{escape(h)}</th>" for h in header) + "</tr>")
    for cells in body:
        out.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _img(path: Path, alt: str) -> str:
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return f'<p><img alt="{escape(alt)}" src="data:image/png;base64,{data}"></p>'
