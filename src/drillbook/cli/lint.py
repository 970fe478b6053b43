"""`drillbook lint PATH... [--stack FILE] [--format text|json]`: exit 0 clean, 1 errors, 2 usage."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from drillbook.cli.options import project_of, with_stack
from drillbook.errors import DrillbookError
from drillbook.runbooks.findings import has_errors, render_text
from drillbook.runbooks.lint import lint_documents, markdown_files, read_documents
from drillbook.stack.definition import load_stack_spec

USAGE = 2


def register(sub: Any) -> None:
    lint = with_stack(
        sub.add_parser(
            "lint",
            help="check Markdown runbooks against the stack definition",
            description="Report, with file:line, what in the runbooks cannot work against the "
            "stack. Exit 0 when no finding is an error, 1 when one is, 2 on bad usage.",
        )
    )
    lint.add_argument("paths", nargs="+", metavar="PATH", help="Markdown files or folders")
    lint.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    lint.set_defaults(run=run_lint)


def run_lint(args: argparse.Namespace) -> int:
    return lint_command(args.paths, str(project_of(args).stack), args.format, args.profile)


def lint_command(paths: list[str], stack: str, output: str, profile: str | None = None) -> int:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        print(f"drillbook: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return USAGE
    try:
        spec = load_stack_spec(stack, profile)
        start = time.monotonic()
        files = markdown_files(Path(p) for p in paths)
        docs, unreadable = read_documents(files)
        findings = unreadable + lint_documents(docs, spec)
        took = time.monotonic() - start
    except DrillbookError as exc:
        print(f"drillbook: error: {exc}", file=sys.stderr)
        return USAGE
    runbooks = sum(len(d.runbooks) for d in docs)
    if output == "json":
        summary = {
            "files": len(files),
            "runbooks": runbooks,
            "seconds": round(took, 3),
            "by_severity": dict(Counter(f.severity for f in findings)),
            "by_rule": dict(Counter(f.rule for f in findings)),
        }
        print(json.dumps({"findings": [f.as_json() for f in findings], "summary": summary}))
    else:
        print(render_text(findings, len(files), runbooks))
    return 1 if has_errors(findings) else 0
