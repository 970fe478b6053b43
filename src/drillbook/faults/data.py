"""Data faults: the cache is emptied, a table disappears.

`table-drop` is the backup/restore incident. To the application the table is gone; in fact it
is renamed aside, so revert can bring it back without loss. If the remediation restored the
table from a backup meanwhile, revert keeps the restored table and discards the copy aside.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drillbook.errors import DrillbookError
from drillbook.faults.access import (
    MARKER,
    container_of,
    exec_root,
    reachable,
    restore_running,
    start_marked,
)
from drillbook.faults.base import Fault, ServiceParams, param, register

if TYPE_CHECKING:
    from docker.models.containers import Container

    from drillbook.stack import Stack

_IDENT = r"^[a-z_][a-z0-9_]{0,40}$"
SAVED_PREFIX = "drillbook_saved_"  # tables set aside by table-drop


def _not_identifiers(params: ServiceParams, *names: str) -> str | None:
    """Why a parameter is refused, if one of these is not a plain identifier; else None."""
    # They are pasted into SQL and shell commands: nothing beyond [a-z0-9_] may get through.
    for name in names:
        if not re.match(_IDENT, getattr(params, name)):
            return f"{name}: must be a plain lower-case SQL identifier"
    return None


def _psql(container: Container, user: str, database: str, statement: str) -> str:
    """Run one statement with psql over the container's local socket; its output."""
    code, out = exec_root(
        container,
        ["psql", "-U", user, "-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", statement],
    )
    if code != 0:
        raise DrillbookError(f"psql in {container.name} failed: {out.strip()}")
    return out.strip()


@dataclass(frozen=True, kw_only=True)
class CacheParams(ServiceParams):
    service: str = param("the Redis service", default="redis", refers_to="service")
    db: int = param("the Redis database number", default=0, minimum=0, maximum=15)


@dataclass(frozen=True, kw_only=True)
class TableParams(ServiceParams):
    service: str = param("the PostgreSQL service", default="postgres", refers_to="service")
    database: str = param("the database", default="drillbook")
    user: str = param("the role psql connects as (local socket)", default="drillbook")
    table: str = param("the table to drop", default="documents")

    def check(self) -> str | None:
        return _not_identifiers(self, "database", "user", "table")


@register
class CacheFlush(Fault[CacheParams]):
    kind = "cache-flush"
    category = "data"
    summary = "Empty a Redis database (FLUSHDB): every cached entry is gone, the cache refills"
    params_type = CacheParams

    def _inject(self) -> None:
        container = container_of(self.stack, self.params.service)
        code, out = exec_root(container, ["redis-cli", "-n", str(self.params.db), "FLUSHDB"])
        if code != 0 or "OK" not in out:
            raise DrillbookError(f"FLUSHDB in {container.name} failed: {out.strip()}")

    def _revert(self) -> None:
        # Nothing to put back: a cache refills from the source of truth. The service itself
        # must be serving again, though.
        restore_running(self.stack, self.params.service)

    def describe(self) -> str:
        return f"flush Redis db {self.params.db} of {self.params.service}"


@register
class TableDrop(Fault[TableParams]):
    kind = "table-drop"
    category = "data"
    summary = (
        "A PostgreSQL table disappears (the backup/restore incident); revert brings it back "
        "unless a restore already did"
    )
    params_type = TableParams

    def __init__(self, stack: Stack, params: TableParams) -> None:
        super().__init__(stack, params)
        self._aside: list[tuple[str, str, str]] = []  # (kind, name, name while set aside)

    @property
    def saved(self) -> str:
        return f"{SAVED_PREFIX}{self.params.table}_{self.id.replace('-', '_')}"[:63]

    def sql(self, container: Container, statement: str) -> str:
        return _psql(container, self.params.user, self.params.database, statement)

    def exists(self, container: Container, table: str) -> bool:
        return self.sql(container, f"SELECT to_regclass('public.{table}') IS NOT NULL") == "t"

    def owned_sequences(self, container: Container, table: str) -> list[str]:
        """The sequences a table's columns own (its serial ids): a real DROP takes them too."""
        out = self.sql(
            container,
            "SELECT s.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
            "JOIN pg_class t ON d.refobjid = t.oid "
            f"WHERE s.relkind = 'S' AND d.deptype = 'a' AND t.relname = '{table}'",
        )
        return out.split()

    def indexes(self, container: Container, table: str) -> list[str]:
        query = f"SELECT indexname FROM pg_indexes WHERE tablename = '{table}'"
        return self.sql(container, query).split()

    def _inject(self) -> None:
        container = container_of(self.stack, self.params.service)
        if not self.exists(container, self.params.table):
            raise DrillbookError(
                f"no table {self.params.table!r} in {self.params.service}/{self.params.database}"
            )
        # Its sequences and indexes go aside with it, so that a restore can create them afresh.
        related = [("SEQUENCE", n) for n in self.owned_sequences(container, self.params.table)]
        related += [("INDEX", n) for n in self.indexes(container, self.params.table)]
        self._aside = [
            (kind, name, f"{self.saved}_{i}"[:63]) for i, (kind, name) in enumerate(related)
        ]
        statements = [f"ALTER TABLE {self.params.table} RENAME TO {self.saved}"]
        statements += [
            f"ALTER {kind} {name} RENAME TO {aside}" for kind, name, aside in self._aside
        ]
        self.sql(container, "BEGIN; " + "; ".join(statements) + "; COMMIT")

    def _revert(self) -> None:
        # The table aside outlives a stopped server (it is on disk): start it to put it back.
        container = reachable(self.stack, self.params.service) or restore_running(
            self.stack, self.params.service
        )
        if not self.exists(container, self.saved):
            return
        if self.exists(container, self.params.table):
            self.sql(container, f"DROP TABLE {self.saved}")  # a restore brought it back already
            return
        statements = [f"ALTER TABLE {self.saved} RENAME TO {self.params.table}"]
        statements += [
            f"ALTER {kind} {aside} RENAME TO {name}" for kind, name, aside in self._aside
        ]
        self.sql(container, "BEGIN; " + "; ".join(statements) + "; COMMIT")

    def describe(self) -> str:
        return f"drop table {self.params.table} in {self.params.service}/{self.params.database}"


# The hog's sessions feed psql from a sleep of this odd length, which is how revert finds
# them: by exact command line, one process at a time. Never by process group or a loose
# match: PostgreSQL rewrites its backends' command lines, and one killed backend sends the
# whole server into recovery.
_HOG_SLEEP = "86399"
_KILL_HOG = (
    'for d in /proc/[0-9]*; do read -r c < "$d/comm" 2>/dev/null || continue; '
    '[ "$c" = sleep ] || continue; [ "$(tr "\\0" " " < "$d/cmdline")" = "sleep $1 " ] '
    '&& kill -9 "${d#/proc/}"; done; true'
)


@dataclass(frozen=True, kw_only=True)
class ConnectionParams(ServiceParams):
    service: str = param("the PostgreSQL service", default="postgres", refers_to="service")
    database: str = param("the database", default="drillbook")
    user: str = param("the application's role, whose connections run out", default="drillbook")
    connections: int = param(
        "idle connections the leaking client holds (the role's limit becomes this)",
        default=20,
        minimum=1,
        maximum=90,
    )

    def check(self) -> str | None:
        return _not_identifiers(self, "database", "user")


@register
class ConnectionExhaustion(Fault[ConnectionParams]):
    """A leaking client holds every connection the application's role may open.

    The hog's idle sessions are opened first; then the role's connection limit is set to
    their number and the application's own sessions are ended, so it cannot get one back.
    Ending the idle sessions (the usual runbook step) frees the role again.
    """

    kind = "connection-exhaustion"
    category = "data"
    summary = (
        "A leaking client holds all the connections the application's PostgreSQL role may "
        "open; the application's own are ended and cannot come back"
    )
    params_type = ConnectionParams

    @property
    def app_name(self) -> str:
        return f"{MARKER}{self.id}"[:63]

    def admin(self, container: Container, statement: str) -> str:
        return _psql(container, "postgres", self.params.database, statement)

    def hogs(self, container: Container) -> int:
        return int(
            self.admin(
                container,
                f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{self.app_name}'",
            )
        )

    def _inject(self) -> None:
        p = self.params
        container = container_of(self.stack, p.service)
        hog = (
            f"export PGAPPNAME={self.app_name}; for i in $(seq {p.connections}); do "
            f"(sleep {_HOG_SLEEP} | psql -U {p.user} -d {p.database} -q >/dev/null 2>&1) & "
            "done; wait"
        )
        start_marked(container, self.id, hog)
        deadline = time.monotonic() + 10
        while (held := self.hogs(container)) < p.connections:
            if time.monotonic() > deadline:
                raise DrillbookError(f"the leaking client got only {held} connections")
            time.sleep(0.1)
        self.admin(container, f"ALTER ROLE {p.user} CONNECTION LIMIT {p.connections}")
        self.admin(
            container,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE usename = '{p.user}' AND application_name <> '{self.app_name}'",
        )

    def _revert(self) -> None:
        # The role's limit outlives a stopped server: start it to lift the limit.
        container = reachable(self.stack, self.params.service) or restore_running(
            self.stack, self.params.service
        )
        self.admin(container, f"ALTER ROLE {self.params.user} CONNECTION LIMIT -1")
        self.admin(
            container,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE application_name = '{self.app_name}'",
        )
        exec_root(container, ["sh", "-c", _KILL_HOG, "kill", _HOG_SLEEP])

    def describe(self) -> str:
        p = self.params
        return f"{p.connections} idle connections hold every slot of role {p.user} in {p.service}"
