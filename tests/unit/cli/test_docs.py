"""The front door: a short README, every command and fault documented, no dead link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drillbook.cli.reference import markdown
from drillbook.faults import fault_types

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs"
PAGES = sorted([ROOT / "README.md", *DOCS.glob("*.md")])
LINK = re.compile(r"\]\(([^)\s#]+)(#[^)\s]*)?\)")


def test_the_cli_reference_is_generated_from_the_parser() -> None:
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == markdown(), (
        "docs/cli.md is stale: python -m drillbook.cli.reference > docs/cli.md"
    )


def test_the_readme_is_a_front_door() -> None:
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 200


def test_every_fault_type_is_in_the_faults_page() -> None:
    page = (DOCS / "faults.md").read_text(encoding="utf-8")
    assert [f.kind for f in fault_types() if f"`{f.kind}`" not in page] == []


def test_every_docs_page_is_reachable_from_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = {m.group(1) for m in LINK.finditer(readme)}
    assert (
        sorted(f"docs/{p.name}" for p in DOCS.glob("*.md") if f"docs/{p.name}" not in linked) == []
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_lead_somewhere(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    dead = [
        m.group(1)
        for m in LINK.finditer(text)
        if "://" not in m.group(1) and not (page.parent / m.group(1)).exists()
    ]
    assert dead == []
