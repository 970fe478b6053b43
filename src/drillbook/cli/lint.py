"""`drillbook lint PATH... [--stack FILE] [--profile NAME] [--format text|json]
[--min-severity error|warning|note] [--rule RULE]... [--ignore RULE]... [--config FILE]`

Exit 0 when no reported finding is an error, 1 when one is, 2 on bad usage, 3 when drillbook
itself failed on a file (that file is one `crash` finding; the others are still checked).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drillbook.cli.options import project_of, with_stack
from drillbook.errors import DrillbookError
from drillbook.runbooks.findings import has_crashes, has_errors, render_text
from drillbook.runbooks.lint import lint_documents
from drillbook.runbooks.lintconfig import (
    CONFIG_FILE,
    Selection,
    check_rule,
    find_config,
    load_config,
)
from drillbook.runbooks.repository import markdown_files, read_documents
from drillbook.stack.definition import load_stack_spec

USAGE = 2
CRASHED = 3

EPILOG = f"""\
selecting findings:
  Every finding has a rule id (unknown-service, unknown-env, destructive, mttr-missing, ...,
  shown after its severity). --rule keeps only the rules named, --ignore drops them, and
  --min-severity drops the less serious ones. A repository switches rules off for good in
  {CONFIG_FILE}, found in the working directory or the nearest folder above it:

    ignore: [inferred-name, not-executable]
    rules: [unknown-service, destructive]   # only these (leave out for all)
    min-severity: warning                   # error | warning | note

  --ignore adds to the file's list; --rule and --min-severity replace its values.

exit codes:
  0 no error reported, 1 errors reported, 2 bad usage, 3 drillbook failed on a file
  (reported as a `crash` finding; the other files are still checked).
"""


@dataclass(frozen=True)
class LintRequest:
    """What `drillbook lint` was asked to do."""

    paths: list[str]
    stack: str
    output: str = "text"
    profile: str | None = None
    selection: Selection = field(default_factory=Selection)


def register(sub: Any) -> None:
    lint = with_stack(
        sub.add_parser(
            "lint",
            help="check Markdown runbooks against the stack definition",
            description="Report, with file:line, what in the runbooks cannot work against the "
            "stack: each finding with its rule, severity and a fix.",
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    lint.add_argument("paths", nargs="+", metavar="PATH", help="Markdown files or folders")
    lint.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    lint.add_argument(
        "--min-severity",
        choices=("error", "warning", "note", "info"),
        default=None,
        help="report only findings at least this serious (default: all)",
    )
    lint.add_argument(
        "--rule",
        action="append",
        default=[],
        metavar="RULE",
        help="report only this rule (repeat for more)",
    )
    lint.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="RULE",
        help="never report this rule (repeat for more)",
    )
    lint.add_argument(
        "--config",
        default=None,
        metavar="FILE",
        help=f"lint config file (default: the nearest {CONFIG_FILE})",
    )
    lint.set_defaults(run=run_lint)


def run_lint(args: argparse.Namespace) -> int:
    try:
        selection = selection_of(args)
    except (ValueError, DrillbookError) as exc:
        print(f"drillbook: error: {exc}", file=sys.stderr)
        return USAGE
    stack = str(project_of(args).stack)
    return lint_command(LintRequest(args.paths, stack, args.format, args.profile, selection))


def selection_of(args: argparse.Namespace) -> Selection:
    """The config file's selection with the command line's options laid over it."""
    config = Path(args.config) if args.config else find_config(Path.cwd())
    if config is not None and not config.is_file():
        raise ValueError(f"no such config file: {config}")
    base = load_config(config) if config else Selection()
    rules = [check_rule(r, "--rule: ") for r in args.rule]
    ignored = [check_rule(r, "--ignore: ") for r in args.ignore]
    return base.overridden(args.min_severity, rules, ignored)


def lint_command(request: LintRequest) -> int:
    missing = [p for p in request.paths if not Path(p).exists()]
    if missing:
        print(f"drillbook: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return USAGE
    try:
        spec = load_stack_spec(request.stack, request.profile)
        start = time.monotonic()
        files = markdown_files(Path(p) for p in request.paths)
        docs, unreadable = read_documents(files)
        everything = unreadable + lint_documents(docs, spec)
        took = time.monotonic() - start
    except DrillbookError as exc:
        print(f"drillbook: error: {exc}", file=sys.stderr)
        return USAGE
    findings = request.selection.select(everything)
    runbooks = sum(len(d.runbooks) for d in docs)
    if request.output == "json":
        summary = {
            "files": len(files),
            "runbooks": runbooks,
            "seconds": round(took, 3),
            "by_severity": dict(Counter(f.severity for f in findings)),
            "by_rule": dict(Counter(f.rule for f in findings)),
            "left_out": len(everything) - len(findings),
        }
        print(json.dumps({"findings": [f.as_json() for f in findings], "summary": summary}))
    else:
        print(render_text(findings, len(files), runbooks))
    if has_crashes(findings):
        return CRASHED
    return 1 if has_errors(findings) else 0
