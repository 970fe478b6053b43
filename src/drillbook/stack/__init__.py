"""The stack under test: its definition, images, containers and Toxiproxy links."""

from __future__ import annotations

import os

# testcontainers' reaper (Ryuk) is an image that cannot be pulled offline; drillbook reaps
# its own labelled containers instead. Set before testcontainers reads its configuration.
os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

from drillbook.stack.definition import load_stack_spec
from drillbook.stack.service import Service
from drillbook.stack.spec import LinkSpec, ServiceSpec, StackSpec
from drillbook.stack.stack import Stack
from drillbook.stack.toxiproxy import Link

__all__ = ["Link", "LinkSpec", "Service", "ServiceSpec", "Stack", "StackSpec", "load_stack_spec"]
