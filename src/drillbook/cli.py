"""The `drillbook` command line.

drillbook setup                 install/start Docker, make the base image, build images
drillbook images                build the stack's images (only those that changed)
drillbook stack up [--json]     start the stack and leave it running
drillbook stack status          what drillbook has running
drillbook stack down            remove it all
drillbook lint PATH...          check runbooks against the stack (exit 1 on errors)
drillbook faults list [--json]  every fault type a scenario can inject, with its parameters
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from drillbook import __version__
from drillbook.errors import DrillbookError

DEFAULT_STACK = os.environ.get("DRILLBOOK_STACK", "fixtures/stack.yaml")


def _progress(message: str) -> None:
    # Progress goes to stderr so that --json output on stdout stays machine-readable.
    print(f"drillbook: {message}", file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="drillbook",
        description="Prove that runbooks restore service within their MTTR targets.",
    )
    parser.add_argument("--version", action="version", version=f"drillbook {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def with_stack(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--stack",
            default=DEFAULT_STACK,
            help=f"stack definition (default: {DEFAULT_STACK}, or $DRILLBOOK_STACK)",
        )
        p.add_argument(
            "--profile",
            default=None,
            metavar="NAME",
            help="a profile of the stack definition to lay over it (e.g. qdrant)",
        )
        return p

    setup = with_stack(
        sub.add_parser(
            "setup",
            help="install and start Docker, make the base image, build the stack's images",
            description="Everything a drill needs, each step only where missing. Installing the "
            "engine needs root and apt; elsewhere start Docker yourself first.",
        )
    )
    setup.add_argument(
        "--no-install",
        action="store_true",
        help="never install or start a Docker engine; fail if none answers",
    )

    with_stack(sub.add_parser("images", help="build the stack's images (unchanged ones are kept)"))

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
    status = stack_sub.add_parser("status", help="list drillbook's running containers")
    status.add_argument("--json", action="store_true", help="print as JSON")
    down = stack_sub.add_parser(
        "down",
        help="remove stacks started by `stack up`, and leftovers of killed runs",
        description="Removes what `drillbook stack up` started and what killed runs left. "
        "Stacks of test runs still in progress are kept unless --all is given.",
    )
    down.add_argument(
        "--all", action="store_true", help="remove every container and network drillbook labelled"
    )
    lint = with_stack(
        sub.add_parser(
            "lint",
            help="check Markdown runbooks against the stack definition",
            description="Report, with file:line, what in the runbooks cannot work against the "
            "stack. Exit 0 when no finding is an error, 1 when one is, 2 on bad usage.",
        )
    )
    lint.add_argument("paths", nargs="+", metavar="PATH", help="Markdown files or folders")
    lint.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    faults = sub.add_parser("faults", help="the fault types a scenario can inject")
    faults_sub = faults.add_subparsers(dest="action", required=True, metavar="ACTION")
    faults_list = faults_sub.add_parser("list", help="every fault type with its parameters")
    faults_list.add_argument("--json", action="store_true", help="print as JSON")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _dispatch(args)
    except DrillbookError as exc:
        print(f"drillbook: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("drillbook: interrupted", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "setup":
        from drillbook.provision import provision

        provision(args.stack, _progress, install_engine=not args.no_install, profile=args.profile)
        return 0
    if args.command == "images":
        from drillbook.provision import provision

        provision(args.stack, _progress, install_engine=False, profile=args.profile)
        return 0
    if args.command == "lint":
        from drillbook.runbooks.cli import lint_command

        return lint_command(args.paths, args.stack, args.format)
    if args.command == "stack":
        return {"up": _stack_up, "status": _stack_status, "down": _stack_down}[args.action](args)
    if args.command == "faults":
        return _faults_list(args)
    raise AssertionError(args.command)


def _faults_list(args: argparse.Namespace) -> int:
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


def _stack_up(args: argparse.Namespace) -> int:
    from drillbook.stack import Stack, engine, load_stack_spec
    from drillbook.stack.images import ensure_images

    spec = load_stack_spec(args.stack, args.profile)
    client = engine.connect()
    ensure_images(client, spec, _progress)
    start = time.monotonic()
    stack = Stack(spec, mode="detached", progress=_progress, client=client).up()
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


def _stack_status(args: argparse.Namespace) -> int:
    from drillbook.stack import engine, labels

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


def _stack_down(args: argparse.Namespace) -> int:
    from drillbook.stack import engine, reaper

    client = engine.connect()
    removed = reaper.remove_all(client) if args.all else reaper.remove_detached(client)
    _progress(f"removed {removed} containers and networks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
