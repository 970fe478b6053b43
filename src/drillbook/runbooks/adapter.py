"""CommandAdapter: the commands runbooks use, mapped onto the test stack's services.

    adapter = CommandAdapter(spec, NameMap(spec, runbook.names))
    t = adapter.translate("docker-compose -f prod.yml restart obsidian-redis-prod", line=41)
    t.admission == "run"; t.actions == (Lifecycle("redis", "restart"),)

Pure: it only decides what each command would do. The command families live in
`drillbook.runbooks.translate` (compose, docker, kubectl, clients, http, shell); this module
checks the whole line for harm and placeholders, walks its pipes and lists, and hands each
simple command to its family. Anything not understood is "not executable", never guessed.

A destructive line is run when every action it comes to lands in the drill's own containers
or ports (an exec, an HTTP call, a restart: `contained`): there it can only harm what the
drill created, and the drill's damage ledger measures what it destroyed. An exec that runs
other programs or names a network destination is not contained. It keeps its reason
(`destructive`) so the step and the linter say so. A destructive line that speaks to the
engine or the cluster (`docker compose ...`, `kubectl ...` as written, anything the families
do not map) is refused, and so is every destructive line with `refuse_destructive`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from drillbook.runbooks.actions import CONTAINED, Action, Exec
from drillbook.runbooks.commands import CommandLine, SimpleCommand, parse_command
from drillbook.runbooks.names import NameMap
from drillbook.runbooks.placeholders import find_placeholders
from drillbook.runbooks.safety import destructive, unwrapped
from drillbook.runbooks.status import Admission
from drillbook.runbooks.translate import PROGRAMS, Cannot, Context, translate_simple
from drillbook.runbooks.translate.shell import pipe_filter
from drillbook.stack.spec import StackSpec

RUN, REFUSED, NOT_EXECUTABLE = Admission.RUN, Admission.REFUSED, Admission.NOT_EXECUTABLE
_VARIABLE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")
# A longer value is not kept: variables that double (`V1=${V0}${V0}`, ...) grow a line
# exponentially, while a real runbook's values are names, hosts and ids.
MAX_VALUE = 4096
# An argument that names somewhere on the network: a URL, an IPv4 address, a host option.
_DESTINATION = re.compile(
    r"://|^[^/]*@[\w.-]+:|(?:^|[^\w.])\d{1,3}(?:\.\d{1,3}){3}(?:$|[^\w.])"
    r"|^-h$|^-H$|^--host|^--server|^--url"
)


@dataclass(frozen=True)
class Translation:
    """What a command line comes to on the stack: actions to run, or why it cannot be run."""

    command: CommandLine
    admission: Admission
    actions: tuple[Action, ...] = ()
    reason: str = ""
    inferred: tuple[tuple[str, str], ...] = ()  # (runbook name, stack service) guessed
    unknown_names: tuple[str, ...] = ()
    problem: str = ""  # a short rule-like word for the linter: "service", "port", "outside"...
    destructive: str = ""  # why the line destroys data, when it runs all the same (contained)

    @property
    def runnable(self) -> bool:
        return self.admission is Admission.RUN


class CommandAdapter:
    """Translates runbook commands into actions on one stack's services."""

    def __init__(
        self, spec: StackSpec, names: NameMap | None = None, *, refuse_destructive: bool = False
    ) -> None:
        self.spec = spec
        self.names = names or NameMap(spec)
        self.refuse_destructive = refuse_destructive
        # Shell variables assigned by earlier lines (`SERVICE=redis`), used by later ones.
        self.variables: dict[str, str] = {}

    def translate(self, text: str, line: int = 0, shell: str = "sh") -> Translation:
        """Parse and translate one command line, with the variables assigned before it."""
        return self.translate_line(parse_command(self.expand(text), line, shell), shell)

    def expand(self, text: str) -> str:
        """`$NAME` and `${NAME}` of variables assigned before, replaced by their values."""
        if not self.variables:
            return text
        return _VARIABLE.sub(lambda m: self.variables.get(m[1] or m[2], m[0]), text)

    def translate_line(self, command: CommandLine, shell: str = "sh") -> Translation:
        """Translate a parsed command line; never raises."""
        reason = destructive(command)
        if reason and self.refuse_destructive:
            return _refused(command, reason)
        translation = self._translate(command, shell)
        if not reason:
            return translation
        if translation.runnable and all(map(contained, translation.actions)):
            return replace(translation, destructive=reason)
        return _refused(command, reason)

    def _translate(self, command: CommandLine, shell: str) -> Translation:
        holes = find_placeholders(command.text)
        if holes:
            why = f"placeholder {holes[0]} left in; write the real value"
            return Translation(command, NOT_EXECUTABLE, reason=why, problem="placeholder")
        ctx = Context(self.names)
        try:
            actions = _line(ctx, command, shell)
            for name, value in ctx.assigned.items():
                if len(value) <= MAX_VALUE:
                    self.variables[name] = value
                else:  # unknown from now on, not its earlier value
                    self.variables.pop(name, None)
        except Cannot as why:
            return Translation(
                command,
                NOT_EXECUTABLE,
                reason=why.reason,
                inferred=tuple(ctx.inferred),
                unknown_names=why.names,
                problem=why.problem,
            )
        return Translation(command, RUN, tuple(actions), inferred=tuple(ctx.inferred))


def contained(action: Action) -> bool:
    """Whether `action` can only harm what the drill created. A program run in a container is,
    unless it runs other programs (a shell, env, sudo, xargs...: anything could follow) or an
    argument names a network destination (a URL, an address, a host option): the drill's
    containers can still reach the network, so such a destructive line is refused. Clients
    drillbook maps (redis-cli, psql) have their server resolved to the stack's already."""
    if not isinstance(action, CONTAINED):
        return False
    if not isinstance(action, Exec):
        return True
    if unwrapped(SimpleCommand(action.argv)):
        return False
    return not any(_DESTINATION.search(arg) for arg in action.argv[1:])


def _refused(command: CommandLine, reason: str) -> Translation:
    return Translation(command, REFUSED, reason=reason, problem="destructive")


def _line(ctx: Context, command: CommandLine, shell: str) -> list[Action]:
    if command.error:
        raise Cannot(command.error, "syntax")
    if shell == "powershell" and command.first.program not in PROGRAMS:
        raise Cannot("a PowerShell command; drillbook runs no host shell", "shell")
    if command.redirects:
        raise Cannot("reads or writes a file on the host", "host-file")
    if not command.parts:
        raise Cannot("no command", "syntax")
    actions: list[Action] = []
    for part, operator in zip(command.parts, ("", *command.operators), strict=True):
        if operator == "|":
            actions.append(pipe_filter(part))
        elif not part.argv:
            # `NAME=value` alone sets a shell variable: nothing runs on the stack.
            ctx.assigned.update(part.env)
        elif operator in ("", "&&", ";"):
            actions.extend(translate_simple(ctx, part))
        else:
            raise Cannot(f"the operator {operator!r} is not supported", "syntax")
    return actions
