"""The stack under test: its definition, images, containers and Toxiproxy links.

The running parts (`Stack`, `Service`, `Link`) need Docker and testcontainers and are imported
on first use, so that what only reads a definition (lint, the network rule) stays cheap.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

# testcontainers' reaper (Ryuk) is an image that cannot be pulled offline; drillbook reaps
# its own labelled containers instead. Set before testcontainers reads its configuration.
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

from drillbook.stack.definition import load_stack_spec
from drillbook.stack.spec import LinkSpec, ServiceSpec, StackSpec

if TYPE_CHECKING:
    from drillbook.stack.docker.service import Service
    from drillbook.stack.docker.stack import Stack
    from drillbook.stack.toxiproxy import Link

_LAZY = {
    "Stack": "drillbook.stack.docker.stack",
    "Service": "drillbook.stack.docker.service",
    "Link": "drillbook.stack.toxiproxy",
}

__all__ = ["Link", "LinkSpec", "Service", "ServiceSpec", "Stack", "StackSpec", "load_stack_spec"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'drillbook.stack' has no attribute {name!r}")
