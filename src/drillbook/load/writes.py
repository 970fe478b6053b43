"""Data integrity: every write the service acknowledged must still be in its system of record."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from drillbook.errors import DrillbookError

if TYPE_CHECKING:
    from drillbook.stack.spec import StackSpec


class RecordHolder(Protocol):
    """A running stack whose system of record can be asked (Docker or Kubernetes)."""

    spec: StackSpec

    def service(self, name: str) -> Any: ...


_BATCH = 500


def missing_writes(stack: RecordHolder, ids: Iterable[int]) -> list[int]:
    """The acknowledged ids the system of record does not hold (asked as the stack says)."""
    check = stack.spec.writes
    if check is None:
        raise DrillbookError(
            f"stack {stack.spec.name} does not say how to check acknowledged writes",
            f"add a `writes:` section to {stack.spec.path}",
        )
    wanted = sorted({int(i) for i in ids})
    found: set[int] = set()
    service = stack.service(check.service)
    for start in range(0, len(wanted), _BATCH):
        batch = ",".join(str(i) for i in wanted[start : start + _BATCH])
        command = [part.replace("{ids}", batch) for part in check.command]
        code, output = service.exec(command)
        if code != 0:
            raise DrillbookError(f"checking writes in {check.service} failed: {output[-300:]}")
        found.update(int(line) for line in output.split() if line.strip().isdigit())
    return [i for i in wanted if i not in found]
