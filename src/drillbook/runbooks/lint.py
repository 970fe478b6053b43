"""The runbook linter: what in a runbook cannot work against the stack, with file:line.

    findings = lint_paths([Path("runbooks")], load_stack_spec("fixtures/stack.yaml"))

Pure: it reads files and the stack definition, never a running stack. Rules:

    unknown-service      a service or container name no stack service answers to
    unknown-port         a URL or host:port on a port no stack service listens on
    url-outside-stack    a URL to a host that is not part of the stack
    ambiguous-url        a localhost URL more than one service could serve
    unknown-env          an environment variable no stack service has
    alert-without-runbook, runbook-without-alert
    unknown-alert, unanswered-alert (against the stack's alert rules: runbooks.lint_alerts)
    mttr-missing, mttr-too-short (shorter than the written waits or the escalation time)
    not-executable       a step drillbook cannot run
    destructive          a command that destroys more than the incident (refused when run)
    placeholder          <pod-name>, [PASSWORD] ... left in
    inferred-name        a name taken to mean a stack service by its words (info)
    parse                what the parser could not read or infer
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from drillbook.errors import SourceError
from drillbook.runbooks.adapter import NOT_EXECUTABLE, REFUSED, CommandAdapter, Translation
from drillbook.runbooks.commands import POWERSHELL_LANGUAGES, block_lines
from drillbook.runbooks.durations import format_duration
from drillbook.runbooks.lint_alerts import lint_alerts
from drillbook.runbooks.model import Runbook, RunbookDocument, Section, StepKind
from drillbook.runbooks.names import NameMap
from drillbook.runbooks.parser import parse_file
from drillbook.runbooks.placeholders import find_placeholders
from drillbook.stack.spec import StackSpec

ERROR, WARNING, INFO = "error", "warning", "info"
_LEVELS = {ERROR: 0, WARNING: 1, INFO: 2}
_URL = re.compile(r"\bhttps?://[^\s)'\"`<>\]]+")
_ENV_REF = re.compile(r"\$\{?([A-Z][A-Z0-9_]{2,})\}?")
_ENV_PROSE = re.compile(r"\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b")
_SHELL_VARS = {"PWD", "HOME", "PATH", "USER", "SHELL", "HOSTNAME", "RANDOM", "LINENO", "OLDPWD"}
_SHELL_LANGS = {"bash", "sh", "shell", "console", "zsh"} | POWERSHELL_LANGUAGES
_ACTIVE = {Section.RESOLUTION, Section.VERIFICATION}


@dataclass(frozen=True)
class Finding:
    """One lint finding, located by file and line, with a hint of how to fix it."""

    path: str
    line: int
    rule: str
    severity: str
    message: str
    hint: str = ""

    def text(self) -> str:
        hint = f" (fix: {self.hint})" if self.hint else ""
        return f"{self.path}:{self.line}: {self.severity} {self.rule}: {self.message}{hint}"

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Site:
    """A command line somewhere in a document, and the runbook section it belongs to."""

    text: str
    line: int
    shell: str
    runbook: Runbook | None = None
    section: Section | None = None


def markdown_files(paths: Iterable[Path]) -> list[Path]:
    """The Markdown files named, or found below the folders named, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.md") if p.is_file()))
        else:
            files.append(path)
    return files


def read_documents(files: Iterable[Path]) -> tuple[list[RunbookDocument], list[Finding]]:
    """Parse every file; one that cannot be read is one finding, and the others are read."""
    docs: list[RunbookDocument] = []
    unreadable: list[Finding] = []
    for path in files:
        try:
            docs.append(parse_file(path))
        except SourceError as exc:
            hint = "name a Markdown file that can be read, or leave it out"
            message = exc.message.removeprefix(f"{exc.path}: ")
            unreadable.append(Finding(str(path), 0, "unreadable", ERROR, message, hint))
    return docs, unreadable


def lint_paths(paths: Iterable[Path], spec: StackSpec) -> list[Finding]:
    """Lint every Markdown file named or found below the folders named."""
    paths = list(paths)
    docs, unreadable = read_documents(markdown_files(paths))
    collection = any(p.is_dir() for p in paths)  # a folder: every alert needs its runbook
    return sorted(unreadable + lint_documents(docs, spec, collection), key=_order)


def lint_documents(
    docs: list[RunbookDocument], spec: StackSpec, collection: bool = False
) -> list[Finding]:
    """Lint parsed documents together (alerts in one may be served by a runbook in another)."""
    findings: list[Finding] = []
    known_alerts = {r.alert.lower() for d in docs for r in d.runbooks if r.alert}
    for doc in docs:
        findings.extend(_Linter(doc, spec).run(known_alerts))
    findings.extend(Finding(*f) for f in lint_alerts(docs, spec, collection=collection))
    return sorted(findings, key=_order)


def _order(f: Finding) -> tuple[str, int, int, str]:
    return (f.path, f.line, _LEVELS[f.severity], f.rule)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == ERROR for f in findings)


class _Linter:
    def __init__(self, doc: RunbookDocument, spec: StackSpec) -> None:
        self.doc = doc
        self.spec = spec
        self.path = str(doc.path)
        self.out: list[Finding] = []
        self.env = {name for s in spec.services.values() for name in s.env}
        self.names = NameMap(spec)  # for prose, which belongs to no runbook's names

    def add(self, line: int, rule: str, severity: str, message: str, hint: str = "") -> None:
        self.out.append(Finding(self.path, line, rule, severity, message, hint))

    def run(self, known_alerts: set[str]) -> list[Finding]:
        for note in self.doc.notes:
            self.add(note.line, "parse", note.level, note.message, note.hint or "")
        self.alerts(known_alerts)
        for runbook in self.doc.runbooks:
            self.runbook(runbook)
        command_lines = self.commands()
        self.prose(command_lines)
        return self.out

    # -- alerts and targets -------------------------------------------------------------------
    def alerts(self, known_alerts: set[str]) -> None:
        for row in self.doc.alerts:
            if row.alert.lower() in known_alerts:
                continue
            link = row.runbook_link
            if link and not link.startswith(("#", "http")):
                if (self.doc.path.parent / link.split("#")[0]).is_file():
                    continue
                where = f"its link {link} leads to no file"
            else:
                where = "no runbook in the files linted names it"
            self.add(
                row.line,
                "alert-without-runbook",
                ERROR,
                f"alert {row.alert} has no runbook: {where}",
                "write the runbook, or fix the link in the alert table",
            )

    def runbook(self, runbook: Runbook) -> None:
        if not runbook.alert:
            self.add(
                runbook.line,
                "runbook-without-alert",
                WARNING,
                f"runbook {runbook.id!r} names no alert",
                "add `alert:` to the front matter, or an 'Alert: Name' line",
            )
        if runbook.mttr_s is None:
            self.add(
                runbook.mttr_line or runbook.line,
                "mttr-missing",
                ERROR,
                f"runbook {runbook.id!r} has no MTTR target",
                "add `mttr: 5m` to the front matter, or an MTTR Target column to the alert table",
            )
        else:
            self.mttr(runbook, runbook.mttr_s)
        if not runbook.section_steps(Section.RESOLUTION):
            self.add(
                runbook.line,
                "not-executable",
                WARNING if runbook.from_front_matter else INFO,
                f"runbook {runbook.id!r} has no resolution steps",
                "add a 'Resolution' section with the commands that fix the incident",
            )

    def mttr(self, runbook: Runbook, target: float) -> None:
        line = runbook.mttr_line or runbook.line
        waits = runbook.written_wait_s
        if waits > target:
            self.add(
                line,
                "mttr-too-short",
                ERROR,
                f"MTTR target {format_duration(target)} is shorter than the runbook's own "
                f"written waits ({format_duration(waits)})",
                "raise the target or shorten the waits",
            )
        for seconds, at in runbook.escalation_s:
            if seconds > target:
                self.add(
                    at,
                    "mttr-too-short",
                    ERROR,
                    f"escalation after {format_duration(seconds)} comes later than the MTTR "
                    f"target {format_duration(target)}",
                    "escalate before the target runs out, or raise the target",
                )

    # -- commands -----------------------------------------------------------------------------
    def sites(self) -> list[_Site]:
        sites: dict[tuple[int, str], _Site] = {}
        for runbook in self.doc.runbooks:
            for step in runbook.steps:
                if step.kind is StepKind.COMMAND:
                    site = _Site(step.text, step.line, step.shell, runbook, step.section)
                    sites[(step.line, step.text)] = site
        for block in self.doc.blocks:
            if block.language not in _SHELL_LANGS:
                continue
            shell = "powershell" if block.language in POWERSHELL_LANGUAGES else "sh"
            for logical in block_lines(block.lines, block.line, shell):
                if not logical.comment:
                    site = _Site(logical.text, logical.line, shell)
                    sites.setdefault((logical.line, logical.text), site)
        return sorted(sites.values(), key=lambda s: s.line)

    def commands(self) -> set[int]:
        lines: set[int] = set()
        adapters: dict[str | None, CommandAdapter] = {}
        for site in self.sites():
            lines.add(site.line)
            key = site.runbook.id if site.runbook else None
            if key not in adapters:
                names = site.runbook.names if site.runbook else {}
                adapters[key] = CommandAdapter(self.spec, NameMap(self.spec, names))
            adapter = adapters[key]
            translation = adapter.translate(site.text, site.line, site.shell)
            self.command(site, translation, adapter.names)
        return lines

    def command(self, site: _Site, t: Translation, names: NameMap) -> None:
        line = site.line
        for hole in find_placeholders(site.text):
            self.add(
                line,
                "placeholder",
                ERROR,
                f"placeholder {hole} left in the command",
                "write the real value, or map the name in the front matter",
            )
        self.urls(site.text, line, ERROR, names)
        self.env_refs(site.text, line)
        for name, service in t.inferred:
            self.add(
                line,
                "inferred-name",
                INFO,
                f"{name!r} taken to mean stack service {service}",
                f"say so in the front matter: names: {{{name}: {service}}}",
            )
        if t.status == REFUSED:
            self.add(
                line,
                "destructive",
                ERROR,
                f"{t.reason}; drillbook refuses to run it",
                "act on the one service concerned (restart, scale, exec) instead",
            )
        elif t.status == NOT_EXECUTABLE:
            if t.problem == "service":
                for name in t.unknown_names:
                    if not find_placeholders(name) and "$" not in name:
                        self.add(
                            line,
                            "unknown-service",
                            ERROR,
                            t.reason,
                            f"stack services: {', '.join(sorted(self.spec.services))}; "
                            "or map the name in the front matter (names:)",
                        )
            elif t.problem not in ("placeholder", "port", "outside", "ambiguous"):
                active = site.section in _ACTIVE
                level = WARNING if active else INFO
                self.add(
                    line,
                    "not-executable",
                    level,
                    f"drillbook cannot run this: {t.reason}",
                    "use a command drillbook maps (docker compose, docker, kubectl, "
                    "redis-cli, psql, curl), or mark the step as manual prose",
                )

    def urls(self, text: str, line: int, level: str, names: NameMap) -> None:
        for url in _URL.findall(text):
            target = names.resolve_url(url.rstrip(".,;:"))
            if target.service is not None:
                continue
            rule = {
                "port": "unknown-port",
                "ambiguous": "ambiguous-url",
                "service": "unknown-service",
            }.get(target.problem or "", "url-outside-stack")
            severity = WARNING if rule == "ambiguous-url" else level
            self.add(
                line,
                rule,
                severity,
                f"{url}: {target.reason}",
                "point it at a service of the stack (by its name or port)",
            )

    def env_refs(self, text: str, line: int) -> None:
        for name in _ENV_REF.findall(text):
            if name not in self.env and name not in _SHELL_VARS:
                self.add(
                    line,
                    "unknown-env",
                    ERROR,
                    f"${name} is set on no stack service",
                    f"known: {', '.join(sorted(self.env)) or 'none'}",
                )

    # -- prose --------------------------------------------------------------------------------
    def prose(self, command_lines: set[int]) -> None:
        in_block: set[int] = set()
        for block in self.doc.blocks:
            in_block.update(range(block.line, block.line + len(block.lines)))
        for number, text in enumerate(self.doc.text_lines, start=1):
            if number in command_lines or number in in_block:
                continue
            for hole in find_placeholders(text):
                self.add(
                    number,
                    "placeholder",
                    WARNING,
                    f"placeholder {hole} left in the text",
                    "fill it in",
                )
            self.urls(text, number, WARNING, self.names)
            if re.search(r"(?i)environment variable|env var|\.env\b", text):
                for name in _ENV_PROSE.findall(text):
                    if name not in self.env:
                        self.add(
                            number,
                            "unknown-env",
                            WARNING,
                            f"{name} is set on no stack service",
                            f"known: {', '.join(sorted(self.env)) or 'none'}",
                        )


def render_text(findings: list[Finding], files: int, runbooks: int) -> str:
    """Findings one per line, then a summary line."""
    counts = {level: sum(f.severity == level for f in findings) for level in _LEVELS}
    lines = [f.text() for f in findings]
    lines.append(
        f"{files} files, {runbooks} runbooks: {counts[ERROR]} errors, "
        f"{counts[WARNING]} warnings, {counts[INFO]} notes"
    )
    return "\n".join(lines)
