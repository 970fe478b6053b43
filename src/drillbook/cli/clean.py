"""`drillbook clean`: what set-up left on this machine, with sizes; `--yes` removes it.

Removed: every stack and container drillbook labelled, the cluster (as `cluster down`), the
images drillbook built, the `docker compose` plugin when it is drillbook's own link, and the
cache folder. Kept: the Docker engine (a Debian package the user may rely on; the command to
remove it is printed) and the `debian:bookworm-slim` base image (a user's image of that name
is theirs).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from drillbook.cli.options import say


def register(sub: Any) -> None:
    clean = sub.add_parser(
        "clean",
        help="list what set-up left on this machine (sizes); --yes removes it",
        description="List what drillbook's set-up left on this machine, with sizes: its "
        "cache (wheels, Go and Kubernetes builds, the Compose binary), its images, the "
        "`docker compose` plugin link, the cluster's state, running stacks. With --yes, "
        "remove all of it. The Docker engine is kept (remove it with apt-get).",
    )
    clean.add_argument("--yes", action="store_true", help="remove what is listed")
    clean.set_defaults(run=run_clean)


def run_clean(args: argparse.Namespace) -> int:
    from drillbook.cluster import Cluster
    from drillbook.host import engine
    from drillbook.host.footprint import cache_parts, human, remove_tree
    from drillbook.project import CACHE
    from drillbook.stack.compose.plugin import owns_plugin, plugin_dir

    cluster = Cluster.default()
    plugin = plugin_dir() / "docker-compose"
    ours = owns_plugin(plugin)
    parts = cache_parts(CACHE)
    print(f"cache {CACHE}: {human(sum(p.size for p in parts))}")
    for part in parts:
        print(f"  {part.path.name + '/':<14} {human(part.size):>9}")
    print(f"cluster state {cluster.state}: {'present' if cluster.state.exists() else 'none'}")
    print(f"docker compose plugin {plugin}: " + _plugin_state(plugin, ours))
    images = _our_images() if engine.reachable() else None
    if images is None:
        print("images and stacks: the Docker engine does not answer (not checked)")
    else:
        size = sum(image.attrs.get("Size", 0) for image in images)
        print(f"images drillbook built: {len(images)} ({human(size)}, layers may be shared)")
    print("kept: the Docker engine (apt-get remove docker.io) and the debian:bookworm-slim image")
    if not args.yes:
        print("run `drillbook clean --yes` to remove all of the above")
        return 0
    if cluster.state.exists():
        cluster.down(say)
    if images is not None:
        _remove_stacks_and_images(images)
    if ours:
        plugin.unlink()
        say(f"removed {plugin}")
    remove_tree(CACHE)
    say(f"removed {CACHE}")
    return 0


def _plugin_state(plugin: Path, ours: bool) -> str:
    if ours:
        return "drillbook's link (removed with --yes)"
    if plugin.exists() or plugin.is_symlink():
        return "not drillbook's (kept)"
    return "none"


def _our_images() -> list[Any]:
    from drillbook.host import engine

    client = engine.connect()
    try:
        return [
            image
            for image in client.images.list()
            if image.tags and all(tag.startswith("drillbook/") for tag in image.tags)
        ]
    finally:
        client.close()


def _remove_stacks_and_images(images: list[Any]) -> None:
    from drillbook.host import engine
    from drillbook.stack import reaper

    client = engine.connect()
    try:
        removed = reaper.remove_all(client)
        say(f"removed {removed} objects of drillbook's stacks")
        for image in images:
            client.images.remove(image.id, force=True)
        say(f"removed {len(images)} images")
    finally:
        client.close()
