"""Running scenario files without pytest: `drillbook run` and `drillbook drill`.

    with reference_stack("fixtures/stack.yaml", None, progress) as stack:
        result = run_scenario(scenario, stack, locustfile=..., out_dir=Path("results"))

The stack is started as the pytest fixture starts it (images built if changed, leftovers of
killed runs reaped) and removed at the end, also on Ctrl-C.
"""

from __future__ import annotations

import contextlib
import fcntl
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from drillbook.errors import DrillbookError
from drillbook.report.recorder import Recorder
from drillbook.scenarios.engine import run_scenario
from drillbook.scenarios.loader import load_scenario
from drillbook.scenarios.model import Scenario
from drillbook.stack import Stack

Progress = Callable[[str], None]
DEFAULT_LOCUSTFILE = "load_tests/locustfile.py"


@contextlib.contextmanager
def reference_stack(stack_path: str, profile: str | None, progress: Progress) -> Iterator[Stack]:
    """The stack of `stack_path`, built if needed, started, and removed when done."""
    from drillbook.stack import engine, load_stack_spec, reaper
    from drillbook.stack.images import ensure_images

    spec = load_stack_spec(stack_path, profile)
    client = engine.connect()
    reaped = reaper.reap_dead_runs(client)
    if reaped:
        progress(f"removed {reaped} objects left by a killed run")
    ensure_images(client, spec, progress)
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
    from drillbook.stack import load_stack_spec

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
    if not locustfile.is_file():
        raise DrillbookError(f"locustfile {locustfile} not found", "pass --locustfile PATH")
    failed = 0
    for scenario in scenarios:
        result = run_scenario(
            scenario, stack, locustfile=locustfile, out_dir=results, progress=progress
        )
        regression = recorder.record(result.as_json())
        failed += (not result.passed) or regression is not None
    return 1 if failed else 0
