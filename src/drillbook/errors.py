"""Errors that tell the user what is wrong and how to fix it."""

from __future__ import annotations


class DrillbookError(Exception):
    """A failure the user can act on: a message, and a hint of what to do about it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  hint: {self.hint}"


class SourceError(DrillbookError):
    """Bad input in a file we read (stack, scenario, runbook), located by file and line."""

    def __init__(self, path: str, line: int | None, message: str, hint: str | None = None) -> None:
        self.path = path
        self.line = line
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}", hint)
