"""`drillbook stack up|status|down`: a stack left running, what is running, and removing it."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from drillbook.cli.options import project_of, say, with_stack


def register(sub: Any) -> None:
    stack = sub.add_parser("stack", help="start, inspect or remove a stack")
    stack_sub = stack.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = with_stack(
        stack_sub.add_parser(
            "up",
            help="start the stack and leave it running",
            description="Start every service, wait until ready, print the endpoints. "
            "The stack keeps running until `drillbook stack down`.",
        )
    )
    up.add_argument("--json", action="store_true", help="print endpoints as JSON on stdout")
    up.set_defaults(run=run_up)
    status = stack_sub.add_parser("status", help="list drillbook's running containers")
    status.add_argument("--json", action="store_true", help="print as JSON")
    status.set_defaults(run=run_status)
    down = with_stack(
        stack_sub.add_parser(
            "down",
            help="remove stacks started by `stack up`, and leftovers of killed runs",
            description="Removes what `drillbook stack up` started and what killed runs left "
            "(with --stack, only what is of that stack). Stacks of test runs still in "
            "progress are kept unless --all is given.",
        )
    )
    down.add_argument(
        "--all", action="store_true", help="remove every container and network drillbook labelled"
    )
    down.set_defaults(run=run_down)


def run_up(args: argparse.Namespace) -> int:
    from drillbook.stack import Stack
    from drillbook.stack.setup import prepare

    spec, client = prepare(project_of(args).stack, args.profile, say)
    start = time.monotonic()
    stack = Stack(spec, mode="detached", progress=say, client=client).up()
    endpoints = stack.endpoints()
    if args.json:
        print(json.dumps(endpoints, indent=2))
    else:
        for name, endpoint in endpoints["services"].items():
            where = endpoint.get("url") or f"{endpoint['host']}:{endpoint['port']}"
            print(f"{name:12} {where}")
        print(
            f"stack {spec.name} up in {time.monotonic() - start:.1f} s; "
            "remove it with `drillbook stack down`"
        )
    return 0


def run_status(args: argparse.Namespace) -> int:
    from drillbook.host import engine
    from drillbook.stack import labels

    client = engine.connect()
    rows: list[dict[str, Any]] = []
    for c in client.containers.list(all=True, filters=labels.managed_filter()):
        ports = [
            f"{b['HostIp']}:{b['HostPort']}" for bs in (c.ports or {}).values() for b in bs or []
        ]
        rows.append(
            {
                "run": c.labels.get(labels.RUN),
                "mode": c.labels.get(labels.MODE),
                "service": c.labels.get(labels.SERVICE),
                "status": c.status,
                "published": ports,
                "container": c.name,
            }
        )
    rows.sort(key=lambda r: (str(r["run"]), str(r["service"])))
    if args.json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        print("no drillbook containers")
    else:
        for r in rows:
            print(
                f"{r['run']}  {r['mode']:8} {r['service']:12} {r['status']:8} "
                f"{' '.join(r['published'])}"
            )
    return 0


def run_down(args: argparse.Namespace) -> int:
    from drillbook.host import engine
    from drillbook.stack import reaper

    name = None
    if args.stack is not None:  # read first: a bad file is said before Docker is asked
        from drillbook.stack import load_stack_spec

        name = load_stack_spec(project_of(args).stack, args.profile).name
    client = engine.connect()
    removed = reaper.remove_all(client) if args.all else reaper.remove_detached(client, name)
    say(f"removed {removed} objects (containers, networks, volumes, load processes)")
    return 0
