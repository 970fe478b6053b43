"""Which SQL statements destroy data: DROP, TRUNCATE, and DELETE or UPDATE of every row.

A DELETE or UPDATE with a WHERE clause names the rows it touches and is allowed (a runbook
may clear a stuck job by id), unless the condition is always true (`WHERE 1=1`, `WHERE true`).
Statements are split at `;` outside quotes; quoted text is blanked before looking at the words,
so `SELECT 'drop table x'` is harmless.
"""

from __future__ import annotations

import re

_STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
_DROP = re.compile(
    r"\bdrop\s+(database|table|schema|owned|role|user|collection|extension|view|index)\b"
)
_TRUNCATE = re.compile(r"^truncate\b|\btruncate\s+table\b")
_ALTER_DROP = re.compile(r"^alter\s+table\b[^;]*\bdrop\s+(column|constraint)\b")
_DELETE = re.compile(r"^delete\s+from\b")
_UPDATE = re.compile(r"^update\s+\S+\s+set\b")
_WHERE = re.compile(r"\bwhere\b")
_ALWAYS_TRUE = re.compile(r"\bwhere\s+(?:true|1\s*=\s*1|'?(\w+)'?\s*=\s*'?\1'?)\s*$")
_MONGO = re.compile(
    r"\.dropDatabase\(|\.drop\(\s*\)|\.(?:deleteMany|remove)\(\s*\{\s*\}\s*\)|"
    r"\b(?:delete|drop)_collection\("
)


def sql_reason(text: str) -> str | None:
    """Why running `text` as SQL (or a Mongo shell / client script) destroys data, or None."""
    if _MONGO.search(text):
        return "drops or empties a collection"
    for statement in _STRING.sub("''", text).lower().split(";"):
        reason = _statement_reason(" ".join(statement.split()))
        if reason:
            return reason
    return None


def _statement_reason(statement: str) -> str | None:
    drop = _DROP.search(statement)
    if drop:
        return f"DROP {drop.group(1).upper()} destroys data"
    if _TRUNCATE.search(statement):
        return "TRUNCATE empties a table"
    if _ALTER_DROP.search(statement):
        return "ALTER TABLE ... DROP removes data"
    for verb, pattern in (("DELETE", _DELETE), ("UPDATE", _UPDATE)):
        if pattern.search(statement):
            if not _WHERE.search(statement):
                return f"{verb} without WHERE changes every row"
            if _ALWAYS_TRUE.search(statement):
                return f"{verb} with an always-true WHERE changes every row"
    return None
