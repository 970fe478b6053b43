"""The network rule: traffic drillbook makes goes only to ports published on 127.0.0.1.

Probes, load, runbook HTTP steps and provider control calls all pass through
`require_loopback`, so the rule is enforced in one place.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from drillbook.errors import DrillbookError

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})


def is_loopback_url(url: str) -> bool:
    """Whether `url` is http(s) to a port on this machine's loopback, and nothing else.

    Parsed, not matched by prefix: `http://127.0.0.1:1@10.0.0.1/` names the host 10.0.0.1.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and parts.username is None
        and parts.password is None
        and parts.hostname in LOOPBACK_HOSTS
        and port is not None
    )


def require_loopback(url: str) -> None:
    """Refuse any URL but a port published on this machine's loopback."""
    if not is_loopback_url(url):
        raise DrillbookError(
            f"refusing to send traffic to {url}: drillbook only targets 127.0.0.1",
            "point it at a port the stack published on 127.0.0.1",
        )


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now, for something of the run's to bind a moment later."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
