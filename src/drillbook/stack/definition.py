"""Which kind of stack definition a path names, read into a StackSpec."""

from __future__ import annotations

from pathlib import Path

from drillbook.errors import DrillbookError
from drillbook.stack.compose.model import is_compose, load_compose_spec
from drillbook.stack.kube.spec import is_kubernetes, load_kube_spec
from drillbook.stack.spec import StackSpec, read_stack_yaml


def load_stack_spec(path: str | Path, profile: str | None = None) -> StackSpec:
    """Read and validate a stack definition, with a profile laid over it if one is named.

    A Compose file (or several, comma-separated: `compose.yml,compose.prod.yml`) is read
    through `docker compose config`, and `profile` is a Compose profile; see
    `drillbook.stack.compose`. A folder is Kubernetes manifests (`drillbook.stack.kube`).
    Anything else is drillbook's own `stack.yaml` format. Errors
    name the file and line.
    """
    if is_compose(str(path)):
        return load_compose_spec(str(path), profile)
    if is_kubernetes(str(path)):
        if profile:
            raise DrillbookError("--profile is for stack.yaml and Compose files, not manifests")
        return load_kube_spec(path)
    return read_stack_yaml(Path(path).resolve(), profile)
