"""`drillbook cluster up|down|status`: the single-node Kubernetes cluster drills can run on."""

from __future__ import annotations

import argparse
import time
from typing import Any

from drillbook.cli.options import say


def register(sub: Any) -> None:
    cluster = sub.add_parser(
        "cluster",
        help="provision, inspect or remove a single-node Kubernetes cluster on this machine",
        description="A real Kubernetes cluster built from the Go module proxy (once, cached "
        "under ~/.cache/drillbook/kubernetes/), with Debian's etcd and containerd, bound to "
        "127.0.0.1 and a private pod subnet. Needs root.",
    )
    actions = cluster.add_subparsers(dest="action", required=True, metavar="ACTION")
    up = actions.add_parser(
        "up",
        help="build what is missing and start the cluster (at once when already up)",
        description="The first `up` builds Kubernetes (about 8 minutes on 2 cores); later "
        "ones start it in seconds. The cluster keeps running until `drillbook cluster down`.",
    )
    up.set_defaults(run=run_up)
    status = actions.add_parser("status", help="whether the cluster runs, and where")
    status.set_defaults(run=run_status)
    down = actions.add_parser(
        "down",
        help="stop the cluster and remove every process, mount, cgroup, interface and file",
        description="Works from the cluster's records alone: also after a killed `up` or a "
        "killed test run.",
    )
    down.set_defaults(run=run_down)
    for parser in (up, status, down):
        parser.add_argument(
            "--state",
            default=None,
            metavar="DIR",
            help="the cluster's state directory (default: ~/.local/state/drillbook/cluster, "
            "or $DRILLBOOK_CLUSTER_STATE)",
        )


def _cluster(args: argparse.Namespace) -> Any:
    from pathlib import Path

    from drillbook.cluster import Cluster

    return Cluster(Path(args.state)) if args.state else Cluster.default()


def run_up(args: argparse.Namespace) -> int:
    info = _cluster(args).up(progress=say)
    print(f"server      {info.server}")
    print(f"kubeconfig  {info.kubeconfig}  (context {info.context})")
    print(f"kubectl     {info.kubectl}")
    print(f"ctr         {' '.join(info.ctr)}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    status = _cluster(args).status()
    print(status if status is not None else "down")
    return 0 if status is not None else 3


def run_down(args: argparse.Namespace) -> int:
    start = time.monotonic()
    _cluster(args).down(progress=say)
    say(f"cluster down in {time.monotonic() - start:.1f} s")
    return 0
