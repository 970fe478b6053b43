"""Shell command lines as runbooks write them, split into simple commands without running them.

    line = parse_command("docker logs api 2>&1 | grep -i error", line=12)
    line.parts[0].argv == ("docker", "logs", "api"); line.operators == ("|",)

Nothing here executes anything; unbalanced quotes or odd syntax are kept as `error`.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

_OPERATORS = {"|", "||", "&&", ";", "&"}
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
POWERSHELL_LANGUAGES = {"powershell", "ps", "ps1", "pwsh"}


@dataclass(frozen=True)
class SimpleCommand:
    """One program and its arguments, with the VAR=value assignments written before it."""

    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()

    @property
    def program(self) -> str:
        """The program's name without its directory: `/usr/bin/redis-cli` -> `redis-cli`."""
        return self.argv[0].rsplit("/", 1)[-1] if self.argv else ""


@dataclass(frozen=True)
class CommandLine:
    """A command line: simple commands joined by operators (|, &&, ;), and its redirections."""

    text: str
    line: int
    parts: tuple[SimpleCommand, ...] = ()
    operators: tuple[str, ...] = ()
    redirects: tuple[str, ...] = ()  # file targets of > >> <
    error: str | None = None

    @property
    def first(self) -> SimpleCommand:
        return self.parts[0] if self.parts else SimpleCommand(())


def substitutions(text: str) -> list[tuple[int, int]]:
    r"""The spans of `$(...)` and `\`...\`` command substitutions, outermost only, by one scan.

    An unclosed one runs to the end of the text.
    """
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    quote = ""
    while i < n:
        char = text[i]
        if quote == "'":
            quote = "" if char == "'" else quote
        elif char == "'" and not quote:
            quote = "'"
        elif char == "\\":
            i += 1
        elif text.startswith("$(", i):
            end = _closing(text, i + 2)
            spans.append((i, end))
            i = end
            continue
        elif char == "`":
            end = text.find("`", i + 1)
            end = n if end < 0 else end + 1
            spans.append((i, end))
            i = end
            continue
        i += 1
    return spans


def _closing(text: str, i: int) -> int:
    """The index after the `)` that closes a `$(` opened before i (or the text's end)."""
    depth = 1
    while i < len(text):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def _tokens(text: str, shell: str) -> list[str]:
    # A substitution is one word to the shell: hide it from shlex, which would split it at
    # its spaces, pipes and parentheses, and put it back into the token that holds it.
    spans = substitutions(text) if shell != "powershell" else []
    hidden: dict[str, str] = {}
    for number, (start, end) in enumerate(reversed(spans)):
        key = f"\x00{number}\x00"
        hidden[key] = text[start:end]
        text = text[:start] + key + text[end:]
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    lexer.wordchars += "\x00"
    if shell == "powershell":
        # PowerShell paths use backslashes (.\scripts\x.ps1); they are not escapes there.
        lexer.escape = ""
    tokens = list(lexer)
    if hidden:
        pattern = re.compile("\x00\\d+\x00")
        tokens = [pattern.sub(lambda m: hidden.get(m.group(0), m.group(0)), t) for t in tokens]
    return tokens


def parse_command(text: str, line: int, shell: str = "sh") -> CommandLine:
    """Split one command line; never raises."""
    try:
        tokens = _tokens(text, shell)
    except ValueError as exc:
        return CommandLine(text, line, error=f"cannot split the command: {exc}")
    parts: list[SimpleCommand] = []
    operators: list[str] = []
    redirects: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _OPERATORS:
            parts.append(_simple(current))
            operators.append(token)
            current = []
        elif token and token[0] in "<>":
            target = tokens[i + 1] if i + 1 < len(tokens) else ""
            # 2>&1 merges a stream; it writes no file. Drop the fd number written before it.
            if current and current[-1].isdigit():
                current.pop()
            if not token.endswith("&"):
                redirects.append(target)
            i += 1
        else:
            current.append(token)
        i += 1
    parts.append(_simple(current))
    kept = [(p, o) for p, o in zip(parts, ["", *operators], strict=True) if p.argv or p.env]
    return CommandLine(
        text,
        line,
        parts=tuple(p for p, _ in kept),
        operators=tuple(o for _, o in kept[1:]),
        redirects=tuple(redirects),
    )


def _simple(tokens: list[str]) -> SimpleCommand:
    env: list[tuple[str, str]] = []
    while tokens and _ASSIGNMENT.match(tokens[0]):
        name, _, value = tokens.pop(0).partition("=")
        env.append((name, value))
    return SimpleCommand(tuple(tokens), tuple(env))


@dataclass(frozen=True)
class BlockLine:
    """A logical line of a code block (continuations joined), or a comment line."""

    text: str
    line: int
    comment: bool = False


# (A bare `> ` is no prompt: in a session it is what a command printed, or a quote.)
_PROMPT = re.compile(r"^(?:\$|[\w.@-]+[$#%>]|PS [^>]{0,60}>)\s+")
# Lines of a shell block that are no command: YAML or JSON pasted in, a table of output
# (`NAME   READY   STATUS`), log lines starting with a number or a timestamp.
_NOT_A_COMMAND = re.compile(
    r"^(?:[\w.-]+:(?:\s|$)|- \w[\w.-]*:|[{}\[\]]|\"[\w.-]+\"\s*:|[A-Z][A-Z_]+(?:\s{2,}|\t)|\d)"
)
_ROOT_COMMAND = re.compile(r"^# (?=[a-z][\w.-]*(?:\s|$))")


def block_lines(lines: tuple[str, ...] | list[str], first_line: int, shell: str) -> list[BlockLine]:
    """The logical lines of a code block: blank lines dropped, continuations joined.

    A continuation is a trailing backslash (sh) or backtick (PowerShell); the joined line
    keeps the number of its first physical line. In a block written as a terminal session
    (`$ kubectl get pods` and what it printed), prompts are stripped and output is dropped;
    YAML, JSON and output tables pasted into a block are no commands either.
    """
    prompted = shell != "powershell" and any(_PROMPT.match(raw.strip()) for raw in lines)
    out: list[BlockLine] = []
    pending: list[str] = []
    start = first_line
    continuation = "`" if shell == "powershell" else "\\"
    for offset, raw in enumerate(lines):
        text = raw.strip()
        if not pending:
            start = first_line + offset
            if not text:
                continue
            if prompted:
                prompt = _PROMPT.match(text) or _ROOT_COMMAND.match(text)
                if prompt is None:
                    continue  # what the command printed
                text = text[prompt.end() :]
            elif text.startswith("#"):
                out.append(BlockLine(text.lstrip("#").strip(), start, comment=True))
                continue
            elif shell != "powershell" and _NOT_A_COMMAND.match(text):
                continue
        if text.endswith(continuation):
            pending.append(text[:-1].rstrip())
            continue
        pending.append(text)
        out.append(BlockLine(" ".join(p for p in pending if p), start))
        pending = []
    if pending:
        out.append(BlockLine(" ".join(p for p in pending if p), start))
    return out
