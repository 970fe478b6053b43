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


class _Loader(yaml.SafeLoader):
    pass


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


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


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


def loads_yaml(text: str, path: str = "<string>") -> Any:
    return _located(lambda: yaml.load(text, Loader=_Loader), path)


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
