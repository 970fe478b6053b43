"""A run killed with its faults in leaves nothing behind once the next session starts.

All of a fault's state lives in the containers of its run (rules in a container's network
namespace, processes in its cgroup, a paused cgroup): reaping the run's containers, as every
session start does, removes it, and the host's own firewall is never touched.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import docker
import pytest

from drillbook.faults.access import MARKER
from drillbook.stack import labels, load_stack_spec, reaper
from drillbook.stack.images import ensure_images

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
REDIS_CONTEXT = ROOT / "fixtures" / "images" / "redis"

KILLED_RUN = """
import json, os, sys
from drillbook.faults import make_fault
from drillbook.stack import Stack, load_stack_spec
stack = Stack(load_stack_spec(sys.argv[1])).up()
for kind in ("reject", "cpu-stress", "disk-fill", "pause"):
    make_fault(stack, kind, service="redis").inject()
container = stack.service("redis").docker
container.reload()
print(json.dumps({"run": stack.run_id, "pid": container.attrs["State"]["Pid"]}), flush=True)
os.kill(os.getpid(), 9)
"""


def test_faults_of_a_killed_run_go_with_its_containers(tmp_path: Path) -> None:
    client = docker.from_env()
    path = tmp_path / "mini.yaml"
    path.write_text(
        "name: mini\n"
        "services:\n"
        f"  redis:\n    build: {{context: {REDIS_CONTEXT}}}\n    port: 6379\n"
        "    tmpfs: {/data: 'size=8m,uid=100,gid=101'}\n"
        "    ready: {command: [redis-cli, ping], expect: PONG}\n"
    )
    ensure_images(client, load_stack_spec(path))
    process = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, str(path)], capture_output=True, text=True, cwd=ROOT
    )
    assert process.returncode == -signal.SIGKILL, process.stderr
    run = json.loads(process.stdout)
    f = labels.managed_filter(**{labels.RUN: run["run"]})
    (container,) = client.containers.list(all=True, filters=f)
    assert container.status == "paused"
    rules = subprocess.run(
        ["nsenter", "-t", str(run["pid"]), "-n", "iptables-save"], capture_output=True, text=True
    ).stdout
    assert MARKER in rules, "the killed run's rules were never in the container's namespace?"
    host = subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    assert MARKER not in host

    assert reaper.reap_dead_runs(client) >= 2  # the paused container and the network

    assert client.containers.list(all=True, filters=f) == []
    assert client.networks.list(filters=f) == []
    assert MARKER not in subprocess.run(["iptables-save"], capture_output=True, text=True).stdout
    client.close()
