"""Targets as runbooks write them, told apart by kind: a time to *respond* and one to *restore*.

    find_targets("Response Time: < 5 minutes")          -> [WrittenTarget("respond", 300.0)]
    find_targets("Resolve within 1 hour (MTTR)")       -> [WrittenTarget("restore", 3600.0)]
    kind_of("Resolution Time")                          -> "restore"

A time to respond (acknowledge, engage, start working) is judged against detection and the
page; a time to restore (resolve, recover, MTTR) against recovery. Reading one as the other
would judge a runbook against a promise it never made, so a time with no kind word is no
target at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from drillbook.runbooks.durations import DURATION, find_durations

RESPOND = "respond"
RESTORE = "restore"

_RESPOND_WORDS = r"respon(?:d|se|ding)|acknowledge?(?:ment|d)?|ack|engage(?:ment)?|reaction|triage"
_RESTORE_WORDS = (
    r"resol(?:ve|ution|ved)|restor(?:e|ation|ed)|recover(?:y|ed)?|mttr|mttm|mitigat(?:e|ion)"
    r"|repair|fix"
)
_KIND = re.compile(rf"(?i)\b(?:(?P<respond>{_RESPOND_WORDS})|(?P<restore>{_RESTORE_WORDS}))\b")
# What makes the kind word a target and not a mention: a label ("Response Time:"), a bound
# ("respond within 15 minutes", "MTTR < 10 min") or a table header naming the kind.
_TARGET_TAIL = re.compile(
    r"(?i)^[\s*_]*(?:(?:time|target|sla|slo|objective|goal|expectation|deadline)s?[\s*_]*)*"
    r"(?:\([^)]{0,20}\)[\s*_]*)?"
    r"(?:[:=]|\|"
    r"|(?:(?:must|should|is|be|required)\s+)?(?:within|in under|in less than|under|below|by|in)\b"
    r"|[<≤])"
)
# A kind word that is a noun names a target ("Resolution within 1 h"); a verb does only as an
# order or a promise ("Resolve within 1 h", "we aim to resolve within 1 h"), not as a
# description ("pods should recover within 2 minutes") or a condition ("if not resolved
# within 30 minutes, escalate").
_NOUN = re.compile(
    r"(?i)^(?:response|resolution|restoration|recovery|mttr|mttm|mitigation|acknowledgement"
    r"|engagement|reaction|triage)$"
)
_CLAUSE = re.compile(r"[.;:,!?(\[|]")
_PROMISE = re.compile(
    r"(?i)(?:^|\b(?:aim|aims|goal is|target is|commit|commits|promise|required|need|needs)\s+to)$"
)
_CONDITION = re.compile(r"(?i)\b(?:if|unless|until|when|not|n't|otherwise)\b|escalat")
_LEAD = re.compile(
    r"(?i)^(?:[\s*_<≤~`]|within\b|under\b|less than\b|at most\b|max(?:imum)?\b|up to\b"
    r"|approx(?:imately)?\.?|about\b)*"
)


@dataclass(frozen=True)
class WrittenTarget:
    kind: str  # RESPOND or RESTORE
    seconds: float


def kind_of(text: str) -> str | None:
    """The kind a phrase or header names ("Response Time", "MTTR Target"), if one."""
    found = _KIND.search(text)
    if found is None:
        return None
    return RESPOND if found.group("respond") else RESTORE


def _leading_run(text: str) -> str:
    """ "10 minutes 30 seconds" out of "10 minutes 30 seconds, then escalate"."""
    end = 0
    while (found := DURATION.match(text, end)) is not None:
        end = found.end()
        gap = re.match(r"(?:\s|,|and\b)*", text[end:])
        end += gap.end() if gap else 0
    return text[:end]


def _labelled(bound: str) -> bool:
    """`Response Time: 5 min`, `| MTTR | 10 min |`, `MTTR < 10 min`: a label, not prose."""
    return bool(re.search(r"[:=|<≤]", bound))


def _stated(before: str, word: str) -> bool:
    """Whether a kind word used with a bound states a target where it stands."""
    clause = _CLAUSE.split(before)[-1]
    if _CONDITION.search(clause) or "escalat" in before.lower():
        return False
    if _NOUN.match(word):
        return True
    lead = re.sub(r"^[\s*_`>#+-]*(?:\d+[.)]\s*)?", "", clause).strip()
    return bool(_PROMISE.search(lead))


def find_targets(text: str) -> list[WrittenTarget]:
    """The targets a line of prose states, in order, each with its kind."""
    targets: list[WrittenTarget] = []
    for found in _KIND.finditer(text):
        tail = text[found.end() : found.end() + 96]
        bound = _TARGET_TAIL.match(tail)
        if bound is None:
            continue
        if not _labelled(bound.group(0)) and not _stated(text[: found.start()], found.group(0)):
            continue
        rest = tail[bound.end() :]
        # The bound is the duration itself ("Recovery: restart, wait 2 min" states none).
        rest = rest[_LEAD.match(rest).end() :]  # type: ignore[union-attr]
        if not DURATION.match(rest):
            continue
        kind = RESPOND if found.group("respond") else RESTORE
        targets.append(WrittenTarget(kind, sum(find_durations(_leading_run(rest)))))
    return targets
