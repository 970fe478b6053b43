"""Placeholders a runbook author meant to fill in: `<pod-name>`, `[PASSWORD]`, `YOUR_API_KEY`,
`{collection_name}`, `{{ namespace }}`.

Every pattern is linear: a repeated group never overlaps what precedes or follows it, so a
failing match cannot backtrack into combinations (`[A_A_A_..._A](x)` once took minutes).
"""

from __future__ import annotations

import re

# Markdown allows inline HTML; these are markup, not blanks to fill.
_HTML_TAGS = frozenset(
    {
        "br",
        "hr",
        "b",
        "i",
        "u",
        "s",
        "em",
        "strong",
        "code",
        "pre",
        "kbd",
        "sub",
        "sup",
        "small",
        "details",
        "summary",
        "p",
        "div",
        "span",
        "img",
        "a",
        "ul",
        "ol",
        "li",
        "table",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "tt",
        "del",
        "ins",
        "mark",
    }
)
_ANGLE = re.compile(r"<([A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*)>")
_PATTERNS = (
    re.compile(r"\[[A-Z][A-Z0-9]*(?:[ _-][A-Z0-9]+)*\](?![(\[])"),  # [PASSWORD], [BACKUP_DIR]
    re.compile(r"\[[a-z]+(?:-[a-z]+)+\](?![(\[])"),  # [service-name]
    re.compile(r"\[[A-Z][a-z]+(?: [A-Z][a-z]+)*\](?![(\[:])"),  # [Your Name], [Phone]
    re.compile(r"(?<![$\w{])\{[a-z][a-z0-9]*(?:_[a-z0-9]+)*\}(?!\})"),  # {collection_name}
    re.compile(r"\{\{ ?[A-Za-z_][\w.]* ?\}\}"),  # {{ namespace }}
    re.compile(r"\bYOUR_[A-Z0-9_]+\b|\bX{3,}\b|\bCHANGE_?ME\b|\byour(?:company|domain)\b"),
)


# `[Grafana][prod-grafana]` and its definition `[prod-grafana]: https://...` are a link.
_REFERENCE = re.compile(r"\]\[[^\]\n]*\]|^\s{0,3}\[[^\]\n]+\]:\s")


def find_placeholders(text: str) -> list[str]:
    """The placeholders in a text, in order of appearance."""
    text = _REFERENCE.sub(lambda m: " " * len(m.group(0)), text)
    found: list[tuple[int, str]] = [
        (m.start(), m.group(0))
        for m in _ANGLE.finditer(text)
        if m.group(1).lower() not in _HTML_TAGS
    ]
    for pattern in _PATTERNS:
        found.extend((m.start(), m.group(0)) for m in pattern.finditer(text))
    return [text for _, text in sorted(set(found))]
