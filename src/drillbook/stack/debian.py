"""Debian packages on the host, installed with apt-get (as root) when something needs them."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

from drillbook.errors import DrillbookError


def apt_install(packages: Sequence[str]) -> None:
    """`apt-get update` then install `packages`; a DrillbookError with apt's words if it fails."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for argv in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", *packages],
    ):
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise DrillbookError(
                f"`{' '.join(argv)}` failed: {result.stderr.strip()[-500:]}",
                "check that Debian's package mirror is reachable",
            )
