"""YAML loading that remembers where each mapping came from, for file:line errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from drillbook.errors import SourceError


class Mapping(dict[str, Any]):
    """A YAML mapping that knows its own line and the line of each of its keys (1-based)."""

    def __init__(
        self,
        data: Any = (),
        line: int = 0,
        key_lines: dict[str, int] | None = None,
    ) -> None:
        super().__init__(data)
        self.line = line
        self.key_lines: dict[str, int] = dict(key_lines or {})

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


# Bounds on what a YAML file may ask of the reader. Real files nest a few levels and use an
# anchor a handful of times; hostile ones nest hundreds of levels (recursion in the composer)
# or nest aliases (`b: [*a, *a, ...]`, 437 bytes that expand to gigabytes when walked).
MAX_DEPTH = 64
MAX_EXPANDED = 1_000_000  # values, counting each alias as what it stands for


class _Loader(yaml.SafeLoader):
    aliases = True
    depth = 0
    aliased = False  # whether the document used an alias (only then can it expand)

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            if not self.aliases:
                raise _refused("aliases (*name) are not accepted here", event)
            self.aliased = True
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise _refused(f"nested deeper than {MAX_DEPTH} levels", event)
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def compose_document(self) -> yaml.Node | None:
        node: yaml.Node | None = super().compose_document()
        if node is not None and self.aliased and _expanded(node, {}) > MAX_EXPANDED:
            raise _refused(f"its aliases expand to more than {MAX_EXPANDED:,} values", node)
        return node


def _refused(problem: str, where: Any) -> yaml.composer.ComposerError:
    return yaml.composer.ComposerError(None, None, problem, where.start_mark)


class _NoAliasLoader(_Loader):
    aliases = False


def _expanded(node: yaml.Node, seen: dict[int, int]) -> int:
    """How many values `node` stands for once every alias is replaced by its anchor's value
    (linear in the document: each shared node is counted once, then looked up)."""
    if id(node) in seen:
        return seen[id(node)]
    seen[id(node)] = 1  # a node that refers to itself counts once
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(_expanded(child, seen) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        total += sum(_expanded(k, seen) + _expanded(v, seen) for k, v in node.value)
    seen[id(node)] = total
    return total


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    result = Mapping(line=node.start_mark.line + 1)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_untagged(loader: _Loader, node: yaml.Node) -> Any:
    """Compose's merge tags (`!reset`, `!override`) read as the value they carry: drillbook
    reads a Compose file for its lines and its `x-drillbook` block, Compose does the merge."""
    if isinstance(node, yaml.MappingNode):
        return _construct_mapping(loader, node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
for _tag in ("!reset", "!override"):
    _Loader.add_constructor(_tag, _construct_untagged)


def load_yaml(path: str | Path) -> Any:
    """Parse a YAML file; syntax errors become SourceError with the file and line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(str(path), None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise SourceError(str(path), None, f"not UTF-8 text ({exc.reason})") from None
    return loads_yaml(text, str(path))


def loads_yaml(text: str, path: str = "<string>", *, aliases: bool = True) -> Any:
    """Parse YAML text; `aliases=False` refuses `*name` (a runbook's front matter has no use
    for them)."""
    loader = _Loader if aliases else _NoAliasLoader
    return _located(lambda: yaml.load(text, Loader=loader), path)


def loads_yaml_all(text: str, path: str = "<string>") -> list[Any]:
    """Every `---`-separated document of `text` (Kubernetes manifests), located as above."""
    docs: list[Any] = _located(lambda: list(yaml.load_all(text, Loader=_Loader)), path)
    return docs


def _located(parse: Callable[[], Any], path: str) -> Any:
    """`parse()`, its syntax errors as SourceError at the file and line."""
    try:
        return parse()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise SourceError(path, line, f"invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise SourceError(path, None, f"invalid YAML: {exc}") from None
    except RecursionError:
        raise SourceError(path, None, "invalid YAML: nested too deeply") from None


class SourceReader:
    """Base of the readers of drillbook's YAML files: every error at its file and line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, line: int, message: str, hint: str | None = None) -> SourceError:
        return SourceError(str(self.path), line, message, hint)

    def mapping(self, value: Any, line: int, what: str, *, optional: bool = False) -> Mapping:
        """`value` as a Mapping; with `optional`, a missing value reads as an empty one."""
        if value is None and optional:
            return Mapping(line=line)
        if not isinstance(value, Mapping):
            raise self.fail(line, f"{what} must be a mapping, got {type(value).__name__}")
        return value

    def check_keys(self, m: Mapping, allowed: set[str], what: str) -> None:
        for key in m:
            if key not in allowed:
                raise self.fail(
                    m.line_of(key),
                    f"unknown key {key!r} in {what}",
                    f"allowed keys: {', '.join(sorted(allowed))}",
                )

    def require(self, m: Mapping, key: str, what: str) -> Any:
        if key not in m:
            raise self.fail(m.line, f"{what} needs {key!r}")
        return m[key]
