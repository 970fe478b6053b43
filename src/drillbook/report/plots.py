"""PNG plots of a report: a scenario's timeline, and the TTR trend over the history.

matplotlib with the Agg backend: no display needed, the same picture on CI as on a laptop.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # after use(): the backend must be chosen first
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, MaxNLocator

from drillbook.outcome.format import seconds
from drillbook.outcome.history import RunRecord
from drillbook.outcome.result import Result, StepRecord

# Colours of the events, the same in every plot and in the HTML legend.
FAULT, DETECTED, STEP, RECOVERED, TARGET = "#d62728", "#ff7f0e", "#1f77b4", "#2ca02c", "#7f7f7f"
ALERT = "#9467bd"  # the alert: pending (thin), firing (thick), the page (a dash-dot line)


def timeline_png(result: Result, path: Path) -> Path | None:
    """Latency, error rate and the runbook's steps around the incident; None without a series."""
    series = result.series
    if series is None or not series.t:
        return None
    events = {e.kind: e.t for e in result.timeline}
    steps = list(result.steps)
    ratios = [3.0, 2.0] + ([0.35 * len(steps) + 0.4] if steps else [])
    fig, axes = plt.subplots(
        len(ratios),
        1,
        figsize=(10, 4.6 + 0.32 * len(steps)),
        sharex=True,
        height_ratios=ratios,
        layout="constrained",
    )
    lat, err = axes[0], axes[1]
    centres = [t + series.bin_s / 2 for t in series.t]
    lat.plot(centres, [float("nan") if v is None else v for v in series.p95_ms], color="#444")
    lat.set_ylabel("p95 latency (ms)")
    lat.set_yscale("symlog", linthresh=100)  # 20 ms and 10 s on one readable axis
    lat.set_ylim(bottom=0)
    lat.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    rates = [float("nan") if v is None else v * 100 for v in series.error_rate()]
    err.fill_between(centres, rates, step="mid", color=FAULT, alpha=0.35, linewidth=0)
    err.plot(centres, rates, drawstyle="steps-mid", color=FAULT, linewidth=1)
    err.set_ylabel("errors (%)")
    err.set_ylim(0, 105)
    for ax in axes:
        _mark(ax, result, events)
        ax.grid(True, alpha=0.25)
    _alert(err, result)
    if steps:
        _steps(axes[2], steps)
    axes[-1].set_xlabel("seconds since the fault was injected")
    judged = (
        ""
        if result.ttr_origin == "fault"
        else f" ({seconds(result.judged_ttr_s)} from the {result.ttr_origin})"
    )
    figures = (
        f"TTD {seconds(result.ttd_s)} · TTR {seconds(result.ttr_s)}{judged} · "
        f"target {result.target_s:g} s"
    )
    fig.suptitle(
        f"{result.scenario}: {result.verdict.value} ({figures})", x=0.01, ha="left", fontsize=11
    )
    _legend(lat, result)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


_STEP_COLOURS = {"ok": STEP, "waited": "#9ecae1", "failed": FAULT}


def _steps(ax: Axes, steps: list[StepRecord]) -> None:
    """One row per runbook step, a bar while it ran (a diamond for a manual step)."""
    labels = []
    for row, step in enumerate(steps):
        start, duration = step.start_s, step.duration_s
        if step.status == "manual" or duration <= 0:
            ax.plot([start], [row], marker="D", color="#6a3d9a", markersize=5)
        else:
            colour = _STEP_COLOURS.get(step.status, "#bbbbbb")
            ax.barh(row, max(duration, 0.05), left=start, height=0.6, color=colour)
        text = " ".join(step.text.split())
        text = text if len(text) <= 38 else text[:37] + "…"
        labels.append(f"line {step.line}: {text} ({step.status})")
    ax.set_yticks(range(len(steps)), labels, fontsize=7.5)
    ax.set_ylim(len(steps) - 0.5, -0.5)  # first step on top, as in the runbook
    ax.grid(False, axis="y")


def _mark(ax: Axes, result: Result, events: dict[str, float]) -> None:
    injected = events.get("fault injected", 0.0)
    end = events.get("recovered", events.get("not recovered"))
    if end is not None:
        ax.axvspan(injected, end, color=FAULT, alpha=0.06, linewidth=0)
    ax.axvline(injected, color=FAULT, linewidth=1.6)
    if "detected" in events:
        ax.axvline(events["detected"], color=DETECTED, linewidth=1.2, linestyle="--")
    if "remediation started" in events:
        ax.axvline(events["remediation started"], color=STEP, linewidth=1.0, linestyle=":")
    if "recovered" in events:
        ax.axvline(events["recovered"], color=RECOVERED, linewidth=1.6)
    if "fault ended" in events:
        ax.axvline(events["fault ended"], color=FAULT, linewidth=1.0, linestyle=":")
    # the target counts from where it was judged from: the fault, the page or the fault's end
    origin = {"page": "paged", "fault end": "fault ended"}.get(result.ttr_origin)
    target = result.target_s + (events.get(origin, 0.0) if origin else 0.0)
    if target <= ax.get_xlim()[1]:
        ax.axvline(target, color=TARGET, linewidth=1.0, linestyle="-.")


def _alert(ax: Axes, result: Result) -> None:
    """The expected alert's timeline along the top of the error plot: pending, firing, page."""
    alert = result.alert
    if alert is None or alert.pending_s is None:
        return
    end = ax.get_xlim()[1]
    firing = alert.firing_s if alert.firing_s is not None else end
    ax.hlines(101, alert.pending_s, firing, color=ALERT, linewidth=1.5)
    if alert.firing_s is not None:
        resolved = alert.resolved_s if alert.resolved_s is not None else end
        ax.hlines(101, alert.firing_s, resolved, color=ALERT, linewidth=5)
    if alert.notified_s is not None:
        ax.axvline(alert.notified_s, color=ALERT, linewidth=1.2, linestyle="-.")
    ax.text(alert.pending_s, 96, f" {alert.expected}", color=ALERT, fontsize=7.5, va="top")


def _legend(ax: Axes, result: Result) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Any] = [Line2D([], [], color=FAULT, linewidth=1.6, label="fault injected")]
    kinds = {e.kind for e in result.timeline}
    if "detected" in kinds:
        handles.append(Line2D([], [], color=DETECTED, linestyle="--", label="detected"))
    if "remediation started" in kinds:
        handles.append(Line2D([], [], color=STEP, linestyle=":", label="remediation started"))
    if "recovered" in kinds:
        handles.append(Line2D([], [], color=RECOVERED, linewidth=1.6, label="recovered"))
    if "fault ended" in kinds:
        handles.append(Line2D([], [], color=FAULT, linestyle=":", label="fault ended"))
    if result.alert is not None and result.alert.notified_s is not None:
        handles.append(Line2D([], [], color=ALERT, linestyle="-.", label="paged"))
    handles.append(Patch(color=FAULT, alpha=0.12, label="until recovered"))
    # Above the plot, never over the curves it explains.
    ax.legend(
        handles=handles,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncols=len(handles),
        fontsize=8,
        frameon=False,
    )


def trend_png(trends: dict[str, Sequence[RunRecord]], path: Path) -> Path | None:
    """TTR of every run as a share of its target, one line per scenario; None: no history."""
    drawn = {name: runs for name, runs in trends.items() if len(runs) >= 2}
    if not drawn:
        return None
    fig, ax = plt.subplots(figsize=(10, 4), layout="constrained")
    for name, runs in sorted(drawn.items()):
        xs = range(1, len(runs) + 1)
        ys = [
            float("nan")
            if r.target_ttr_s is None or r.target_s <= 0
            else r.target_ttr_s / r.target_s * 100
            for r in runs
        ]
        (line,) = ax.plot(xs, ys, marker="o", markersize=3, label=name)
        failed = [(x, y) for x, y, r in zip(xs, ys, runs, strict=True) if not r.passed]
        if failed:
            ax.plot(*zip(*failed, strict=True), "x", color=line.get_color(), markersize=8)
    highest = max(
        (
            r.target_ttr_s / r.target_s * 100
            for runs in drawn.values()
            for r in runs
            if r.target_ttr_s and r.target_s
        ),
        default=0.0,
    )
    # Zoom to the figures: TTRs of a few % of the target would otherwise be a flat line at 0.
    top = 110.0 if highest > 60 else max(highest * 1.4, 1.0)
    if top >= 100:
        ax.axhline(100, color=FAULT, linewidth=1, linestyle="--", label="MTTR target")
    ax.set_xlabel("run (oldest first); a cross marks a failed run")
    ax.set_ylabel("TTR (% of the MTTR target)")
    ax.set_ylim(0, top)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, alpha=0.25)
    ax.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.set_title("Time to recover over the history", loc="left", fontsize=11)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
