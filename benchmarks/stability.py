"""Whether each scenario's verdict holds alone and in the catalogue, and with what margin.

    python benchmarks/stability.py [--alone 3] [--catalogue 3] [--only redis-down,vectordb-slow]
                                   [--out results/stability]

Runs every catalogue scenario alone (`drillbook run SCENARIO --repeat N` on a fresh stack),
then the whole catalogue M times (`drillbook run` of every scenario, one stack each time), and
prints, per scenario: the verdicts seen alone and in the catalogue, the pass rates, and the
worst margin (the least room any run left of any of its bounds). A scenario whose verdict
differs between runs is listed at the end and makes the exit status 1: a verdict that
depends on the order or on the noise is a defect to fix, not a figure to report.

Each run's results stay in `--out` (one folder per run, with its history), so a flip can be
read afterwards. Images must be built (`drillbook setup`). It takes about a minute per drill.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from drillbook.outcome.format import align
from drillbook.outcome.history import RunRecord, read_history
from drillbook.outcome.margin import THIN

ROOT = Path(__file__).resolve().parents[1]
DRILLBOOK = [sys.executable, "-m", "drillbook.cli"]


@dataclass
class Seen:
    """One scenario's runs, alone and in the catalogue."""

    alone: list[RunRecord] = field(default_factory=list)
    catalogue: list[RunRecord] = field(default_factory=list)

    @property
    def verdicts(self) -> set[str]:
        return {r.verdict for r in self.alone + self.catalogue}

    def worst(self) -> RunRecord | None:
        kept = [r for r in self.alone + self.catalogue if r.margin_room is not None]
        return min(kept, key=lambda r: r.margin_room or 0.0, default=None)


def drill(scenarios: Sequence[str], repeat: int, out: Path) -> list[RunRecord]:
    """Run `drillbook run` into `out`; the records it appended to its history."""
    command = [*DRILLBOOK, "run", *scenarios, "--results", str(out), "--repeat", str(repeat)]
    shutil.rmtree(out, ignore_errors=True)  # an earlier benchmark's runs are not this one's
    began = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    (out / "run.log").parent.mkdir(parents=True, exist_ok=True)
    (out / "run.log").write_text(done.stdout + done.stderr, encoding="utf-8")
    history = out / "history.jsonl"
    if not history.is_file():
        raise SystemExit(f"{' '.join(command)} wrote no history; see {out / 'run.log'}")
    print(f"  {out.name}: {time.monotonic() - began:.0f} s, exit {done.returncode}", flush=True)
    return read_history(history)


def rate(runs: Sequence[RunRecord]) -> str:
    return "-" if not runs else f"{sum(r.passed for r in runs)}/{len(runs)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--alone", type=int, default=3, help="runs of each scenario alone")
    parser.add_argument("--catalogue", type=int, default=3, help="runs of the whole catalogue")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "stability")
    args = parser.parse_args()

    names = sorted(p.stem for p in (ROOT / "scenarios").glob("*.yaml"))
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    seen = {name: Seen() for name in names}
    began = time.monotonic()
    for name in names if args.alone else []:
        print(f"{name} alone x{args.alone}", flush=True)
        seen[name].alone += drill([name], args.alone, args.out / "alone" / name)
    for i in range(1, args.catalogue + 1):
        print(f"catalogue run {i}/{args.catalogue}", flush=True)
        for record in drill(names, 1, args.out / f"catalogue-{i}"):
            seen[record.scenario].catalogue.append(record)

    rows = [("scenario", "alone", "catalogue", "verdicts", "worst margin")]
    for name, s in seen.items():
        worst = s.worst()
        rows.append(
            (
                name,
                rate(s.alone),
                rate(s.catalogue),
                " | ".join(sorted(s.verdicts)),
                "-" if worst is None else worst.margin(),
            )
        )
    print()
    for line in align(rows, last_free=True):
        print(line)
    flipped = [name for name, s in seen.items() if len(s.verdicts) > 1]
    thin = [n for n, s in seen.items() if (w := s.worst()) and 0 <= (w.margin_room or 0) < THIN]
    print(f"\n{len(names)} scenarios in {(time.monotonic() - began) / 60:.1f} min")
    print(f"verdicts that differ between runs: {', '.join(flipped) or 'none'}")
    print(f"thin worst margins (< {THIN:.0%} left): {', '.join(thin) or 'none'}")
    return 1 if flipped else 0


if __name__ == "__main__":
    raise SystemExit(main())
