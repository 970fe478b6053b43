"""Sessions of scenario runs: the stack they share, and running and recording each scenario.

    with reference_stack(project.stack, None, progress) as stack:
        result, regression = run_and_record(scenario, stack, recorder, project, listeners)

The stack is started as the pytest fixture starts it (images built if changed, leftovers of
killed runs reaped) and removed at the end, also on Ctrl-C. `drillbook run`, `drillbook
drill` and the pytest plugin all run scenarios through `run_and_record`, so every way of
running one writes and records it alike.
"""

from __future__ import annotations

import contextlib
import fcntl
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from drillbook.errors import DrillbookError
from drillbook.project import Project

if TYPE_CHECKING:
    from drillbook.drills.events import Listener
    from drillbook.host.progress import Progress
    from drillbook.outcome.gate import Regression
    from drillbook.outcome.recorder import Recorder
    from drillbook.outcome.result import Result
    from drillbook.scenarios.model import Scenario
    from drillbook.stack import Stack
    from drillbook.stack.kube.stack import ClusterAccess, KubeStack


@contextlib.contextmanager
def reference_stack(
    stack_path: str | Path, profile: str | None, progress: Progress
) -> Iterator[Stack]:
    """The stack of `stack_path`, built if needed, started, and removed when done."""
    from drillbook.stack import Stack
    from drillbook.stack.setup import prepare

    spec, client = prepare(stack_path, profile, progress)
    with Stack(spec, progress=progress, client=client) as stack:
        yield stack


@contextlib.contextmanager
def any_stack(
    stack_path: str | Path, profile: str | None, progress: Progress
) -> Iterator[Stack | KubeStack]:
    """`reference_stack`, or for a folder of Kubernetes manifests the same on drillbook's
    cluster (`drillbook.cluster`), started for the run if it was down and stopped after."""
    from drillbook.stack.kube.spec import is_kubernetes

    if not is_kubernetes(str(stack_path)):
        with reference_stack(stack_path, profile, progress) as stack:
            yield stack
        return
    if profile:
        raise DrillbookError("--profile is for stack.yaml and Compose files, not manifests")
    with _on_cluster(stack_path, progress) as kube:
        yield kube


@contextlib.contextmanager
def _on_cluster(stack_path: str | Path, progress: Progress) -> Iterator[KubeStack]:
    """`kubernetes_stack` on drillbook's own cluster, up for as long as the run needs it."""
    from drillbook.cluster import Cluster

    cluster = Cluster.default()
    try:
        # whether this run owns the cluster (found it down, or orphaned) is decided under
        # the cluster's lock: two runs starting at once never both take it down
        info = cluster.up(progress=progress, own=True)
        with kubernetes_stack(stack_path, info, cluster.import_image, progress) as stack:
            yield stack
    finally:
        if cluster.owned():
            cluster.down(progress=progress)


@contextlib.contextmanager
def kubernetes_stack(
    stack_path: str | Path,
    cluster: ClusterAccess,
    import_image: Callable[[str], object],
    progress: Progress,
) -> Iterator[KubeStack]:
    """The manifests of `stack_path` running in a namespace of their own on `cluster` (its
    reference images built if changed and imported), deleted when done."""
    from drillbook.stack import load_stack_spec
    from drillbook.stack.kube.images import prepare_images
    from drillbook.stack.kube.manifests import read_manifests
    from drillbook.stack.kube.overlay import workload_images
    from drillbook.stack.kube.stack import KubeStack

    spec = load_stack_spec(stack_path)
    if spec.kubernetes is None:
        raise DrillbookError(
            f"{stack_path} is not a folder of Kubernetes manifests",
            "name the folder holding the stack's Deployments and StatefulSets",
        )
    images = prepare_images(workload_images(read_manifests(spec.kubernetes.folder)), progress)
    with KubeStack(
        spec, cluster, import_image=import_image, images=images, progress=progress
    ) as stack:
        yield stack


@contextlib.contextmanager
def target_stack(
    stack_path: str | Path, profile: str | None, run_id: str | None, progress: Progress
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


def resolve(argument: str, project: Project | None = None) -> Scenario:
    """A scenario from a file path, or from its name in the project's scenarios folder."""
    from drillbook.scenarios.loader import load_scenario

    return load_scenario((project or Project.at()).scenario_file(argument))


def run_and_record(
    scenario: Scenario,
    stack: Stack | KubeStack,
    recorder: Recorder,
    project: Project,
    listeners: Sequence[Listener] = (),
    *,
    remediate: bool = True,
    machine_only: bool = False,
) -> tuple[Result, Regression | None]:
    """Run one scenario, write its result JSON and record it; its regression, if the gate fails.

    With the runbook's executor remediating, the result goes to `<results>/<name>.json` and
    into `recorder` (history, gate, table). Without it (`remediate=False`: nobody, or people
    by hand, fix the fault) the run is no figure of the runbook's automation: it goes to
    `<results>/unremediated/<name>.json` and is not recorded, so that neither reports nor the
    next automated run's baseline take it for the scenario's.
    """
    from drillbook.drills.scenario import run_scenario

    result = run_scenario(
        scenario,
        stack,
        locustfile=project.require_locustfile(),
        out_dir=project.results if remediate else project.unremediated,
        listeners=listeners,
        remediate=remediate,
        machine_only=machine_only,
    )
    regression = recorder.record(result) if remediate else None
    return result, regression


def run_files(
    scenarios: Sequence[Scenario],
    stack: Stack | KubeStack,
    recorder: Recorder,
    project: Project,
    listeners: Sequence[Listener] = (),
    *,
    machine_only: bool = False,
) -> int:
    """Run each scenario as its pytest item does; 0 when all passed and none regressed."""
    failed = 0
    for scenario in scenarios:
        result, regression = run_and_record(
            scenario, stack, recorder, project, listeners, machine_only=machine_only
        )
        failed += (not result.passed) or regression is not None
    return 1 if failed else 0
