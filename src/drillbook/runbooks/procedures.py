"""Bold-label procedures: incidents named by a bold line instead of a heading.

Troubleshooting pages and team handbooks often write one incident as a bold line followed by
its steps, under a heading that gathers them:

    ## Troubleshooting
    **High Latency**
    1. Check resources: `docker stats --no-stream`
    2. Restart the API: `docker compose restart api`

    **Redis connection refused:**
    ```bash
    docker compose restart redis
    ```

A bold line is such a title when it stands alone (a trailing colon or a list marker allowed),
names no section ("**Resolution**" is a label, not an incident), is followed at once by steps
(a list item, a code block or a section label), and is an incident by its words: it names a
problem ("High Latency", "Database connection refused") or stands under a heading that gathers
incidents ("Common Issues", "Troubleshooting", "Incidents"). Under a reference heading ("Quick
Reference", "Maintenance", "Post-Incident Review") no bold line is an incident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from drillbook.runbooks.facts import alert_in
from drillbook.runbooks.markdown import Heading, Text
from drillbook.runbooks.model import CodeBlock
from drillbook.runbooks.steps import LIST_ITEM
from drillbook.runbooks.vocabulary import NOT_INCIDENT, alert_name, label_of, plain

BOLD_LABEL = re.compile(r"^\s*(?:[-*+]\s+)?\*\*([^*]+?)\*\*\s*:?\s*(.*)$")
# A label alone on its line, no markup: `Detection:`, `First response:`
_PLAIN_LABEL = re.compile(r"^\s*([A-Z][\w /&()'-]{2,40}):\s*()$")


def label_line(text: str, alone: bool = False) -> re.Match[str] | None:
    """A line that opens a section by its words: `**Resolution**: ...`, or `Detection:` when
    `alone` (a paragraph of its own: "...fails with\nError:" is a sentence, not a label).

    Group 1 is the label, group 2 what follows it on the line.
    """
    return BOLD_LABEL.match(text) or (_PLAIN_LABEL.match(text) if alone else None)


_BOLD_TITLE = re.compile(r"^\s*(?:(?:\d+[.)]|[-*+])\s+)?\*\*([^*]{3,80}?)\s*:?\s*\*\*\s*:?\s*$")
# Words that name something broken; gathered from troubleshooting pages and alert names.
PROBLEM = re.compile(
    r"\b(?:high|low|slow|down|fail(?:s|ed|ing|ures?)?|errors?|latency|time ?outs?|timed out"
    r"|unavailable|unreachable|unresponsive|not (?:responding|working|starting|ready|found|running)"
    r"|alerts?|alarms?|breach\w*|crashloop\w*|throttl\w*|wraparound"
    r"|violat\w*|exceed\w*|too (?:many|much|high|low)|unable|cannot|can ?not|denied|expir\w*"
    r"|won ?t start|refused|full|leaks?|exhaust(?:ed|ion)|crash(?:es|ed|ing|looping)?|oom"
    r"|out of (?:memory|disk|space)|outages?|spikes?|degraded|stuck|backlog|lag(?:ging)?"
    r"|hangs?|hanging|corrupt(?:ed|ion)?|expired|issues?|problems?|broken|missing|[45]xx"
    r"|5\d\d|429|lost|dead|overload(?:ed)?|saturat(?:ed|ion)|unhealthy|pressure|evictions?)\b"
)
# A bold line that starts with an order is a step of a procedure, not an incident's name.
_IMPERATIVE = re.compile(
    r"^(?:check|verify|restart|run|open|look|inspect|confirm|review|scale|clear|flush|increase"
    r"|reduce|roll|rollback|update|apply|notify|acknowledge|escalate|monitor|wait|test|ensure"
    r"|identify|investigate|gather|collect|create|delete|remove|stop|start|kill|drain|fail over"
    r"|switch|enable|disable|set|edit|deploy|redeploy|rebuild|purge|connect|try|follow|document"
    r"|communicate|assess|declare|option|if|when|then|before|after|note|warning|important)\b"
)
# Headings that gather incidents: what stands under them in bold is one.
_GATHERS = re.compile(
    r"\b(?:incidents?|troubleshoot(?:ing)?|issues|problems|failures?|failure modes|outages?"
    r"|alerts?|emergenc(?:y|ies)|playbooks?|scenarios|errors|faq|what to do)\b"
)


@dataclass(frozen=True)
class Procedures:
    """Where a document's bold-label procedures are."""

    titles: frozenset[int]  # the lines of the bold lines that open an incident of their own
    gatherers: frozenset[int]  # the lines of the headings they stand under

    def __contains__(self, line: object) -> bool:
        return line in self.titles


NONE = Procedures(frozenset(), frozenset())


def bold_titles(events: list[Any]) -> Procedures:
    """The bold lines that open an incident of their own, and the headings above them."""
    found: set[int] = set()
    gatherers: set[int] = set()
    stack: list[tuple[Heading, bool]] = []  # open headings, and whether each is a reference
    for index, event in enumerate(events):
        if isinstance(event, Heading):
            while stack and stack[-1][0].level >= event.level:
                stack.pop()
            words = plain(event.title)
            reference = bool(NOT_INCIDENT.match(words)) or bool(stack and stack[-1][1])
            stack.append((event, reference))
            continue
        # The cheap test first: a bold title ends its line with the bold's closing stars.
        if not isinstance(event, Text) or not event.text.rstrip(" :").endswith("**"):
            continue
        title = bold_title(event.text)
        if title is None or (stack and stack[-1][1]):
            continue
        gathered = bool(stack) and bool(_GATHERS.search(plain(stack[-1][0].title)))
        if (gathered or PROBLEM.search(plain(title))) and _steps_follow(events, index):
            found.add(event.line)
            if stack:
                gatherers.add(stack[-1][0].line)
    return Procedures(frozenset(found), frozenset(gatherers))


def bold_title(text: str) -> str | None:
    """`**High Latency**`, `**High Latency:**`, `1. **High Latency**`: the title; else None."""
    match = _BOLD_TITLE.match(text)
    if not match:
        return None
    title = match.group(1).strip().rstrip(":")
    words = plain(title)
    if not words or label_of(title) is not None or NOT_INCIDENT.match(words):
        return None
    if _IMPERATIVE.match(words):
        return None
    return title


def _steps_follow(events: list[Any], index: int) -> bool:
    """Whether the event after `index` is a step: a code block, a list item or a label."""
    if index + 1 >= len(events):
        return False
    after = events[index + 1]
    if isinstance(after, CodeBlock):
        return True
    if not isinstance(after, Text):
        return False
    if LIST_ITEM.match(after.text):
        return True
    label = BOLD_LABEL.match(after.text)
    return label is not None and label_of(label.group(1)) is not None


def alert_headings(events: list[Any]) -> set[int]:
    """The lines of headings that each name an alert, in a list of alerts.

    `##### Alert Name: "KubeAPIDown"`, or `## HighThrottleRate` under `# Alerts`: two or more
    sibling headings (same level, same parent) that name alerts are each an incident, however
    little stands under them. One such heading alone is left to the page's own reading.
    """
    groups: dict[tuple[int, int], list[int]] = {}
    parents: list[Heading] = []
    for event in events:
        if not isinstance(event, Heading):
            continue
        while parents and parents[-1].level >= event.level:
            parents.pop()
        parent = parents[-1] if parents else None
        explicit = alert_in(event.title) is not None
        under_alerts = parent is not None and "alert" in parent.title.lower()
        if explicit or (under_alerts and alert_name(event.title)):
            key = (parent.line if parent else 0, event.level)
            groups.setdefault(key, []).append(event.line)
        parents.append(event)
    return {line for lines in groups.values() if len(lines) >= 2 for line in lines}
