"""The front matter of drillbook's own runbooks: what a machine needs, written at the top.

    ---
    id: redis-down
    alert: RedisDown
    severity: critical
    mttr: 5m
    services: [redis]
    names: {obsidian-redis-prod: redis}
    ---

A front matter without any of drillbook's keys (a static-site generator's `title`, `weight`)
is not drillbook's: the file is then read by inference, as if it had none.
"""

from __future__ import annotations

import difflib
from dataclasses import replace
from pathlib import Path
from typing import Any

from drillbook.errors import SourceError
from drillbook.runbooks.durations import parse_duration
from drillbook.runbooks.model import Note, Runbook
from drillbook.yamlsource import Mapping, loads_yaml

FRONT_MATTER_KEYS = {"id", "alert", "severity", "mttr", "services", "names", "title"}
MACHINE_KEYS = FRONT_MATTER_KEYS - {"title"}  # a front matter with one of these is drillbook's


def read_front_matter(
    lines: list[str], path: Path, notes: list[Note]
) -> tuple[Mapping | None, int]:
    """drillbook's front matter, if the file has one, and the line its body starts on.

    What cannot be read in it is added to `notes`; a broken front matter still marks the file
    as one runbook (an empty mapping).
    """
    if not lines or lines[0].strip() != "---":
        return None, 1
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            break
    else:
        notes.append(Note(1, "front matter never closed", "end it with a line '---'"))
        return None, 1
    try:
        data: Any = loads_yaml("\n".join(lines[1:index]), str(path), aliases=False)
    except SourceError as exc:
        line = (exc.line or 0) + 1
        notes.append(Note(line, f"front matter: {exc.message.split(': ', 1)[-1]}"))
        return _empty_mapping(), index + 2
    if not isinstance(data, Mapping):
        notes.append(Note(1, "front matter must be a YAML mapping", "key: value lines"))
        return _empty_mapping(), index + 2
    if not set(data) & MACHINE_KEYS:
        return None, index + 2
    for key in data:
        if key not in FRONT_MATTER_KEYS:
            near = difflib.get_close_matches(str(key), sorted(FRONT_MATTER_KEYS), 1)
            hint = f"did you mean {near[0]!r}?" if near else "drillbook ignores it"
            notes.append(Note(data.line_of(key) + 1, f"unknown front matter key {key!r}", hint))
    return data, index + 2


def apply_front_matter(runbook: Runbook, front: Mapping, notes: list[Note]) -> Runbook:
    """The runbook read from the text, with what its front matter says laid over it."""
    offset = 1  # the front matter's YAML starts on the file's second line

    def line(key: str) -> int:
        return front.line_of(key) + offset

    mttr = runbook.mttr_s
    if "mttr" in front:
        value = front["mttr"]
        mttr = float(value) if isinstance(value, int | float) else parse_duration(str(value))
        if mttr is None:
            notes.append(Note(line("mttr"), f"cannot read mttr {value!r}", "e.g. 5m"))
    services = front.get("services") or []
    if isinstance(services, str):
        services = [services]
    names = front.get("names") or {}
    if not isinstance(names, dict) or not isinstance(services, list):
        notes.append(Note(line("names"), "names must map names to services"))
        names = {} if not isinstance(names, dict) else names
        services = services if isinstance(services, list) else []
    return replace(
        runbook,
        id=str(front.get("id") or runbook.id),
        title=str(front.get("title") or runbook.title),
        alert=str(front["alert"]) if front.get("alert") else runbook.alert,
        alert_line=line("alert") if "alert" in front else runbook.alert_line,
        severity=str(front["severity"]).lower() if front.get("severity") else None,
        mttr_s=mttr,
        mttr_line=line("mttr") if "mttr" in front else runbook.mttr_line,
        mttr_from="front matter" if "mttr" in front else runbook.mttr_from,
        services=tuple(str(s) for s in services),
        services_line=line("services") if "services" in front else 0,
        names={str(k): str(v) for k, v in names.items()},
        from_front_matter=True,
    )


def _empty_mapping() -> Mapping:
    # A broken front matter still marks the file as one runbook; its fields stay unset.
    empty = Mapping()
    empty.key_lines = {}
    return empty
