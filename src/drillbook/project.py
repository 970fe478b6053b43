"""The project layout and its defaults, in one place.

A drillbook project is a folder holding (all optional but the stack):

    fixtures/stack.yaml        the stack definition (or $DRILLBOOK_STACK, or --stack)
    scenarios/*.yaml           one scenario per incident
    runbooks/*.md              the runbooks they follow
    load_tests/locustfile.py   the load
    results/                   what runs write: <scenario>.json, history.jsonl, report/

Commands run from any folder inside it: the root is found by walking up to the first folder
holding the stack file or a pyproject.toml.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from drillbook.errors import DrillbookError

STACK_FILE = "fixtures/stack.yaml"
SCENARIOS = "scenarios"
RUNBOOKS = "runbooks"
LOCUSTFILE = "load_tests/locustfile.py"
RESULTS = "results"
HISTORY = "history.jsonl"  # inside the results folder
# Runs without the runbook's executor (nobody, or people by hand, remediating) go here, inside
# the results folder: neither `drillbook report` nor a `--baseline results/` reads subfolders.
UNREMEDIATED = "unremediated"
DRILLS = "drills"  # game-day drill reports, inside the results folder
# What drillbook builds once per machine (wheels, Go binaries, Kubernetes), not per project.
CACHE = Path(os.environ.get("DRILLBOOK_CACHE", Path.home() / ".cache" / "drillbook"))


def find_root(start: Path | None = None) -> Path:
    """The project folder containing `start` (default: the working directory).

    The first folder upwards with the stack file or a pyproject.toml; `start` itself when
    there is none (a bare folder of runbooks is a project too).
    """
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / STACK_FILE).is_file() or (folder / "pyproject.toml").is_file():
            return folder
    return here


@dataclass(frozen=True)
class Project:
    """Where a project keeps each of its parts; relative paths are taken from `root`."""

    root: Path
    stack: Path
    scenarios: Path
    runbooks: Path
    locustfile: Path
    results: Path

    @classmethod
    def at(
        cls,
        root: Path | None = None,
        *,
        stack: str | Path | None = None,
        locustfile: str | Path | None = None,
        results: str | Path | None = None,
    ) -> Project:
        """The project at `root` (found from the working directory when None).

        `stack` defaults to $DRILLBOOK_STACK, then fixtures/stack.yaml. A path the user gave
        is taken as given when it exists from the working directory, else from the root.
        """
        root = root or find_root()
        stack = stack or os.environ.get("DRILLBOOK_STACK")
        return cls(
            root=root,
            stack=_given(root, stack) if stack else root / STACK_FILE,
            scenarios=root / SCENARIOS,
            runbooks=root / RUNBOOKS,
            locustfile=_given(root, locustfile) if locustfile else root / LOCUSTFILE,
            results=_given(root, results) if results else root / RESULTS,
        )

    @property
    def history(self) -> Path:
        return self.results / HISTORY

    @property
    def unremediated(self) -> Path:
        return self.results / UNREMEDIATED

    def scenario_file(self, argument: str) -> Path:
        """A scenario from a file path, or from its name in the scenarios folder."""
        path = Path(argument)
        if path.is_file():
            return path
        named = self.scenarios / f"{argument}.yaml"
        if named.is_file():
            return named
        known = ", ".join(sorted(p.stem for p in self.scenarios.glob("*.yaml"))) or "none"
        raise DrillbookError(
            f"no scenario {argument!r}", f"give a scenario file, or one of: {known}"
        )

    def require_locustfile(self) -> Path:
        """The locustfile of the load, checked to exist before any container starts."""
        if not self.locustfile.is_file():
            raise DrillbookError(
                f"locustfile {self.locustfile} not found", "pass --locustfile PATH"
            )
        return self.locustfile


def is_scenario_file(path: Path) -> bool:
    """Whether pytest should collect `path` as a scenario: YAML in a `scenarios` folder."""
    return path.suffix in (".yaml", ".yml") and path.parent.name == SCENARIOS


def _given(root: Path, path: str | Path) -> Path:
    """A path the user gave: as given when absolute or present from here, else from the root."""
    given = Path(path)
    if given.is_absolute() or given.exists():
        return given
    return root / given
