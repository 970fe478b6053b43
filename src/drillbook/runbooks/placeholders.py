"""Placeholders a runbook author meant to fill in: `<pod-name>`, `[PASSWORD]`, `YOUR_API_KEY`."""

from __future__ import annotations

import re

_PATTERNS = (
    re.compile(r"<[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+>|<(?:name|id|pod|host|password|token)>", re.I),
    re.compile(r"\[[A-Z][A-Z0-9_]*(?:[ _-][A-Z0-9_]+)*\](?!\()"),  # [PASSWORD], [BACKUP_DIR]
    re.compile(r"\[[a-z]+(?:-[a-z]+)+\](?!\()"),  # [service-name]
    re.compile(r"\[[A-Z][a-z]+(?: [A-Z][a-z]+)*\](?![(\[])"),  # [Your Name], [Phone]
    re.compile(r"\bYOUR_[A-Z0-9_]+\b|\bX{3,}\b|\bCHANGE_?ME\b|\byour(?:company|domain)\b"),
)


def find_placeholders(text: str) -> list[str]:
    """The placeholders in a text, in order of appearance."""
    found: list[tuple[int, str]] = []
    for pattern in _PATTERNS:
        found.extend((m.start(), m.group(0)) for m in pattern.finditer(text))
    return [text for _, text in sorted(set(found))]
