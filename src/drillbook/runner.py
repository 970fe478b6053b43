"""Running scenarios outside pytest's collection: `drillbook run` and `drillbook drill`.

    with reference_stack("fixtures/stack.yaml", None, progress) as stack:
        result, regression = run_and_record(
            scenario, stack, recorder, results=Path("results"), locustfile=..., progress=progress
        )

The stack is started as the pytest fixture starts it (images built if changed, leftovers of
killed runs reaped) and removed at the end, also on Ctrl-C. The pytest plugin runs scenarios
through `run_and_record` too, so every way of running one writes and records it alike.

Cheap to import (the CLI and the pytest plugin read its constants): what needs Docker or the
scenario engine is imported where it is used.
"""

from __future__ import annotations

import contextlib
import fcntl
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from drillbook.errors import DrillbookError

if TYPE_CHECKING:
    import docker

    from drillbook.report.gate import Regression
    from drillbook.report.recorder import Recorder
    from drillbook.scenarios.model import Scenario
    from drillbook.scenarios.result import ScenarioResult
    from drillbook.stack import Stack, StackSpec

Progress = Callable[[str], None]
DEFAULT_LOCUSTFILE = "load_tests/locustfile.py"
# Runs without the runbook's executor (nobody, or people by hand, remediating) go here, inside
# the results folder: neither `drillbook report` nor a `--baseline results/` reads subfolders.
UNREMEDIATED = "unremediated"


def locustfile(path: str | Path) -> Path:
    """The locustfile of the load, checked to exist before any container starts."""
    found = Path(path)
    if not found.is_file():
        raise DrillbookError(f"locustfile {found} not found", "pass --locustfile PATH")
    return found


def prepare(
    stack_path: str | Path,
    profile: str | None,
    progress: Progress,
    *,
    install_engine: bool | None = None,
) -> tuple[StackSpec, docker.DockerClient]:
    """The stack definition and a client of an engine ready to start it.

    The definition is read first, so that bad input fails before Docker is touched. With
    `install_engine` (True or False) the engine is started first, installed only if True.
    Leftovers of killed runs are removed and the images that changed are built.
    """
    from drillbook.stack import engine, load_stack_spec, reaper
    from drillbook.stack.images import ensure_images

    spec = load_stack_spec(stack_path, profile)
    if install_engine is not None:
        engine.ensure_engine(progress, install=install_engine)
    client = engine.connect()
    try:
        reaped = reaper.reap_dead_runs(client)
        if reaped:
            progress(f"removed {reaped} objects left by a killed run")
        ensure_images(client, spec, progress)
    except BaseException:
        client.close()
        raise
    return spec, client


@contextlib.contextmanager
def reference_stack(stack_path: str, profile: str | None, progress: Progress) -> Iterator[Stack]:
    """The stack of `stack_path`, built if needed, started, and removed when done."""
    from drillbook.stack import Stack

    spec, client = prepare(stack_path, profile, progress)
    with Stack(spec, progress=progress, client=client) as stack:
        yield stack


@contextlib.contextmanager
def target_stack(
    stack_path: str, profile: str | None, run_id: str | None, progress: Progress
) -> Iterator[Stack]:
    """A stack already running, described by `stack_path`, taken over and let go of when done.

    One drill at a time per stack: a second one would take the first one's fault for damage
    and undo it.
    """
    from drillbook.stack import Stack, load_stack_spec

    stack = Stack.attach(load_stack_spec(stack_path, profile), run_id, progress=progress)
    lock = (Path(tempfile.gettempdir()) / f"drillbook-target-{stack.run_id}.lock").open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        stack.down()
        raise DrillbookError(
            f"another drill is running on stack run {stack.run_id}",
            "wait for it to end: drills on one stack take turns",
        ) from None
    try:
        yield stack
    finally:
        stack.down()
        lock.close()


def resolve(argument: str, folder: Path = Path("scenarios")) -> Scenario:
    """A scenario from a file path, or from its name in `scenarios/`."""
    from drillbook.scenarios.loader import load_scenario

    path = Path(argument)
    if not path.is_file():
        named = folder / f"{argument}.yaml"
        if not named.is_file():
            known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml"))) or "none"
            raise DrillbookError(
                f"no scenario {argument!r}", f"give a scenario file, or one of: {known}"
            )
        path = named
    return load_scenario(path)


def run_and_record(
    scenario: Scenario,
    stack: Stack,
    recorder: Recorder,
    *,
    results: Path,
    locustfile: Path,
    progress: Progress,
    remediate: bool = True,
) -> tuple[ScenarioResult, Regression | None]:
    """Run one scenario, write its result JSON and record it; its regression, if the gate fails.

    With the runbook's executor remediating, the result goes to `<results>/<name>.json` and
    into `recorder` (history, gate, table). Without it (`remediate=False`: nobody, or people
    by hand, fix the fault) the run is no figure of the runbook's automation: it goes to
    `<results>/unremediated/<name>.json` and is not recorded, so that neither reports nor the
    next automated run's baseline take it for the scenario's.
    """
    from drillbook.scenarios.engine import run_scenario

    result = run_scenario(
        scenario,
        stack,
        locustfile=locustfile,
        out_dir=results if remediate else results / UNREMEDIATED,
        progress=progress,
        remediate=remediate,
    )
    regression = recorder.record(result.as_json()) if remediate else None
    return result, regression


def run_files(
    scenarios: Sequence[Scenario],
    stack: Stack,
    recorder: Recorder,
    *,
    results: Path,
    locustfile: Path,
    progress: Progress,
) -> int:
    """Run each scenario as its pytest item does; 0 when all passed and none regressed."""
    failed = 0
    for scenario in scenarios:
        result, regression = run_and_record(
            scenario, stack, recorder, results=results, locustfile=locustfile, progress=progress
        )
        failed += (not result.passed) or regression is not None
    return 1 if failed else 0
