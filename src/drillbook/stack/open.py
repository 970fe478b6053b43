"""Where a run obtains its stack: the one place that knows every backend (and the cluster).

    with any_stack(project.stack, None, progress) as stack:   # a StackBackend
        ...

The stack is started as the pytest fixture starts it (images built if changed, leftovers of
killed runs reaped) and removed at the end, also on Ctrl-C or SIGTERM. The command line and
the pytest plugin obtain stacks here; the drill engine (`drillbook.drills`) only ever sees the
`StackBackend` it is given.
"""

from __future__ import annotations

import contextlib
import fcntl
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from drillbook.errors import DrillbookError

if TYPE_CHECKING:
    from drillbook.host.progress import Progress
    from drillbook.stack.backend import StackBackend
    from drillbook.stack.docker.stack import Stack
    from drillbook.stack.kube.stack import ClusterAccess, KubeStack


@contextlib.contextmanager
def reference_stack(
    stack_path: str | Path, profile: str | None, progress: Progress
) -> Iterator[Stack]:
    """The stack of `stack_path`, built if needed, started, and removed when done."""
    from drillbook.stack.docker.stack import Stack
    from drillbook.stack.setup import prepare

    spec, client = prepare(stack_path, profile, progress)
    with Stack(spec, progress=progress, client=client) as stack:
        yield stack


@contextlib.contextmanager
def any_stack(
    stack_path: str | Path, profile: str | None, progress: Progress
) -> Iterator[StackBackend]:
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
    from drillbook.stack.definition import load_stack_spec
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
    from drillbook.stack.definition import load_stack_spec
    from drillbook.stack.docker.stack import Stack

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
