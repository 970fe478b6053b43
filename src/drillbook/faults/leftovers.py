"""Find any fault left in a running stack: the "no fault left behind" check of a drill.

Every fault leaves a recognisable trace while it is in: a service not running, a disabled
proxy or a toxic, an iptables rule, a process or file named with the fault marker, a
provider simulator not in normal service, a table set aside. `find_leftovers` lists them.

Faults of a killed run need no cleaning here: all their state lives in that run's
containers (the Toxiproxy of the run, the namespaces, cgroups, tmpfs and processes of its
containers), which the next session start removes with the containers (stack.reaper).
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

import httpx

from drillbook.errors import DrillbookError
from drillbook.faults.access import MARKER, exec_root, find_marked, require_managed
from drillbook.faults.data import SAVED_PREFIX
from drillbook.faults.kernel import find_rules
from drillbook.faults.provider import NORMAL

if TYPE_CHECKING:
    from docker.models.containers import Container

    from drillbook.stack import Service, Stack

# Saved tables in every database of a PostgreSQL service (local superuser over the socket).
_SAVED_TABLES = (
    "command -v psql >/dev/null || exit 0; "
    'for db in $(psql -U postgres -d postgres -Atc "SELECT datname FROM pg_database '
    'WHERE NOT datistemplate"); do psql -U postgres -d "$db" -Atc "SELECT tablename FROM '
    f'pg_tables WHERE tablename LIKE \'{SAVED_PREFIX}%\'" | sed "s|^|$db.|"; done'
)


def _files(container: Container) -> list[str]:
    paths = list((container.attrs["HostConfig"].get("Tmpfs") or {}).keys())
    if not paths:
        return []
    script = 'for p; do ls -a "$p" 2>/dev/null | grep -F "$m" | sed "s|^|$p/|"; done'
    _, out = exec_root(container, ["sh", "-c", f"m=.{MARKER}; {script}", "files", *paths])
    return out.split()


def _provider_state(service: Service) -> dict[str, object] | None:
    if service.spec.ready.http is None:
        return None
    try:
        response = httpx.get(f"{service.url}/control", timeout=2.0)
        state = response.json() if response.status_code == 200 else None
    except (httpx.HTTPError, ValueError):
        return None  # no simulator here (Prometheus, say, answers its web UI for any path)
    # Only the provider simulator answers with its fault settings.
    return state if isinstance(state, dict) and NORMAL.keys() & state.keys() else None


def _service_leftovers(service: Service, kernel: bool) -> list[str]:
    container = require_managed(service.docker)
    name = service.name
    if container.status != "running":
        return [f"service {name} is {container.status}"]
    found = [f"{name}: process group {g} of a fault" for g in find_marked(container)]
    found += [f"{name}: filler file {f}" for f in _files(container)]
    if kernel:
        found += [f"{name}: iptables rule {' '.join(r)}" for r in find_rules(container, MARKER)]
    state = _provider_state(service)
    if state is not None and any(state.get(k) != v for k, v in NORMAL.items()):
        found.append(f"{name}: provider control {state}")
    _, out = exec_root(container, ["sh", "-c", _SAVED_TABLES])
    found += [f"{name}: table set aside {t}" for t in out.split() if SAVED_PREFIX in t]
    return found


def find_leftovers(stack: Stack) -> list[str]:
    """Every trace of a fault in the stack, one line each; empty when the stack is clean."""
    kernel = os.geteuid() == 0 and shutil.which("nsenter") is not None
    found: list[str] = []
    services = [*stack.services.values(), *(r for rs in stack.replicas.values() for r in rs)]
    for service in services:
        try:
            found += _service_leftovers(service, kernel)
        except DrillbookError as exc:
            found.append(f"{service.name}: cannot inspect: {exc.message}")
    for name, link in sorted(stack.links.items()):
        if not link.enabled():
            found.append(f"link {name} is down")
        found += [f"link {name}: toxic {t.name} ({t.type})" for t in link.toxics()]
    return found
