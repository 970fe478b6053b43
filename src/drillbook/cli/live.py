"""The game-day view of `drillbook drill` (see `drillbook.cli.drill`): a live line with the
time since the fault and what the readiness probe says, the runbook as its people read it,
where each container is, and the confirmation a drill on a running stack asks for.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx

from drillbook.drills.events import Event, FaultInjected, Listener, NotRecovered, Recovered, printer
from drillbook.errors import DrillbookError
from drillbook.project import DRILLS
from drillbook.scenarios.model import Scenario
from drillbook.stack import Stack
from drillbook.stack.network import require_loopback


@dataclass(frozen=True)
class ServiceState:
    """What one probe of the service said: healthy or not, and in a few words why."""

    healthy: bool
    text: str


def probe_state(url: str, timeout_s: float = 1.0) -> ServiceState:
    """GET the readiness URL (loopback only); unhealthy dependencies named from its JSON."""
    require_loopback(url)
    try:
        response = httpx.get(url, timeout=timeout_s)
    except httpx.TimeoutException:
        return ServiceState(False, f"no answer within {timeout_s:g} s")
    except httpx.ConnectError:
        return ServiceState(False, "connection refused")
    except httpx.HTTPError as exc:
        return ServiceState(False, f"no answer ({type(exc).__name__})")
    if response.status_code == 200:
        return ServiceState(True, "ready")
    return ServiceState(False, f"HTTP {response.status_code}" + _failing(response))


def _failing(response: httpx.Response) -> str:
    try:
        dependencies = response.json().get("dependencies", {})
    except (ValueError, AttributeError):
        return ""
    down = [name for name, state in dependencies.items() if not state.get("ok", True)]
    return f", failing: {', '.join(down)}" if down else ""


class LiveStatus:
    """A background line: seconds since the fault and the service's state, every half second.

    On a terminal the line is redrawn in place; elsewhere (CI logs) a line is written when
    the state changes and every 10 s.
    """

    def __init__(self, url: str, out: TextIO = sys.stderr, period_s: float = 0.5) -> None:
        self.url = url
        self.out = out
        self.period_s = period_s
        self.injected_at: float | None = None
        self.ended = False  # recovered or given up: the clock stops
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="drill-status", daemon=True)
        self._tty = out.isatty()

    @property
    def redraws(self) -> bool:
        """Whether the line is redrawn in place (a terminal)."""
        return self._tty

    def start(self) -> LiveStatus:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        if self._tty:
            self.out.write("\n")

    def _loop(self) -> None:
        last_text, last_write = "", 0.0
        while not self._stop.wait(self.period_s):
            if self.injected_at is None or self.ended:
                continue
            state = probe_state(self.url)
            elapsed = time.monotonic() - self.injected_at
            line = f"  t+{elapsed:6.1f} s  {'OK  ' if state.healthy else 'DOWN'}  {state.text}"
            if self._tty:
                self.out.write("\r\033[K" + line)
                self.out.flush()
            elif state.text != last_text or time.monotonic() - last_write >= 10:
                self.out.write(line + "\n")
                self.out.flush()
                last_text, last_write = state.text, time.monotonic()


def runbook_text(scenario: Scenario) -> str:
    """The runbook of the scenario as its people would read it (its Markdown)."""
    if scenario.runbook_path is None:
        return "(this scenario has no runbook)"
    return scenario.runbook_path.read_text(encoding="utf-8")


def where_things_are(stack: Stack) -> str:
    """Service -> container and published address, for the people fixing things by hand."""
    lines = []
    for name, service in sorted(stack.services.items()):
        endpoint = service.endpoint()
        address = endpoint.get("url") or f"{endpoint.get('host')}:{endpoint.get('port')}"
        lines.append(f"  {name:12} {service.docker.name:48} {address}")
    return "\n".join(lines)


def target_warning(stack: Stack, scenario: Scenario, manual: bool) -> str:
    """What a drill on a stack already running will do to it, for the people confirming it."""
    fault = ", ".join(f"{k}={v}" for k, v in sorted(scenario.fault_params.items()))
    acts = (
        "people follow the runbook by hand"
        if manual
        else "the runbook's commands are executed on these containers"
    )
    settings = [
        f"{service} is recreated with "
        + ", ".join(f"{k}={v}" for k, v in sorted(env.items()))
        + " for the drill."
        for service, env in sorted(scenario.env.items())
    ]
    return "\n".join(
        [
            f"This drill acts on a stack that is already running: run {stack.run_id}.",
            where_things_are(stack),
            *settings,
            f"It injects the fault {scenario.fault_kind} ({fault or 'no parameters'}) under "
            f"load, and {acts}.",
            "The fault is reverted at the end or on Ctrl-C, changed services are put back as "
            "they were found, and the containers keep running.",
        ]
    )


def confirmed(question: str, answers: TextIO | None = None, out: TextIO | None = None) -> bool:
    """Ask a yes/no question on a terminal (standard input and output by default); only "y"
    or "yes" says yes."""
    answers = answers or sys.stdin
    out = out or sys.stdout
    if not answers.isatty():
        raise DrillbookError(
            "--target acts on running containers and needs a confirmation, but nobody can "
            "answer here (standard input is not a terminal)",
            "pass --yes to confirm on the command line",
        )
    out.write(f"{question} [y/N] ")
    out.flush()
    return answers.readline().strip().lower() in ("y", "yes")


def live_listener(status: LiveStatus, write: Callable[[str], None]) -> Listener:
    """The drill's events as progress lines; the fault starts the live clock, recovery stops it."""
    show = printer(write)

    def listen(event: Event) -> None:
        if isinstance(event, FaultInjected):
            status.injected_at = event.t
            write(f"live: seconds since the fault, and what {status.url} says")
        elif isinstance(event, Recovered | NotRecovered):
            status.ended = True
        if status.redraws and status.injected_at is not None:
            status.out.write("\r\033[K")  # the live line gives way to the progress line
        show(event)

    return listen


def drill_report_dir(results: Path, scenario: Scenario) -> Path:
    """Where a drill's report goes: <results>/drills/<scenario>-<UTC time>/."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return results / DRILLS / f"{scenario.name}-{stamp}"
