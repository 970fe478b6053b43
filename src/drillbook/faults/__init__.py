"""The fault library: every way the stack breaks, injectable and always reverted.

    from drillbook.faults import make_fault

    with make_fault(stack, "latency", link="api-redis", latency_ms=300) as fault:
        ...

`catalogue()` lists every fault type with its parameters (`drillbook faults list --json`).
"""

from __future__ import annotations

# Each module registers its fault types on import.
from drillbook.faults import container, data, kernel, kube, provider, resources, toxic, traffic
from drillbook.faults.base import (
    Fault,
    FaultParamError,
    Params,
    catalogue,
    fault_from_mapping,
    fault_type,
    fault_types,
    make_fault,
    parse,
    validate,
)
from drillbook.faults.leftovers import find_leftovers

__all__ = [
    "Fault",
    "FaultParamError",
    "Params",
    "catalogue",
    "container",
    "data",
    "fault_from_mapping",
    "fault_type",
    "fault_types",
    "find_leftovers",
    "kernel",
    "kube",
    "make_fault",
    "parse",
    "provider",
    "resources",
    "toxic",
    "traffic",
    "validate",
]
