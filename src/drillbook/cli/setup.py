"""`drillbook setup` and `drillbook images`: everything a drill needs, each only where missing."""

from __future__ import annotations

import argparse
from typing import Any

from drillbook.cli.options import project_of, say, with_stack


def register(sub: Any) -> None:
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
    setup.set_defaults(run=run_setup)
    images = with_stack(
        sub.add_parser("images", help="build the stack's images (unchanged ones are kept)")
    )
    images.set_defaults(run=run_images)


def run_setup(args: argparse.Namespace) -> int:
    from drillbook.stack.setup import provision

    stack = project_of(args).stack
    provision(stack, say, install_engine=not args.no_install, profile=args.profile)
    return 0


def run_images(args: argparse.Namespace) -> int:
    from drillbook.stack.setup import provision

    provision(project_of(args).stack, say, install_engine=False, profile=args.profile)
    return 0
