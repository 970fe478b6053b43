"""`drillbook faults list`: every fault type a scenario can inject, with its parameters."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(sub: Any) -> None:
    faults = sub.add_parser("faults", help="the fault types a scenario can inject")
    faults_sub = faults.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = faults_sub.add_parser("list", help="every fault type with its parameters")
    listing.add_argument("--json", action="store_true", help="print as JSON")
    listing.set_defaults(run=run_list)


def run_list(args: argparse.Namespace) -> int:
    from drillbook.faults import catalogue

    entries = catalogue()
    if args.json:
        print(json.dumps(entries, indent=2))
        return 0
    for entry in entries:
        print(f"{entry['type']:20} {entry['category']:10} {entry['description']}")
        for p in entry["params"]:
            default = "required" if p["required"] else f"default {p['default']!r}"
            bounds = "/".join(str(p[k]) for k in ("min", "max") if k in p)
            choices = "|".join(p.get("choices", []))
            extra = ", ".join(
                x
                for x in (default, bounds and f"range {bounds}", choices and f"one of {choices}")
                if x
            )
            print(f"    {p['name']:16} {p['type']:8} {p['help']} ({extra})")
    return 0
