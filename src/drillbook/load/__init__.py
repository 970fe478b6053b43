"""Load: real Locust users against the service, every request and acknowledged write logged.

    with LoadRun("load_tests/locustfile.py", api.url, LoadProfile(users=10)) as load:
        ...
        load.requests(), load.acks()

`missing_writes(stack, ids)` asks the stack's system of record which acknowledged writes it
lost.
"""

from __future__ import annotations

from drillbook.load.locust import LoadProfile, LoadRun
from drillbook.load.requests import Ack, Request
from drillbook.load.writes import missing_writes

__all__ = ["Ack", "LoadProfile", "LoadRun", "Request", "missing_writes"]
