"""Compose files as stacks, on the real Docker Compose and engine.

The project: our Redis image standing in for the user's `redis:7`, our provider image for
their web service, a worker without ports, and a Toxiproxy link web -> redis.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from drillbook.faults import make_fault
from drillbook.runbooks.executor import Executor
from drillbook.runbooks.parser import parse_text
from drillbook.runbooks.status import StepStatus
from drillbook.stack import Stack, labels, load_stack_spec
from drillbook.stack.compose.model import PROXY
from drillbook.stack.compose.project import PROJECT_LABEL
from drillbook.stack.images import ensure_images, image_ref
from drillbook.stack.spec import StackSpec
from tests.processes import at_a_terminal

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]

COMPOSE = """\
services:
  redis:
    image: redis:7
    container_name: {container_name}
    ports: ["127.0.0.1:{user_port}:6379"]
    tmpfs: ["/data:size=16m,uid=100,gid=101"]
    mem_limit: 128m
    volumes: [state:/state]
    healthcheck: {{test: [CMD, redis-cli, ping], interval: 1s, retries: 30}}
  web:
    image: shop/web:1
    ports: ["127.0.0.1:{web_port}:8000"]
    environment: {{CACHE_URL: "redis://redis:6379/0"}}
    depends_on: {{redis: {{condition: service_healthy}}}}
    healthcheck:
      test: [CMD, python3, -c, "import urllib.request as u; u.urlopen('http://localhost:8000/health')"]
      interval: 1s
      retries: 60
  worker:
    image: shop/worker:1
    command: [redis-server, --port, "7000"]
    healthcheck: {{test: [CMD, redis-cli, -p, "7000", ping], interval: 1s, retries: 30}}
volumes:
  state: {{}}
x-drillbook:
  name: shop
  links: [{{from: web, to: redis}}]
  stand-ins: {{redis: redis, web: provider, worker: redis}}
"""

# From the web container, a PING to Redis at an address; prints the seconds it took.
PING = (
    "import socket, sys, time; t = time.monotonic(); "
    "c = socket.create_connection((sys.argv[1], 6379), timeout=3); c.sendall(b'PING\\r\\n'); "
    "assert c.recv(16).startswith(b'+PONG'); print(round(time.monotonic() - t, 3))"
)


@pytest.fixture(scope="module")
def client() -> Iterator[docker.DockerClient]:
    from drillbook.host import engine

    c = engine.connect()
    yield c
    c.close()


@pytest.fixture(scope="module")
def compose_file(tmp_path_factory: pytest.TempPathFactory, client: docker.DockerClient) -> Path:
    folder = tmp_path_factory.mktemp("shop")
    path = folder / "compose.yml"
    path.write_text(COMPOSE.format(container_name="shop-redis", user_port=16379, web_port=18080))
    ensure_images(client, load_stack_spec(path))
    return path


@pytest.fixture(scope="module")
def stack(compose_file: Path, client: docker.DockerClient) -> Iterator[Stack]:
    with Stack(load_stack_spec(compose_file), client=client) as running:
        yield running


def ping(stack: Stack, address: str) -> tuple[int, str]:
    return stack.service("web").exec(["python3", "-c", PING, address])


def test_every_service_is_up_on_loopback_under_the_runs_project(stack: Stack) -> None:
    endpoints = stack.endpoints()
    assert set(endpoints["services"]) == {"redis", "web", "worker", PROXY}
    for name in ("redis", "web", PROXY):
        assert endpoints["services"][name]["host"] == "127.0.0.1"
        assert endpoints["services"][name]["port"] not in (0, 16379, 18080), name
    assert stack.compose is not None
    for service in stack.services.values():
        assert service.docker.labels[PROJECT_LABEL] == stack.compose.name
        assert service.docker.labels[labels.RUN] == stack.run_id
        assert stack.compose.name.startswith("drillbook-shop-")
    assert endpoints["links"]["web-redis"]["upstream"] == "redis:6379"


def test_the_link_carries_the_traffic_and_takes_toxics(stack: Stack) -> None:
    assert (
        stack.service("web")
        .docker.attrs["Config"]["Env"]
        .count(f"CACHE_URL=redis://{PROXY}:6379/0")
    )
    code, out = ping(stack, PROXY)
    assert code == 0, out
    with make_fault(stack, "latency", link="web-redis", latency_ms=400):
        code, out = ping(stack, PROXY)
        assert code == 0 and float(out) >= 0.4, out
    with make_fault(stack, "link-down", link="web-redis"):
        assert ping(stack, PROXY)[0] != 0
    assert ping(stack, PROXY)[0] == 0


def test_container_faults_act_on_compose_services_by_name(stack: Stack) -> None:
    redis = stack.service("redis")
    with make_fault(stack, "kill", service="redis"):
        assert redis.status() == "exited"
    assert redis.status() == "running"
    with make_fault(stack, "pause", service="redis"):
        assert redis.status() == "paused"
    redis.wait_ready(timeout_s=30)
    with make_fault(stack, "partition", service="redis"):
        assert ping(stack, "redis")[0] != 0
    assert ping(stack, "redis")[0] == 0
    with make_fault(stack, "disk-fill", service="redis"):
        _, out = redis.exec(["df", "--output=pcent", "/data"])
        assert "100%" in out, out
    with make_fault(stack, "memory-hog", service="redis", mb=32):  # under its mem_limit
        stats = redis.docker.stats(stream=False)
        assert stats["memory_stats"]["usage"] >= 32 << 20
    stack.reset()
    assert redis.exec(["redis-cli", "ping"]) == (0, "PONG\n")


def test_scale_runs_replicas_through_compose_and_reset_scales_back(stack: Stack) -> None:
    stack.scale("worker", 3)
    assert len(stack.replicas["worker"]) == 2
    for replica in stack.replicas["worker"]:
        assert replica.status() == "running"
    stack.reset()
    assert "worker" not in stack.replicas
    assert stack.compose is not None
    assert len(stack.compose.containers()["worker"]) == 1


RUNBOOK = """\
# Redis down
## Symptoms
Cache errors.
## Resolution
```bash
docker-compose -f docker-compose.production.yml restart redis
docker compose exec redis redis-cli ping
docker-compose up -d --scale worker=2
docker-compose -f docker-compose.production.yml logs -f worker
```
"""


def test_runbook_compose_lines_run_as_written_through_the_real_compose(stack: Stack) -> None:
    redis = stack.service("redis")
    started = redis.docker.attrs["State"]["StartedAt"]
    (runbook,) = parse_text(RUNBOOK, "redis-down.md").runbooks
    execution = Executor(stack).run(runbook)
    restart, ping_, _, follow = execution.results
    assert all(r.status is StepStatus.OK for r in execution.results), execution.report()
    assert restart.actions == ("docker compose -f docker-compose.production.yml restart redis",)
    redis.docker.reload()
    assert redis.docker.attrs["State"]["StartedAt"] != started  # restarted, same container
    assert stack.service("redis") is redis
    assert ping_.output.strip() == "PONG"
    assert stack.compose is not None
    assert len(stack.compose.containers()["worker"]) == 2  # the run's project, not "prod"
    assert len(stack.replicas["worker"]) == 1
    assert "followed for" in follow.output
    stack.reset()
    assert len(stack.compose.containers()["worker"]) == 1


def project_objects(client: docker.DockerClient, project: str) -> list[str]:
    found = [
        c.name
        for c in client.containers.list(all=True, filters={"label": f"{PROJECT_LABEL}={project}"})
    ]
    found += [n.name for n in client.networks.list(filters={"label": f"{PROJECT_LABEL}={project}"})]
    found += [v.name for v in client.volumes.list(filters={"label": f"{PROJECT_LABEL}={project}"})]
    return sorted(str(x) for x in found)


def test_the_users_own_project_of_the_same_file_is_untouched(
    tmp_path: Path, client: docker.DockerClient, compose_file: Path
) -> None:
    spec: StackSpec = load_stack_spec(compose_file)
    # The user's own copy of the file, runnable here: our images under their image names.
    own = tmp_path / "shop" / "compose.yml"
    own.parent.mkdir()
    text = COMPOSE.format(container_name="shop-redis-own", user_port=26379, web_port=28080)
    for name in ("redis", "web", "worker"):
        text = text.replace(
            f"image: {spec.compose.config['services'][name]['image']}" if spec.compose else "",
            f"image: {image_ref(spec.services[name])}",
            1,
        )
    own.write_text(text)
    user = ["docker", "compose", "-f", str(own)]  # their project name: the folder's, "shop"
    subprocess.run([*user, "up", "-d", "--wait"], check=True, capture_output=True, timeout=180)
    try:
        before = {
            c.name: c.id for c in client.containers.list(filters={"label": f"{PROJECT_LABEL}=shop"})
        }
        assert "shop-redis-own" in before
        with Stack(load_stack_spec(str(own)), client=client) as ours:
            assert ours.compose is not None and ours.compose.name != "shop"
            with make_fault(ours, "kill", service="redis"):
                pass
            project = ours.compose.name
        after = {
            c.name: c.id for c in client.containers.list(filters={"label": f"{PROJECT_LABEL}=shop"})
        }
        assert after == before  # same containers, all still running
        assert client.volumes.get("shop_state")  # their data volume is still there
        assert project_objects(client, project) == []
    finally:
        subprocess.run([*user, "down", "-v"], check=False, capture_output=True, timeout=120)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_run_takes_its_project_down(
    compose_file: Path, client: docker.DockerClient, stop: signal.Signals
) -> None:
    code = (
        "import sys, time\n"
        "from drillbook.drills.interrupt import unwind_on_sigterm\n"
        "from drillbook.stack import Stack, load_stack_spec\n"
        "unwind_on_sigterm()\n"
        "with Stack(load_stack_spec(sys.argv[1])) as s:\n"
        "    print(s.compose.name, flush=True)\n"
        "    time.sleep(120)\n"
    )
    process = subprocess.Popen(
        at_a_terminal([sys.executable, "-c", code, str(compose_file)]),
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,
    )
    assert process.stdout is not None
    project = process.stdout.readline().strip()
    assert project.startswith("drillbook-shop-")
    assert len(project_objects(client, project)) >= 5  # 4 containers, network, volume
    time.sleep(0.5)
    process.send_signal(stop)
    process.wait(timeout=120)
    assert project_objects(client, project) == []
