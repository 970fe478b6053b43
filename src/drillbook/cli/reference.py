"""The command-line reference (`docs/cli.md`), generated from the parser itself.

    python -m drillbook.cli.reference > docs/cli.md

A test compares the file with this output, so the reference cannot drift from `--help`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator

from drillbook.cli import parser

WIDTH = "100"  # argparse wraps to $COLUMNS: fixed, so the file is the same on every terminal

HEADER = """# Command-line reference

Generated from `drillbook --help` by `python -m drillbook.cli.reference > docs/cli.md`; do not
edit by hand. Every command finds the project (the folder holding `fixtures/stack.yaml` or a
`pyproject.toml`) from any folder inside it, and takes `--help`.
"""


def markdown() -> str:
    """Every command's `--help`, sub-commands included, as one Markdown page."""
    before = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        sections = [HEADER]
        for name, command in _commands(parser(), "drillbook"):
            sections.append(f"## `{name}`\n\n```text\n{command.format_help().rstrip()}\n```\n")
        return "\n".join(sections)
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before


def _commands(
    command: argparse.ArgumentParser, name: str
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield name, command
    for action in command._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _commands(sub, f"{name} {sub_name}")


if __name__ == "__main__":
    print(markdown(), end="")
