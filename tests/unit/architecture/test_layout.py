"""The package's shape: no import cycle, a thin top level, small modules, pytest kept out.

The import graph is read from the source with `ast` (no import runs), counting every import,
also those inside functions and under TYPE_CHECKING: a cycle there is still one the reader
has to untangle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "src" / "drillbook"
MAX_LINES = 450
# The parts of drillbook that run inside pytest.
PYTEST_SIDE = ("drillbook.pytest_plugin",)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in SRC.rglob("*.py")}


def imports(path: Path) -> Iterator[str]:
    """Every drillbook module `path` imports (a `from package import name` of a submodule
    counts as importing the submodule)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name in MODULES)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            named = [f"{node.module}.{a.name}" for a in node.names]
            submodules = [n for n in named if n in MODULES]
            yield from submodules or ([node.module] if node.module in MODULES else [])


def graph() -> dict[str, set[str]]:
    return {m: set(imports(p)) - {m} for m, p in MODULES.items()}


def package_of(module: str) -> str:
    return ".".join(module.split(".")[:2])


def cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the path that closes it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_the_cycle_finder_finds_cycles() -> None:
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_no_module_import_cycle() -> None:
    # The package's own __init__ re-exports the public API, so edges into `drillbook` itself
    # (reading __version__) are not part of the architecture's layering.
    edges = {m: {n for n in to if n != "drillbook"} for m, to in graph().items()}
    assert cycle(edges) is None


def test_no_package_import_cycle() -> None:
    packages: dict[str, set[str]] = {}
    for module, targets in graph().items():
        if module == "drillbook":
            continue
        packages.setdefault(package_of(module), set()).update(
            package_of(t)
            for t in targets
            if t != "drillbook" and package_of(t) != package_of(module)
        )
    assert cycle(packages) is None


def test_top_level_holds_packages_and_at_most_three_small_modules() -> None:
    modules = sorted(
        p.name for p in SRC.glob("*.py") if p.name != "__init__.py" and not p.name.startswith("_")
    )
    assert len(modules) <= 3, modules


# The floors of the house, top to bottom: a package imports only from its own floor or those
# below it. The root `drillbook` (the public API, all of it imported lazily) stands above all.
FLOORS = (
    ("cli", "pytest_plugin"),
    ("report",),
    ("drills", "explore"),
    ("outcome",),
    ("scenarios",),
    ("faults", "runbooks"),
    ("load", "observe"),
    ("stack",),
    ("cluster",),
    ("host",),
    ("project", "yamlsource", "errors", "_version"),
)


def floor_of(package: str) -> int:
    name = package.removeprefix("drillbook.")
    for level, names in enumerate(FLOORS):
        if name in names:
            return level
    raise AssertionError(f"{package} is on no floor: add it to FLOORS")


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    """`module -> target` for every import of a package on a floor above the importer's."""
    found = []
    for module, targets in sorted(edges.items()):
        if module == "drillbook":
            continue
        for target in sorted(targets):
            if target != "drillbook" and floor_of(package_of(target)) < floor_of(
                package_of(module)
            ):
                found.append(f"{module} -> {target}")
    return found


def test_every_package_has_a_floor() -> None:
    for module in MODULES:
        if module != "drillbook":
            floor_of(package_of(module))


def test_the_floor_check_finds_an_upward_import() -> None:
    edges = {
        "drillbook.stack.docker.stack": {"drillbook.drills.judge"},
        "drillbook.drills.judge": set(),
    }
    assert upward_imports(edges) == ["drillbook.stack.docker.stack -> drillbook.drills.judge"]


def test_no_package_imports_one_above_it() -> None:
    assert upward_imports(graph()) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_the_size_limit(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module}: {lines} lines"


def test_only_the_pytest_plugin_imports_pytest() -> None:
    importers = sorted(
        m
        for m, p in MODULES.items()
        if "pytest" in _top_level_imports(p) and not m.startswith(PYTEST_SIDE)
    )
    assert importers == []


def _top_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_readme_example_imports_only_from_drillbook() -> None:
    readme = (SRC.parents[1] / "README.md").read_text(encoding="utf-8")
    examples = [block.split("```", 1)[0] for block in readme.split("```python")[1:]]
    froms = [
        line.split()[1]
        for example in examples
        for line in example.splitlines()
        if line.startswith("from ")
    ]
    assert froms and set(froms) == {"drillbook"}, froms


def public_classes(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.ClassDef) and n.name[0] != "_"}


def test_runbook_names_mean_one_thing_in_the_package() -> None:
    """A runbooks class named like a class elsewhere (a command's Verdict beside a drill's)
    makes every import of the name a question; names in the runbooks package are its own."""
    inside = "drillbook.runbooks"
    ours: dict[str, str] = {}
    theirs: dict[str, str] = {}
    for module, path in MODULES.items():
        names = ours if module.startswith(inside) else theirs
        for name in public_classes(path):
            names.setdefault(name, module)
    shared = {name: (ours[name], theirs[name]) for name in ours.keys() & theirs.keys()}
    assert not shared, f"defined both inside and outside {inside}: {shared}"
