"""How well drillbook reads public runbook collections, against a person's labels.

    PYTHONPATH=src python benchmarks/reading/measure.py [--split dev|heldback] [--corpora DIR]
        [--misses N] [--json FILE]

Prints, per collection and per split, precision and recall of: incidents, alert names,
priorities, restore targets (MTTR), respond targets, and step roles (diagnose / fix / verify,
right over labelled). `--misses N` lists the first N disagreements of each *dev* collection;
held-back collections print figures only, so that measuring them teaches the reader nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpora import DEFAULT_CACHE, CorpusError, open_collection
from labels import LabelSet, load_all
from score import MEASURES, Reading, Score, score_file

from drillbook.runbooks.model import Runbook
from drillbook.runbooks.parser import parse_text
from drillbook.runbooks.roles import roles

LABELS = Path(__file__).resolve().parent / "labels"


def reading(runbook: Runbook) -> Reading:
    steps: dict[int, str] = {}
    for step, role in roles(runbook.steps).items():
        steps.setdefault(step.line, role)
    return Reading(
        line=runbook.line,
        title=runbook.title,
        alert=runbook.alert,
        priority=runbook.severity,
        respond_s=getattr(runbook, "respond_s", None),
        restore_s=runbook.mttr_s,
        steps=steps,
    )


def measure(labels: LabelSet, roots: list[Path]) -> Score:
    collection = open_collection(labels.repo, labels.commit, roots)
    total = Score()
    for labelled in labels.files:
        doc = parse_text(collection.read(labelled.path), labelled.path)
        read = [reading(r) for r in doc.runbooks]
        total.add(score_file(labelled.path, labelled, read))
    return total


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def row(name: str, split: str, score: Score) -> list[str]:
    cells = [name, split]
    for measure in MEASURES:
        t = score.tallies[measure]
        if measure == "steps":
            cells.append(f"{_cell(t.recall)} ({t.right}/{t.labelled})")
        else:
            cells.append(f"{_cell(t.precision)}/{_cell(t.recall)} ({t.labelled})")
    return cells


def table(rows: list[list[str]]) -> str:
    head = [
        "collection",
        "split",
        *[f"{m} P/R (n)" if m != "steps" else "steps right" for m in MEASURES],
    ]
    everything = [head, *rows]
    widths = [max(len(r[i]) for r in everything) for i in range(len(head))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in everything
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--split", choices=("dev", "heldback"))
    parser.add_argument("--corpora", type=Path, action="append", help=f"default {DEFAULT_CACHE}")
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument(
        "--misses", type=int, default=0, help="list N disagreements per dev collection"
    )
    parser.add_argument("--json", type=Path, help="write the tallies here")
    args = parser.parse_args(argv)
    roots = args.corpora or [DEFAULT_CACHE]
    sets = [s for s in load_all(args.labels) if args.split in (None, s.split)]
    rows: list[list[str]] = []
    per_split: dict[str, Score] = {}
    figures: dict[str, object] = {}
    started = time.perf_counter()
    for labels in sets:
        try:
            score = measure(labels, roots)
        except CorpusError as error:
            print(f"error: {labels.source.name}: {error}", file=sys.stderr)
            return 2
        rows.append(row(labels.collection, labels.split, score))
        per_split.setdefault(labels.split, Score()).add(score)
        figures[labels.collection] = {
            "split": labels.split,
            **{m: vars(t) for m, t in score.tallies.items()},
        }
        if labels.split == "dev" and args.misses:
            print(
                f"-- {labels.collection}: first {args.misses} of {len(score.misses)} disagreements"
            )
            print("\n".join(score.misses[: args.misses]))
    for split, score in sorted(per_split.items()):
        rows.append(row("ALL", split, score))
    print(table(rows))
    print(f"({sum(len(s.files) for s in sets)} files, {time.perf_counter() - started:.1f} s)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
