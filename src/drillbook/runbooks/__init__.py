"""Runbooks as code: Markdown runbooks read into Runbooks, linted, and executed on a stack.

doc = parse_file("runbooks/redis-down.md")          # parser: any Markdown, never crashes
findings = lint_paths([Path("runbooks")], spec)       # linter: file:line, rule, hint
execution = Executor(stack).run(doc.runbooks[0])      # executor: through CommandAdapter
"""

from __future__ import annotations

from drillbook.runbooks.adapter import CommandAdapter, Translation
from drillbook.runbooks.executor import Execution, Executor, StepResult
from drillbook.runbooks.findings import Finding
from drillbook.runbooks.lint import lint_documents, lint_paths
from drillbook.runbooks.model import Runbook, RunbookDocument, Section, Step, StepKind
from drillbook.runbooks.names import NameMap
from drillbook.runbooks.parser import parse_file, parse_text
from drillbook.runbooks.status import Admission, StepStatus

__all__ = [
    "Admission",
    "CommandAdapter",
    "Execution",
    "Executor",
    "Finding",
    "NameMap",
    "Runbook",
    "RunbookDocument",
    "Section",
    "Step",
    "StepKind",
    "StepResult",
    "StepStatus",
    "Translation",
    "lint_documents",
    "lint_paths",
    "parse_file",
    "parse_text",
]
