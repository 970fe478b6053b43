"""A repository of runbooks: its Markdown files, each read on its own.

A file that cannot be read, or on which drillbook itself fails, is one finding; the other
files are still read.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from drillbook.errors import SourceError
from drillbook.runbooks.findings import CRASH, ERROR, Finding
from drillbook.runbooks.model import RunbookDocument
from drillbook.runbooks.parser import parse_file


def markdown_files(paths: Iterable[Path]) -> list[Path]:
    """The Markdown files named, or found below the folders named, in a stable order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.md") if p.is_file()))
        else:
            files.append(path)
    return files


def read_documents(files: Iterable[Path]) -> tuple[list[RunbookDocument], list[Finding]]:
    """Parse every file; one that cannot be read is one finding, and the others are read."""
    docs: list[RunbookDocument] = []
    unreadable: list[Finding] = []
    for path in files:
        try:
            docs.append(parse_file(path))
        except SourceError as exc:
            hint = "name a Markdown file that can be read, or leave it out"
            message = exc.message.removeprefix(f"{exc.path}: ")
            unreadable.append(Finding(str(path), 0, "unreadable", ERROR, message, hint))
        except Exception as exc:
            unreadable.append(crash_finding(path, exc))
    return docs, unreadable


def crash_finding(path: Path, exc: Exception) -> Finding:
    """drillbook itself failed on a file: a finding of its own, so the other files still count."""
    return Finding(
        str(path),
        0,
        CRASH,
        ERROR,
        f"drillbook failed on this file ({type(exc).__name__}: {exc})",
        "a bug in drillbook: please report it with the file; the other files were checked",
    )
