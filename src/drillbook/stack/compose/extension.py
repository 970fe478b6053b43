"""The `x-drillbook:` block: what drillbook needs to know that a Compose file does not say.

Compose ignores top-level `x-` keys, so the block can sit in the user's own file, or, to leave
that file untouched, in a second file passed after it (`--stack compose.yml,drillbook.yml`)
that holds nothing else:

    x-drillbook:
      name: shop                      # the stack's name (default: the Compose project's)
      links:                          # a Toxiproxy proxy in front of each dependency
        - {from: api, to: redis}      # api's settings naming redis:6379 are pointed at it
        - {from: api, to: postgres, port: 5432}   # port: where the file does not say it
      writes:                         # which acknowledged writes the system of record holds
        service: postgres
        command: [psql, -U, app, -tAc, "SELECT id FROM documents WHERE id IN ({ids})"]
      stand-ins:                      # services run from drillbook's reference images
        api: api                      # (fixtures/images/<image>), built by `drillbook images`

When several files carry a block, the last one is used, whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drillbook.errors import SourceError
from drillbook.stack.spec import WritesCheck
from drillbook.yamlsource import Mapping, SourceReader, load_yaml

KEY = "x-drillbook"


@dataclass(frozen=True)
class LinkRequest:
    """`from` reaches `to` through Toxiproxy; `port` is `to`'s port where Compose is silent."""

    source: str
    target: str
    port: int | None = None
    line: int = 0


@dataclass(frozen=True)
class Extension:
    """The `x-drillbook` block of a Compose project (empty when there is none)."""

    path: Path | None = None
    line: int = 0
    name: str | None = None
    links: tuple[LinkRequest, ...] = ()
    writes: WritesCheck | None = None
    writes_line: int = 0
    stand_ins: dict[str, str] = field(default_factory=dict)
    stand_in_lines: dict[str, int] = field(default_factory=dict)

    def fail(self, line: int, message: str, hint: str | None = None) -> SourceError:
        return SourceError(str(self.path or "x-drillbook"), line or self.line, message, hint)


class _Reader(SourceReader):
    def extension(self, root: Mapping) -> Extension:
        block = self.mapping(root[KEY], root.line_of(KEY), KEY, optional=True)
        self.check_keys(block, {"name", "links", "writes", "stand-ins"}, KEY)
        links = block.get("links") or []
        if not isinstance(links, list):
            raise self.fail(block.line_of("links"), f"{KEY}.links must be a list")
        stand_ins = self.mapping(
            block.get("stand-ins"), block.line_of("stand-ins"), f"{KEY}.stand-ins", optional=True
        )
        return Extension(
            path=self.path,
            line=root.line_of(KEY),
            name=str(block["name"]) if "name" in block else None,
            links=tuple(self.link(x, block.line_of("links")) for x in links),
            writes=self.writes(block) if "writes" in block else None,
            writes_line=block.line_of("writes"),
            stand_ins={str(k): str(v) for k, v in stand_ins.items()},
            stand_in_lines={str(k): stand_ins.line_of(k) for k in stand_ins},
        )

    def link(self, value: Any, line: int) -> LinkRequest:
        m = self.mapping(value, line, f"a link of {KEY}")
        self.check_keys(m, {"from", "to", "port"}, "a link")
        port = m.get("port")
        if port is not None and (
            not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535
        ):
            raise self.fail(m.line_of("port"), f"link port must be a port number, got {port!r}")
        source, target = (str(self.require(m, k, "a link")) for k in ("from", "to"))
        return LinkRequest(source, target, port, m.line)

    def writes(self, block: Mapping) -> WritesCheck:
        m = self.mapping(block["writes"], block.line_of("writes"), f"{KEY}.writes")
        self.check_keys(m, {"service", "command"}, f"{KEY}.writes")
        command = self.require(m, "command", f"{KEY}.writes")
        if not isinstance(command, list) or not any("{ids}" in str(c) for c in command):
            raise self.fail(
                m.line_of("command"),
                f"{KEY}.writes.command must be a list of arguments containing {{ids}}",
            )
        return WritesCheck(
            str(self.require(m, "service", f"{KEY}.writes")), tuple(str(c) for c in command)
        )


def read_extension(files: tuple[Path, ...]) -> Extension:
    """The `x-drillbook` block of the last of `files` that has one, with its lines."""
    found = Extension()
    for path in files:
        root = load_yaml(path)
        if isinstance(root, Mapping) and KEY in root:
            found = _Reader(path).extension(root)
    return found


def service_lines(files: tuple[Path, ...]) -> dict[str, tuple[Path, int]]:
    """Where each service is first defined, for errors at file:line."""
    lines: dict[str, tuple[Path, int]] = {}
    for path in files:
        root = load_yaml(path)
        services = root.get("services") if isinstance(root, Mapping) else None
        if isinstance(services, Mapping):
            for name in services:
                lines.setdefault(str(name), (path, services.line_of(name)))
    return lines
