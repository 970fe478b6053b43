"""`drillbook report`: results + history (+ baseline) -> report.md, report.html and PNGs.

paths = write_report(Path("results"), out=Path("results/report"))
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from drillbook.outcome.history import (
    Identity,
    RunRecord,
    load_baseline,
    read_history,
    record_from_result,
)
from drillbook.outcome.result import Result
from drillbook.outcome.schema import load_results
from drillbook.project import HISTORY
from drillbook.report import html, markdown, plots
from drillbook.report.markdown import Figures, ReportContext
from drillbook.report.summary import ScenarioRow, build_rows


@dataclass(frozen=True)
class Report:
    """What `write_report` wrote, and the rows it judged (for the gate's exit code)."""

    markdown: Path
    html: Path
    plots: tuple[Path, ...]
    rows: tuple[ScenarioRow, ...]

    @property
    def regressions(self) -> list[str]:
        return [r.regression.message for r in self.rows if r.regression is not None]


def write_report(
    results_dir: Path,
    *,
    out: Path | None = None,
    history_path: Path | None = None,
    baseline_path: Path | None = None,
    max_regression_pct: float | None = None,
    only: set[str] | None = None,
    title: str = "drillbook MTTR report",
) -> Report:
    """Write the Markdown and HTML reports (and their PNGs) of the results in `results_dir`.

    Each result is compared with `baseline_path` when given, else with the run before it in
    the history; `only` limits the report to some scenarios (a drill reports its own).
    """
    results = load_results(results_dir)
    if only is not None:
        results = [r for r in results if r.scenario in only]
    history_path = history_path or results_dir / HISTORY
    history = read_history(history_path) if history_path.exists() else []
    baseline = load_baseline(baseline_path) if baseline_path is not None else None
    records = {r.scenario: _record(r, history) for r in results}
    rows = build_rows(results, records, history, baseline, max_regression_pct)

    out = out or results_dir / "report"
    figures_dir = out / "plots"
    timelines: dict[str, str] = {}
    written: list[Path] = []
    for row in rows:
        png = plots.timeline_png(row.result, figures_dir / f"{row.name}.png")
        if png is not None:
            timelines[row.name] = png.relative_to(out).as_posix()
            written.append(png)
    trend = plots.trend_png({r.name: r.trend for r in rows}, figures_dir / "trend.png")
    if trend is not None:
        written.append(trend)
    figures = Figures(None if trend is None else trend.relative_to(out).as_posix(), timelines)
    context = ReportContext(
        title=title,
        generated=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        results_dir=str(results_dir),
        history=str(history_path) if history else f"{history_path} (none yet)",
        baseline=str(baseline_path) if baseline_path else "the previous run in the history",
        max_regression_pct=max_regression_pct,
    )
    md = out / "report.md"
    md.write_text(markdown.render(context, rows, figures), encoding="utf-8")
    page = out / "report.html"
    page.write_text(html.render(context, rows, figures, out), encoding="utf-8")
    return Report(md, page, tuple(written), tuple(rows))


def _record(result: Result, history: list[RunRecord]) -> RunRecord:
    # The history's record of this very run carries version and commit; results from
    # before the history existed get a record without them.
    for record in reversed(history):
        if record.scenario == result.scenario and record.time == result.started_at:
            return record
    return record_from_result(result, Identity("", ""))
