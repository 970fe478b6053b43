"""The request log: every request the load made and every write the service acknowledged.

The locustfile appends one JSON line per event to `$DRILLBOOK_REQUEST_LOG`:
`{"kind": "request", start, end, method, name, status, ok, ms}` (monotonic clock, shared with
the probes) and `{"kind": "ack", t, id, title}`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    """One request the load made, on the monotonic clock."""

    start: float
    end: float
    method: str
    name: str
    status: int
    ok: bool
    ms: float


@dataclass(frozen=True)
class Ack:
    """A write the service acknowledged; it must never be lost."""

    t: float
    id: int
    title: str
