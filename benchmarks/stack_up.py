"""Stack start-up and teardown times of the reference stack.

    python benchmarks/stack_up.py [--runs 3] [--stack fixtures/stack.yaml]

Prints, per run, the time to start every service and see it ready, and the time to remove
it all; then the median. Images must be built (`drillbook setup`).
"""

from __future__ import annotations

import argparse
import statistics
import time

from drillbook.host import engine
from drillbook.stack import Stack, load_stack_spec
from drillbook.stack.images import ensure_images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--stack", default="fixtures/stack.yaml")
    args = parser.parse_args()
    spec = load_stack_spec(args.stack)
    client = engine.connect()
    ensure_images(client, spec)
    ups, downs = [], []
    for i in range(args.runs):
        stack = Stack(spec, client=client)
        t0 = time.monotonic()
        stack.up()
        t1 = time.monotonic()
        stack.down()
        t2 = time.monotonic()
        ups.append(t1 - t0)
        downs.append(t2 - t1)
        print(f"run {i + 1}: up {t1 - t0:5.2f} s   down {t2 - t1:5.2f} s", flush=True)
    print(
        f"median ({args.runs} runs): up {statistics.median(ups):.2f} s, "
        f"down {statistics.median(downs):.2f} s  [{len(spec.services)} services]"
    )


if __name__ == "__main__":
    main()
