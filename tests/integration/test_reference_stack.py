"""The reference stack, as started for the session: wiring, isolation, links, restarts."""

from __future__ import annotations

import time

import httpx
import pytest

from drillbook.stack import Stack, labels

pytestmark = pytest.mark.integration

KEY = {"X-API-Key": "drillbook-dev-key"}


def test_every_service_is_ready_and_published_on_loopback_only(drillbook_stack: Stack) -> None:
    assert set(drillbook_stack.services) == set(drillbook_stack.spec.services)
    for service in drillbook_stack.services.values():
        c = service.docker
        c.reload()
        assert c.status == "running", service.name
        assert c.labels[labels.MANAGED] == "true"
        assert c.labels[labels.RUN] == drillbook_stack.run_id
        bindings = [b for bs in c.ports.values() for b in bs or []]
        assert bindings and all(b["HostIp"] == "127.0.0.1" for b in bindings), service.name
        networks = c.attrs["NetworkSettings"]["Networks"]
        assert len(networks) == 1
        (net,) = networks.values()
        assert service.name in net["Aliases"]


def test_api_writes_and_reads_through_postgres_and_redis(drillbook_stack: Stack) -> None:
    api = drillbook_stack.service("api").url
    ready = httpx.get(f"{api}/ready").json()
    assert ready["status"] == "ready"
    assert ready["dependencies"]["database"]["ok"] and ready["dependencies"]["cache"]["ok"]
    created = httpx.post(f"{api}/v1/documents", json={"title": "t", "body": "b"}, headers=KEY)
    assert created.status_code == 201
    doc_id = created.json()["id"]
    # The row is in PostgreSQL itself, not only in the cache.
    code, out = drillbook_stack.service("postgres").exec(
        [
            "psql",
            "-U",
            "drillbook",
            "-d",
            "drillbook",
            "-tAc",
            f"SELECT title FROM documents WHERE id = {int(doc_id)}",
        ]
    )
    assert code == 0 and out.strip() == "t"
    # And in Redis, read back through the api from the cache.
    assert httpx.get(f"{api}/v1/documents/{doc_id}", headers=KEY).json()["cached"] is True
    code, out = drillbook_stack.service("redis").exec(["redis-cli", "EXISTS", f"doc:{doc_id}"])
    assert out.strip() == "1"


def test_api_reaches_redis_only_through_its_toxiproxy_link(drillbook_stack: Stack) -> None:
    api = drillbook_stack.service("api").url
    link = drillbook_stack.link("redis")
    assert link.upstream == "redis:6379"
    link.disable()
    try:
        assert not link.enabled()
        ready = httpx.get(f"{api}/ready")
        # Without Redis the api serves on, degraded (see the api's degraded modes).
        assert ready.status_code == 200 and ready.json()["status"] == "degraded"
        assert ready.json()["dependencies"]["cache"]["ok"] is False
        assert ready.json()["dependencies"]["database"]["ok"] is True
    finally:
        link.enable()
    assert httpx.get(f"{api}/ready").status_code == 200


def test_a_restart_keeps_the_published_port(drillbook_stack: Stack) -> None:
    provider = drillbook_stack.service("provider")
    before = provider.host_port
    provider.restart(timeout_s=2)
    provider.wait_ready(timeout_s=30)
    assert provider.host_port == before
    assert httpx.get(f"{provider.url}/health").json()["status"] == "ok"


def test_the_api_reconnects_to_redis_after_a_kill_by_itself(drillbook_stack: Stack) -> None:
    api = drillbook_stack.service("api")
    redis = drillbook_stack.service("redis")
    redis.kill()
    try:
        assert httpx.get(f"{api.url}/ready").json()["status"] == "degraded"
    finally:
        redis.start()
        redis.wait_ready()
    deadline = time.monotonic() + 10
    while httpx.get(f"{api.url}/ready").json()["status"] != "ready":
        assert time.monotonic() < deadline, "api did not reconnect to Redis within 10 s"
        time.sleep(0.1)


def _containers_of(stack: Stack, service: str) -> list[str]:
    f = labels.managed_filter(**{labels.RUN: stack.run_id, labels.SERVICE: service})
    return [c.status for c in stack.client.containers.list(all=True, filters=f)]


def test_recreate_changes_the_environment_and_keeps_the_port(drillbook_stack: Stack) -> None:
    before = drillbook_stack.service("provider")
    try:
        changed = drillbook_stack.recreate("provider", env={"PROVIDER_MODEL": "sim-changed"})
        assert changed.host_port == before.host_port
        assert httpx.get(f"{changed.url}/health").json()["model"] == "sim-changed"
        assert _containers_of(drillbook_stack, "provider") == ["running"]
    finally:
        restored = drillbook_stack.recreate("provider")
    assert httpx.get(f"{restored.url}/health").json()["model"] == "sim-primary"


def test_scale_runs_replicas_under_one_network_name(drillbook_stack: Stack) -> None:
    try:
        drillbook_stack.scale("provider", 3)
        assert _containers_of(drillbook_stack, "provider") == ["running"] * 3
        for replica in drillbook_stack.replicas["provider"]:
            assert httpx.get(f"{replica.url}/health").status_code == 200
            aliases = next(iter(replica.docker.attrs["NetworkSettings"]["Networks"].values()))
            assert "provider" in aliases["Aliases"]
        drillbook_stack.scale("provider", 0)
        assert _containers_of(drillbook_stack, "provider") == ["exited"]
    finally:
        drillbook_stack.scale("provider", 1)
    assert _containers_of(drillbook_stack, "provider") == ["running"]
