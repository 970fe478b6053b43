"""Label files: what a person read in a public runbook collection (see README.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROLES = ("diagnose", "fix", "verify")
SPLITS = ("dev", "heldback")


class LabelError(Exception):
    """A label file that does not follow the format."""


@dataclass(frozen=True)
class Incident:
    line: int
    title: str
    alert: str | None = None
    priority: str | None = None
    respond_s: float | None = None
    restore_s: float | None = None
    steps: dict[int, str] = field(default_factory=dict)  # line -> role


@dataclass(frozen=True)
class LabelledFile:
    path: str
    incidents: tuple[Incident, ...]


@dataclass(frozen=True)
class LabelSet:
    collection: str
    repo: str
    commit: str
    split: str
    style: str
    files: tuple[LabelledFile, ...]
    source: Path


def _number(value: Any, where: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LabelError(f"{where}: expected seconds or null, got {value!r}")
    return float(value)


def _incident(raw: Any, where: str) -> Incident:
    if not isinstance(raw, dict) or not isinstance(raw.get("line"), int):
        raise LabelError(f"{where}: an incident needs at least `line` (an integer)")
    steps: dict[int, str] = {}
    for role, lines in (raw.get("steps") or {}).items():
        if role not in ROLES:
            raise LabelError(f"{where}: step role {role!r} is not one of {', '.join(ROLES)}")
        for line in lines or []:
            if not isinstance(line, int):
                raise LabelError(f"{where}: step lines are integers, got {line!r}")
            steps[line] = role
    return Incident(
        line=raw["line"],
        title=str(raw.get("title") or ""),
        alert=None if raw.get("alert") is None else str(raw["alert"]),
        priority=None if raw.get("priority") is None else str(raw["priority"]),
        respond_s=_number(raw.get("respond_s"), where),
        restore_s=_number(raw.get("restore_s"), where),
        steps=steps,
    )


def load(path: Path) -> LabelSet:
    """A label file, checked for form (not against the collection: see label.py check)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise LabelError(f"{path}: not a mapping")
    for key in ("collection", "repo", "commit", "split", "files"):
        if key not in raw:
            raise LabelError(f"{path}: missing `{key}`")
    if raw["split"] not in SPLITS:
        raise LabelError(f"{path}: split must be one of {', '.join(SPLITS)}")
    files = []
    for name, entry in (raw["files"] or {}).items():
        incidents = (entry or {}).get("incidents") or []
        where = f"{path}: {name}"
        files.append(LabelledFile(str(name), tuple(_incident(i, where) for i in incidents)))
    return LabelSet(
        collection=str(raw["collection"]),
        repo=str(raw["repo"]),
        commit=str(raw["commit"]),
        split=str(raw["split"]),
        style=str(raw.get("style") or ""),
        files=tuple(files),
        source=path,
    )


def load_all(directory: Path) -> list[LabelSet]:
    return [load(p) for p in sorted(directory.glob("*.yaml"))]
