"""Waiting for the cluster's parts to answer, and saying why when one does not."""

from __future__ import annotations

import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from drillbook.cluster.build import tail
from drillbook.errors import DrillbookError


def wait_until(what: str, ready: Callable[[], bool], timeout_s: float, log: Path) -> float:
    """Poll `ready` until it holds; the seconds it took. On timeout: an error with the log."""
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if ready():
            return time.monotonic() - start
        time.sleep(0.2)
    raise DrillbookError(
        f"{what} did not become ready within {timeout_s:.0f} s; {log.name} ends:\n{tail(log)}",
        f"full log: {log}; `drillbook cluster down` removes what was started",
    )


def http_ok(url: str, pki: Path | None = None, who: str = "admin") -> bool:
    """GET `url` answers 200 (over TLS with the cluster's CA and `who`'s certificate)."""
    context = None
    if pki is not None:
        context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        context.load_cert_chain(str(pki / f"{who}.crt"), str(pki / f"{who}.key"))
    try:
        with urllib.request.urlopen(url, context=context, timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError, ssl.SSLError):
        return False
