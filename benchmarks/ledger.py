"""What the damage ledger costs: its readings, and a drill's TTR with and without it.

    python benchmarks/ledger.py [--readings 10] [--drills 3] [--scenario redis-down]

On one reference stack: finds the stores once (timed), takes `--readings` readings (each is
what one runbook step waits for after it ran), then runs the scenario `--drills` times with
the ledger and as many times without it, alternating, and prints the TTRs and their medians.
The machine is noisy: read the ratio within one run, not the figures across runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from drillbook.drills.ledger import stores_of
from drillbook.observe.inventory import count, describe
from drillbook.scenarios.loader import load_scenario
from drillbook.stack.open import reference_stack

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=10)
    parser.add_argument("--drills", type=int, default=3)
    parser.add_argument("--scenario", default="redis-down")
    args = parser.parse_args()
    from drillbook.drills.scenario import run_scenario

    scenario = load_scenario(ROOT / "scenarios" / f"{args.scenario}.yaml")
    with reference_stack(ROOT / "fixtures" / "stack.yaml", None, lambda _: None) as stack:
        start = time.monotonic()
        stores = stores_of(stack)
        print(f"stores found in {time.monotonic() - start:.2f} s: {describe(stores)}")
        took = []
        for _ in range(args.readings):
            start = time.monotonic()
            counts = count(stack, stores)
            took.append(time.monotonic() - start)
        print(f"{len(counts)} counts per reading; a reading took {_spread(took)}")
        ttrs: dict[bool, list[float]] = {True: [], False: []}
        with tempfile.TemporaryDirectory() as out:
            for _ in range(args.drills):
                for ledger in (True, False):
                    result = run_scenario(
                        scenario,
                        stack,
                        locustfile=ROOT / "load_tests" / "locustfile.py",
                        out_dir=Path(out),
                        ledger=ledger,
                    )
                    if result.ttr_s is not None:
                        ttrs[ledger].append(result.ttr_s)
                    readings = len(result.ledger)
                    print(
                        f"  ledger {'on ' if ledger else 'off'}: {result.reason} "
                        f"({readings} readings)"
                    )
        for ledger in (True, False):
            print(
                f"{args.scenario} TTR, ledger {'on ' if ledger else 'off'}: {_spread(ttrs[ledger])}"
            )


def _spread(values: list[float]) -> str:
    if not values:
        return "-"
    return (
        f"median {statistics.median(values):.2f} s (min {min(values):.2f}, "
        f"max {max(values):.2f}, n={len(values)})"
    )


if __name__ == "__main__":
    main()
