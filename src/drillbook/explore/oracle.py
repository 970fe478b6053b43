"""The api's degraded modes as a prediction: with these faults in, must queries be answered?

The reference api documents them (fixtures/images/api/app/main.py): without Redis it serves
without its cache; when its provider fails, the fallback answers. So a query must still be
answered while every fault in touches only the cache or one of the two providers. Anything
else (the vector DB, PostgreSQL, whose API-key memory lasts only so long, the api itself,
both providers at once) makes no promise about queries, and the search does not judge them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from drillbook.explore.plan import Inject
from drillbook.load import Request

CACHE = frozenset({"redis"})
PROVIDERS = frozenset({"provider", "provider-fallback"})
QUERIES = "POST /v1/query"  # the load's query requests (plain and new questions)
MAX_FAILED_SHARE = 0.1  # a request in flight as a fault lands may fail: a tenth is noise
MIN_JUDGED = 3  # fewer queries than this in a window say nothing


def touched(fault: Inject) -> str:
    """The service a fault breaks: its service, or the target of its link (`api-redis`)."""
    params = dict(fault.params)
    if "service" in params:
        return str(params["service"])
    link = str(params.get("link", ""))
    return link.split("-", 1)[1] if "-" in link else link


def must_answer_queries(active: Iterable[Inject]) -> bool:
    """Whether the degraded modes promise answers to queries with these faults in."""
    broken = {touched(f) for f in active}
    if not broken <= CACHE | PROVIDERS:
        return False
    return not broken >= PROVIDERS  # one provider may fail: the other answers


@dataclass(frozen=True)
class Breach:
    """Queries that failed while the degraded modes promised answers."""

    failed: int
    judged: int
    window: tuple[float, float]
    faults: tuple[Inject, ...]

    def describe(self) -> str:
        faults = " + ".join(f.describe() for f in self.faults)
        return f"{self.failed} of {self.judged} queries failed while only {faults} was in"


def queries_in(requests: Sequence[Request], start: float, end: float) -> tuple[int, int]:
    """(failed, judged): the queries sent and answered between `start` and `end`."""
    judged = [
        r for r in requests if r.name.startswith(QUERIES) and r.start >= start and r.end <= end
    ]
    return sum(not r.ok for r in judged), len(judged)


def judge_window(
    requests: Sequence[Request], start: float, end: float, active: Sequence[Inject]
) -> Breach | None:
    """The breach in one window where `active` faults were in, if the promise was broken."""
    if not active or not must_answer_queries(active):
        return None
    failed, judged = queries_in(requests, start, end)
    if judged < MIN_JUDGED or failed <= MAX_FAILED_SHARE * judged:
        return None
    return Breach(failed, judged, (start, end), tuple(active))
