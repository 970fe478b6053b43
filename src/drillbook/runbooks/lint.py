"""The runbook linter: what in a runbook cannot work against the stack, with file:line.

    findings = lint_paths([Path("runbooks")], load_stack_spec("fixtures/stack.yaml"))

Pure: it reads files and the stack definition, never a running stack. Rules:

    unknown-service      a service or container name no stack service answers to
    unknown-port         a URL or host:port on a port no stack service listens on
    url-outside-stack    a URL in a command to a host that is not part of the stack
    ambiguous-url        a localhost URL more than one service could serve
    unknown-env          a variable no stack service has: read ($X, an error when near a
                         stack variable, else a warning) or set (export, kubectl set
                         env, docker -e); the hint names the nearest one
    unknown-subcommand   `docker compose restrat`: no such sub-command; the nearest one
    alert-without-runbook, runbook-without-alert
    mttr-missing         no MTTR target: needed to run the runbook as a drill
    mttr-impossible      a target of 0: no recovery meets it
    mttr-too-short       shorter than the written waits or the escalation time
    empty-resolution     a Resolution section with nothing in it
    unknown-alert, unanswered-alert (against the stack's alert rules: runbooks.lint_alerts)
    not-executable       a step drillbook cannot run
    destructive          a command that destroys data: a warning when a drill runs it in its
                         own containers, an error when it acts beyond them (refused)
    placeholder          <pod-name>, [PASSWORD] ... left in
    (unknown-service and unknown-port also cover front matter `services:` and the port of
    redis-cli -p / psql -p)
    inferred-name        a name taken to mean a stack service by its words (info)
    parse                what the parser could not read or infer
    unreadable           a file that cannot be read (the others are still checked)
    crash                drillbook failed on a file (the others are still checked; exit 3)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from drillbook.runbooks.adapter import NOT_EXECUTABLE, REFUSED, CommandAdapter, Translation
from drillbook.runbooks.commands import POWERSHELL_LANGUAGES, block_lines
from drillbook.runbooks.durations import format_duration
from drillbook.runbooks.findings import ERROR, INFO, WARNING, Finding, order
from drillbook.runbooks.lint_alerts import lint_alerts
from drillbook.runbooks.model import Runbook, RunbookDocument, Section, StepKind
from drillbook.runbooks.names import NameMap
from drillbook.runbooks.placeholders import find_placeholders
from drillbook.runbooks.repository import crash_finding, markdown_files, read_documents
from drillbook.runbooks.stackrefs import (
    client_ports,
    nearest,
    subcommand_typo,
    variables_set,
)
from drillbook.stack.spec import StackSpec

_URL = re.compile(r"\bhttps?://[^\s)'\"`<>\]]+")
_ENV_REF = re.compile(r"\$\{?([A-Z][A-Z0-9_]{2,})\}?")
_ENV_PROSE = re.compile(r"\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b")
_SHELL_VARS = {"PWD", "HOME", "PATH", "USER", "SHELL", "HOSTNAME", "RANDOM", "LINENO", "OLDPWD"}
_SHELL_LANGS = {"bash", "sh", "shell", "console", "zsh"} | POWERSHELL_LANGUAGES
_ACTIVE = {Section.RESOLUTION, Section.VERIFICATION}
# Names a shell line gives a value to: NAME=, export NAME=, for NAME in, read NAME.
_ASSIGNED = re.compile(
    r"(?:^|[;&|(]\s*|\b(?:export|local|readonly|declare)\s+)([A-Za-z_]\w*)="
    r"|\bfor\s+([A-Za-z_]\w*)\s+in\b|\bread\s+(?:-\w+\s+)*([A-Za-z_]\w*)"
)


@dataclass(frozen=True)
class _Site:
    """A command line somewhere in a document, and the runbook section it belongs to."""

    text: str
    line: int
    shell: str
    runbook: Runbook | None = None
    section: Section | None = None


def lint_paths(paths: Iterable[Path], spec: StackSpec) -> list[Finding]:
    """Lint every Markdown file named or found below the folders named."""
    paths = list(paths)
    docs, unreadable = read_documents(markdown_files(paths))
    collection = any(p.is_dir() for p in paths)  # a folder: every alert needs its runbook
    return sorted(unreadable + lint_documents(docs, spec, collection), key=order)


def lint_documents(
    docs: list[RunbookDocument], spec: StackSpec, collection: bool = False
) -> list[Finding]:
    """Lint parsed documents together (alerts in one may be served by a runbook in another)."""
    findings: list[Finding] = []
    known_alerts = {r.alert.lower() for d in docs for r in d.runbooks if r.alert}
    for doc in docs:
        try:
            findings.extend(_Linter(doc, spec).run(known_alerts))
        except Exception as exc:
            findings.append(crash_finding(doc.path, exc))
    findings.extend(Finding(*f) for f in lint_alerts(docs, spec, collection=collection))
    return sorted(findings, key=order)


class _Linter:
    def __init__(self, doc: RunbookDocument, spec: StackSpec) -> None:
        self.doc = doc
        self.spec = spec
        self.path = str(doc.path)
        self.out: list[Finding] = []
        self.env = {name for s in spec.services.values() for name in s.env}
        self.names = NameMap(spec)  # for prose, which belongs to no runbook's names
        self.assigned: set[str] = set()  # shell variables given a value by earlier lines

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
                f"runbook {runbook.id!r} has no MTTR target, needed to run this runbook as a drill",
                "add `mttr: 5m` to the front matter, or an MTTR Target column to the alert table",
            )
        elif runbook.mttr_s <= 0:
            self.add(
                runbook.mttr_line or runbook.line,
                "mttr-impossible",
                ERROR,
                f"runbook {runbook.id!r} has an MTTR target of {format_duration(runbook.mttr_s)}:"
                " no recovery can meet it",
                "write the time the runbook promises, e.g. `mttr: 5m`",
            )
        else:
            self.mttr(runbook, runbook.mttr_s)
        self.front_services(runbook)
        for section, line in runbook.empty_sections:
            if section is Section.RESOLUTION:
                self.add(
                    line,
                    "empty-resolution",
                    ERROR,
                    "the resolution section is empty",
                    "write the steps that fix the incident under it",
                )
        if not runbook.section_steps(Section.RESOLUTION):
            self.add(
                runbook.line,
                "not-executable",
                WARNING if runbook.from_front_matter else INFO,
                f"runbook {runbook.id!r} has no resolution steps",
                "add a 'Resolution' section with the commands that fix the incident",
            )

    def front_services(self, runbook: Runbook) -> None:
        names = NameMap(self.spec, runbook.names)
        for name in runbook.services:
            resolved = names.resolve(name)
            if resolved.service is None:
                self.add(
                    runbook.services_line or runbook.line,
                    "unknown-service",
                    ERROR,
                    f"front matter services: {resolved.reason}",
                    self.service_hint(name),
                )

    def service_hint(self, name: str) -> str:
        near = nearest(name, self.spec.services)
        if near:
            return f"did you mean {near!r}? or map the name in the front matter (names:)"
        return "map the name to a stack service in the front matter (names: {name: service})"

    def env_hint(self, name: str, known: set[str]) -> str:
        near = nearest(name, known)
        return (
            f"did you mean {near}?" if near else "set it in the stack definition, or fix the name"
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
            self.assigned.update(n for m in _ASSIGNED.findall(site.text) for n in m if n)
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
        self.variables(t, line, names)
        self.ports(t, line, names)
        typo = subcommand_typo(t.command)
        if typo is not None:
            program, written, near = typo
            self.add(
                line,
                "unknown-subcommand",
                ERROR,
                f"{program} has no sub-command {written!r}",
                f"did you mean {program} {near}?" if near else f"see `{program} --help`",
            )
        for name, service in t.inferred:
            self.add(
                line,
                "inferred-name",
                INFO,
                f"{name!r} taken to mean stack service {service}",
                f"say so in the front matter: names: {{{name}: {service}}}",
            )
        if t.destructive:
            self.add(
                line,
                "destructive",
                WARNING,
                f"{t.destructive}; a drill runs it inside its own containers and reports what "
                "it destroyed",
                "if wiping data is not the intent, act on the one service concerned (restart, "
                "scale, exec) instead",
            )
        if t.admission == REFUSED:
            self.add(
                line,
                "destructive",
                ERROR,
                f"{t.reason}; drillbook refuses to run it (it could act beyond the drill's "
                "containers)",
                "act on the one service concerned (restart, scale, exec) instead",
            )
        elif t.admission == NOT_EXECUTABLE:
            if t.problem == "service":
                for name in t.unknown_names:
                    if not find_placeholders(name) and "$" not in name:
                        self.add(
                            line,
                            "unknown-service",
                            ERROR,
                            t.reason,
                            self.service_hint(name),
                        )
            elif typo is None and t.problem not in ("placeholder", "port", "outside", "ambiguous"):
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
            if rule == "url-outside-stack" and level != ERROR:
                continue  # prose links to documentation elsewhere; only commands must reach us
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
            if name not in self.env and name not in _SHELL_VARS and name not in self.assigned:
                # Near a stack variable it is a typo; else a value the reader must supply.
                near = nearest(name, self.env)
                self.add(
                    line,
                    "unknown-env",
                    ERROR if near else WARNING,
                    f"${name} is set by no stack service and no earlier line",
                    f"did you mean ${near}?" if near else f"set {name}=... in a line before",
                )

    def variables(self, t: Translation, line: int, names: NameMap) -> None:
        """Variables set with export, kubectl set env or -e: a name the service lacks."""
        for var in variables_set(t.command):
            service = names.resolve(var.target).service if var.target else None
            known = set(self.spec.services[service].env) if service else self.env
            if var.name in known:
                continue
            near = nearest(var.name, known)
            if near is None and not (var.container and service):
                continue  # a shell variable of the runbook's own, not the stack's
            where = f"service {service} has" if service else "no stack service has"
            self.add(
                line,
                "unknown-env",
                ERROR if near else WARNING,
                f"{var.name} is set, but {where} such a variable",
                self.env_hint(var.name, known),
            )

    def ports(self, t: Translation, line: int, names: NameMap) -> None:
        """The port of redis-cli -p / psql -p against the port of the service it names."""
        for client in client_ports(t.command):
            service = names.resolve(client.host).service
            if service is None:
                continue  # the host itself is reported as an unknown service
            spec = self.spec.services[service]
            ports = {spec.port} | {k.listen for k in self.spec.links if k.target == service}
            if client.port not in ports:
                self.add(
                    line,
                    "unknown-port",
                    ERROR,
                    f"{client.program} -p {client.port}: {service} listens on {spec.port}",
                    f"write -p {spec.port}",
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
                            self.env_hint(name, self.env),
                        )
