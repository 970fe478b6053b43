"""`drillbook report`: the Markdown and HTML report of the results, trend and regressions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from drillbook.cli.options import project_of, with_results


def register(sub: Any) -> None:
    report = with_results(
        sub.add_parser(
            "report",
            help="write the Markdown and HTML report of the results",
            description="Per scenario: TTD/TTR against the MTTR target and the baseline, the "
            "trend over the history, a timeline plot. With --max-regression, exit 1 on a "
            "regression.",
        )
    )
    report.add_argument(
        "--out", default=None, metavar="DIR", help="report folder (default: <results>/report)"
    )
    report.set_defaults(run=run_report)


def run_report(args: argparse.Namespace) -> int:
    from drillbook.report.build import write_report

    report = write_report(
        project_of(args).results,
        out=Path(args.out) if args.out else None,
        history_path=Path(args.history) if args.history else None,
        baseline_path=Path(args.baseline) if args.baseline else None,
        max_regression_pct=args.max_regression,
    )
    print(f"{report.markdown}\n{report.html}")
    for message in report.regressions:
        print(f"regression: {message}", file=sys.stderr)
    return 1 if report.regressions else 0
