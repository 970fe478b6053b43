"""Data faults: the cache is emptied, a table disappears.

`table-drop` is the backup/restore incident. To the application the table is gone; in fact it
is renamed aside, so revert can bring it back without loss. If the remediation restored the
table from a backup meanwhile, revert keeps the restored table and discards the copy aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drillbook.errors import DrillbookError
from drillbook.faults.base import Fault, ServiceParams, param, register
from drillbook.faults.target import container_of, exec_root, restore_running, status

_IDENT = r"^[a-z_][a-z0-9_]{0,40}$"
SAVED_PREFIX = "drillbook_saved_"  # tables set aside by table-drop


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
        for name in ("database", "user", "table"):
            if not re.match(_IDENT, getattr(self, name)):
                return f"{name}: must be a plain lower-case SQL identifier"
        return None


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

    @property
    def saved(self) -> str:
        return f"{SAVED_PREFIX}{self.params.table}_{self.id.replace('-', '_')}"[:63]

    def sql(self, statement: str) -> str:
        p = self.params
        container = container_of(self.stack, p.service)
        code, out = exec_root(
            container,
            [
                "psql", "-U", p.user, "-d", p.database,
                "-v", "ON_ERROR_STOP=1", "-tAc", statement,
            ],
        )  # fmt: skip
        if code != 0:
            raise DrillbookError(f"psql in {container.name} failed: {out.strip()}")
        return out.strip()

    def exists(self, table: str) -> bool:
        return self.sql(f"SELECT to_regclass('public.{table}') IS NOT NULL") == "t"

    def _inject(self) -> None:
        if not self.exists(self.params.table):
            raise DrillbookError(
                f"no table {self.params.table!r} in {self.params.service}/{self.params.database}"
            )
        self.sql(f"ALTER TABLE {self.params.table} RENAME TO {self.saved}")

    def _revert(self) -> None:
        container = container_of(self.stack, self.params.service)
        if status(container) != "running":
            restore_running(self.stack, self.params.service)
        if not self.exists(self.saved):
            return
        if self.exists(self.params.table):
            self.sql(f"DROP TABLE {self.saved}")  # a restore brought it back already
        else:
            self.sql(f"ALTER TABLE {self.saved} RENAME TO {self.params.table}")

    def describe(self) -> str:
        return f"drop table {self.params.table} in {self.params.service}/{self.params.database}"
