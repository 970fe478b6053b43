"""A drill SIGKILLed on a cluster: its namespace and its endpoint watches are the next run's
to end (or `drillbook cluster down`'s), and the loopback relays died with it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from contextlib import suppress
from pathlib import Path

import pytest

from drillbook.cluster import Cluster, ClusterInfo
from drillbook.stack.open import kubernetes_stack
from drillbook.stack.reaper import marked_processes

pytestmark = pytest.mark.k8s

SRC = str(Path(__file__).resolve().parents[2] / "src")
REDIS = Path(__file__).resolve().parents[2] / "fixtures" / "kubernetes" / "redis.yaml"


def namespace_phase(cluster: ClusterInfo, namespace: str) -> str | None:
    result = subprocess.run(
        [str(cluster.kubectl), "--kubeconfig", str(cluster.kubeconfig), "--context",
         cluster.context, "get", "namespace", namespace, "-o", "json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return json.loads(result.stdout)["status"]["phase"] if result.returncode == 0 else None


def test_a_killed_runs_namespace_is_deleted_by_the_next_run(
    drillbook_cluster: ClusterInfo, tmp_path: Path
) -> None:
    (tmp_path / "redis.yaml").write_text(REDIS.read_text())
    (tmp_path / "drillbook.yaml").write_text("name: killed\nentry: redis\n")
    child = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from drillbook.cluster import Cluster
        from drillbook.stack.open import kubernetes_stack
        cluster = Cluster.default()
        with kubernetes_stack(Path({str(tmp_path)!r}), cluster.up(), cluster.import_image,
                              lambda m: None) as stack:
            print(stack.namespace, stack.service("redis").host_port, flush=True)
            time.sleep(600)
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", child], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": SRC}, start_new_session=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        namespace, port = proc.stdout.readline().split()
    finally:
        os.kill(proc.pid, signal.SIGKILL)  # the drill alone: the kubectl it started lives on
        proc.wait()
    try:
        run_id = namespace.rsplit("-", 1)[1]
        assert namespace_phase(drillbook_cluster, namespace) == "Active"  # SIGKILL: no clean-up
        assert [m for m in marked_processes() if m.run_id == run_id], "its watch is marked"
        with pytest.raises(ConnectionRefusedError):  # the relay was the killed process's thread
            socket.create_connection(("127.0.0.1", int(port)), timeout=2).close()

        with kubernetes_stack(
            tmp_path, drillbook_cluster, Cluster.default().import_image, lambda m: None
        ):
            # the next run's `up` reaped what the killed one left
            assert namespace_phase(drillbook_cluster, namespace) in (None, "Terminating")
            assert not [m for m in marked_processes() if m.run_id == run_id]
    finally:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # whatever of the killed run is left
    deadline = time.monotonic() + 90
    while namespace_phase(drillbook_cluster, namespace) is not None:
        assert time.monotonic() < deadline, f"{namespace} still there"
        time.sleep(1)
