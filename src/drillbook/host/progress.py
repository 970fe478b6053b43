"""Progress lines of the stack's set-up (engine, images, containers), for people to read."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str], None]


def quiet(_: str) -> None:
    """Progress that says nothing."""
