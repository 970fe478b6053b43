"""getopt-style option reading for the few options the translators look at.

`--opt=value`, `--opt value`, `-o value` and `-ovalue` all work; bundled short options split
as getopt does: in `-tAc SQL` or `-fsSL`, each letter is a flag until one that takes a value,
which takes the rest of the argument (`-Upostgres`) or else the next one.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field


class Cannot(Exception):
    """Why a command cannot be mapped onto the stack; `problem` is a short rule-like word."""

    def __init__(self, reason: str, problem: str = "", names: Iterable[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.problem = problem
        self.names = tuple(names)


@dataclass
class Options:
    """The options and arguments of one command, as read by `options()`."""

    values: dict[str, str] = field(default_factory=dict)  # the last value of each option
    given: list[tuple[str, str]] = field(default_factory=list)  # every value, in order
    flags: set[str] = field(default_factory=set)
    args: list[str] = field(default_factory=list)

    def set(self, name: str, value: str) -> None:
        self.values[name] = value
        self.given.append((name, value))

    def all(self, *names: str) -> list[str]:
        """Every value given to any of `names`, in order (repeatable options: -H, -e)."""
        return [value for name, value in self.given if name in names]

    def first(self, *names: str) -> str | None:
        """The value of the first of `names` that was given."""
        return next((self.values[n] for n in names if n in self.values), None)


def options(
    argv: Iterable[str], with_value: AbstractSet[str], stop_at_first_arg: bool = False
) -> Options:
    """Read `argv`; `with_value` names the options that take a value.

    With `stop_at_first_arg`, everything from the first argument on is an argument (a
    sub-command and its own options: `docker -H x exec ...`).
    """
    out = Options()
    items = list(argv)
    i = 0
    while i < len(items):
        arg = items[i]
        if arg == "--":
            out.args.extend(items[i + 1 :])
            break
        if stop_at_first_arg and out.args:
            out.args.extend(items[i:])
            break
        if arg.startswith("-") and len(arg) > 1:
            i = _option(items, i, with_value, out)
        else:
            out.args.append(arg)
        i += 1
    return out


def _option(items: list[str], i: int, with_value: AbstractSet[str], out: Options) -> int:
    """Read the option at items[i]; the index of the last item it used."""
    arg = items[i]
    name, eq, value = arg.partition("=")
    if name in with_value:
        if not eq:
            i += 1
            value = items[i] if i < len(items) else ""
        out.set(name, value)
        return i
    bundle = _bundle(arg, with_value)
    if bundle is None:
        out.flags.add(name)
        return i
    flags, option = bundle
    out.flags.update(flags)
    if option is not None:
        name, value = option
        if not value:
            i += 1
            value = items[i] if i < len(items) else ""
        out.set(name, value)
    return i


def _bundle(
    arg: str, with_value: AbstractSet[str]
) -> tuple[list[str], tuple[str, str] | None] | None:
    """`-fsSL` -> flags -f -s -S -L; `-tAc` -> flags -t -A and option -c (value to follow).

    None when `arg` is no bundle of short options: a long option, `-n` alone, `-20`.
    """
    if arg.startswith("--") or len(arg) < 3 or not arg[1].isalpha():
        return None
    letters = arg[1:]
    for j, letter in enumerate(letters):
        if f"-{letter}" in with_value:
            return [f"-{c}" for c in letters[:j]], (f"-{letter}", letters[j + 1 :])
        if not letter.isalnum():
            return None
    return [f"-{c}" for c in letters], None


def integer(text: str, what: str) -> int:
    """`text` as an int, or Cannot naming the option `what`."""
    try:
        return int(text)
    except ValueError:
        raise Cannot(f"{what} needs a number, got {text!r}", "syntax") from None


def need(args: list[str], what: str) -> list[str]:
    """`args`, which `what` needs at least one of."""
    if not args:
        raise Cannot(f"{what} needs a container name", "syntax")
    return args


_SUDO_VALUED = {"-u", "-g", "-h", "-C", "-D", "-U", "-p", "-r", "-t", "-T", "-R"} | {
    "--user", "--group", "--host", "--prompt", "--role", "--type", "--chdir", "--chroot",
    "--close-from", "--other-user", "--command-timeout",
}  # fmt: skip


def wrapped_command(program: str, args: list[str]) -> list[str]:
    """The command a wrapper runs: `sudo -u app psql -c ...` -> `psql -c ...`.

    The one reading of wrappers: the safety check and the translator both use it, so what is
    judged is what runs.
    """
    values = {
        "sudo": _SUDO_VALUED,
        "xargs": {"-n", "-I", "-P", "-L", "-d", "-a", "-s", "-E"},
        "timeout": {"-s", "--signal", "-k", "--kill-after"},
        "env": {"-u", "--unset", "-C", "--chdir"},
        "nice": {"-n"},
        "ionice": {"-c", "-n"},
        "stdbuf": {"-i", "-o", "-e"},
    }.get(program, set())
    inner = options(args, values, True).args
    if program == "env":
        while inner and "=" in inner[0]:
            inner = inner[1:]  # NAME=value assignments before the command
    if program in ("timeout", "chroot"):
        inner = inner[1:]  # the duration, the new root
    return inner
