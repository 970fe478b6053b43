"""Every fault type on the real reference stack: its effect is seen, and revert undoes it.

Each test checks the stack is fully ready first, injects, shows the effect through the api
(or on the service itself), reverts, and the fixture then checks that the api is fully ready
again and that no trace of any fault is left (drillbook.faults.find_leftovers).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from drillbook.errors import DrillbookError
from drillbook.faults import Fault, FaultParamError, find_leftovers, make_fault
from drillbook.faults.access import in_netns
from drillbook.stack import Stack
from tests.integration.test_reference_service import KEY, metric, until

pytestmark = pytest.mark.integration


def ready(api: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{api}/ready", timeout=15).json()
    return body


def fully_ready(api: str) -> bool:
    try:
        return ready(api)["status"] == "ready"
    except httpx.HTTPError:
        return False


def dep(api: str, name: str) -> dict[str, Any]:
    checks: dict[str, Any] = ready(api)["dependencies"][name]
    return checks


def write(api: str, body: str = "body text about recovery") -> httpx.Response:
    return httpx.post(
        f"{api}/v1/documents", headers=KEY, timeout=15, json={"title": "fault test", "body": body}
    )


def read(api: str, doc_id: int) -> httpx.Response:
    return httpx.get(f"{api}/v1/documents/{doc_id}", headers=KEY, timeout=15)


@pytest.fixture
def api(drillbook_stack: Stack) -> Iterator[str]:
    url = drillbook_stack.service("api").url
    until(lambda: fully_ready(url), 30, "steady state")
    yield url
    until(lambda: fully_ready(url), 30, "recovery after revert")
    assert find_leftovers(drillbook_stack) == []


@pytest.fixture
def fault(drillbook_stack: Stack) -> Iterator[Callable[..., Fault[Any]]]:
    """Make faults that are reverted after the test whatever happens (the finalizer path)."""
    made: list[Fault[Any]] = []

    def make(kind: str, **params: Any) -> Fault[Any]:
        f = make_fault(drillbook_stack, kind, **params)
        made.append(f)
        return f

    yield make
    for f in reversed(made):
        f.revert()


# -- container --------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["kill", "stop", "pause"])
def test_container_fault_takes_redis_away_from_the_api(
    kind: str, api: str, fault: Callable[..., Fault[Any]], drillbook_stack: Stack
) -> None:
    f = fault(kind, service="redis", **({"grace_s": 1} if kind == "stop" else {}))
    f.inject()
    state = drillbook_stack.service("redis").status()
    assert state == {"kill": "exited", "stop": "exited", "pause": "paused"}[kind]
    assert dep(api, "cache")["ok"] is False
    f.revert()
    assert drillbook_stack.service("redis").status() == "running"
    until(lambda: dep(api, "cache")["ok"], 10, "cache back")


def test_restart_gives_a_new_process(
    api: str, fault: Callable[..., Fault[Any]], drillbook_stack: Stack
) -> None:
    redis = drillbook_stack.service("redis").docker
    before = redis.attrs["State"]["StartedAt"]
    f = fault("restart", service="redis", grace_s=1)
    f.inject()
    redis.reload()
    assert redis.attrs["State"]["StartedAt"] != before
    f.revert()
    until(lambda: dep(api, "cache")["ok"], 10, "cache back")


def test_crash_loop_from_a_bad_config_until_reverted(
    api: str, fault: Callable[..., Fault[Any]], drillbook_stack: Stack
) -> None:
    f = fault("crash-loop", service="api", env="DEPENDENCY_TIMEOUT_S=not-a-number")
    f.inject()

    def restarting() -> bool:
        c = drillbook_stack.service("api").docker
        c.reload()
        return int(c.attrs["RestartCount"]) >= 1

    until(restarting, 20, "the api restarting over and over")
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{api}/health", timeout=2)
    f.revert()
    assert httpx.get(f"{api}/health", timeout=2).status_code == 200


# -- resources --------------------------------------------------------------------------
def test_disk_fill_makes_redis_writes_hit_enospc(
    api: str, fault: Callable[..., Fault[Any]], drillbook_stack: Stack
) -> None:
    redis = drillbook_stack.service("redis")
    f = fault("disk-fill", service="redis")
    f.inject()
    code, out = redis.exec(["sh", "-c", "head -c 4096 /dev/zero > /data/probe"])
    assert code != 0 and "No space left on device" in out
    # The api's next write reaches Redis' append-only file, which cannot grow: Redis fails,
    # says so in its log (from now on: earlier tests may have filled it before) and then
    # refuses writes.
    since = int(time.time())
    write(api)

    def enospc() -> bool:
        return "No space left on device" in bytes(redis.docker.logs(since=since)).decode()

    until(enospc, 10, "Redis hitting ENOSPC")
    code, out = redis.exec(["redis-cli", "SET", "disk:probe", "1"])
    assert "MISCONF" in out, out
    f.revert()
    code, out = drillbook_stack.service("redis").exec(
        ["sh", "-c", "head -c 4096 /dev/zero > /data/probe"]
    )
    assert code == 0, out
    drillbook_stack.service("redis").exec(["rm", "-f", "/data/probe"])


def _memory(stack: Stack, service: str) -> int:
    _, out = stack.service(service).exec(["cat", "/sys/fs/cgroup/memory/memory.usage_in_bytes"])
    return int(out)


def test_memory_hog_holds_memory_in_the_service(
    api: str, fault: Callable[..., Fault[Any]], drillbook_stack: Stack
) -> None:
    before = _memory(drillbook_stack, "api")
    f = fault("memory-hog", service="api", mb=120)
    f.inject()
    until(lambda: _memory(drillbook_stack, "api") - before > 100 * 2**20, 10, "120 MiB held")
    f.revert()
    assert _memory(drillbook_stack, "api") - before < 50 * 2**20


def test_oom_kills_the_service_itself(
    api: str, fault: Callable[..., Fault[Any]], drillbook_stack: Stack
) -> None:
    f = fault("oom", service="api")
    f.inject()
    container = drillbook_stack.service("api").docker
    until(lambda: container.reload() or container.status == "exited", 20, "the api killed")
    assert container.attrs["State"]["OOMKilled"] is True
    f.revert()


def test_cpu_stress_burns_a_cpu_in_the_service(
    api: str, fault: Callable[..., Fault[Any]], drillbook_stack: Stack
) -> None:
    def cpu_s_per_s() -> float:
        def usage() -> int:
            path = "/sys/fs/cgroup/cpuacct/cpuacct.usage"
            return int(drillbook_stack.service("api").exec(["cat", path])[1])

        start, t0 = usage(), time.monotonic()
        time.sleep(1.0)
        return (usage() - start) / 1e9 / (time.monotonic() - t0)

    f = fault("cpu-stress", service="api", workers=1)
    f.inject()
    stressed = cpu_s_per_s()
    f.revert()
    idle = cpu_s_per_s()
    # Ratios within one run: on a loaded 2-core machine a busy loop gets less than a core.
    assert stressed > 0.5 and stressed > 3 * idle, (stressed, idle)
    assert idle < 0.5


# -- network through Toxiproxy ----------------------------------------------------------
def test_latency_slows_every_redis_call(api: str, fault: Callable[..., Fault[Any]]) -> None:
    f = fault("latency", link="api-redis", latency_ms=400, jitter_ms=20)
    f.inject()
    assert dep(api, "cache")["latency_ms"] >= 380
    f.revert()
    assert dep(api, "cache")["latency_ms"] < 200


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("timeout", {"timeout_ms": 0}),
        ("reset-peer", {"timeout_ms": 0}),
        ("link-down", {}),
        ("latency", {"latency_ms": 1500, "stream": "upstream"}),
    ],
)
def test_network_fault_fails_the_api_redis_calls(
    kind: str, params: dict[str, Any], api: str, fault: Callable[..., Fault[Any]]
) -> None:
    f = fault(kind, link="redis", **params)
    f.inject()
    assert dep(api, "cache")["ok"] is False
    f.revert()
    until(lambda: dep(api, "cache")["ok"], 10, "cache back")


def test_toxicity_zero_spares_every_connection(
    api: str, drillbook_fault: Callable[..., Fault[Any]], drillbook_stack: Stack
) -> None:
    drillbook_fault("timeout", link="api-redis", toxicity=0.0)
    (toxic,) = drillbook_stack.link("redis").toxics()
    assert toxic.type == "timeout" and toxic.toxicity == 0.0
    assert all(dep(api, "cache")["ok"] for _ in range(5))
    # No revert here: the drillbook_fault fixture reverts it, before `api` checks leftovers.


def _cached_read_s(api: str, doc_id: int) -> float:
    start = time.monotonic()
    response = read(api, doc_id)
    assert response.status_code == 200 and response.json()["cached"] is True
    return time.monotonic() - start


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("bandwidth", {"rate_kbps": 64}),
        ("slicer", {"average_size": 500, "size_variation": 100, "delay_us": 20_000}),
    ],
)
def test_slow_link_stretches_a_large_cached_read(
    kind: str, params: dict[str, Any], api: str, fault: Callable[..., Fault[Any]]
) -> None:
    doc_id = write(api, "x" * 40_000).json()["id"]
    read(api, doc_id)  # cached now
    assert _cached_read_s(api, doc_id) < 0.3
    f = fault(kind, link="api-redis", **params)
    f.inject()
    # 40 KB at 64 KB/s, or 80 slices 20 ms apart: more than half a second either way.
    assert _cached_read_s(api, doc_id) > 0.5
    f.revert()
    assert _cached_read_s(api, doc_id) < 0.3


def test_limit_data_cuts_a_large_cached_read(api: str, fault: Callable[..., Fault[Any]]) -> None:
    doc_id = write(api, "y" * 8_000).json()["id"]
    assert read(api, doc_id).json()["cached"] is True
    f = fault("limit-data", link="api-redis", bytes=2_000)
    f.inject()
    # The cache connection is closed mid-reply; the api falls back to PostgreSQL.
    assert read(api, doc_id).json()["cached"] is False
    f.revert()
    until(lambda: read(api, doc_id).json()["cached"] is True, 10, "cache read again")


# -- network in the kernel --------------------------------------------------------------
def test_partition_hangs_and_reject_resets_the_redis_calls(
    api: str, fault: Callable[..., Fault[Any]]
) -> None:
    drop = fault("partition", service="redis", peer="toxiproxy")
    drop.inject()
    cache = dep(api, "cache")
    assert cache["ok"] is False and cache["latency_ms"] >= 900  # hangs until the timeout
    drop.revert()
    until(lambda: dep(api, "cache")["ok"], 10, "cache back")
    reject = fault("reject", service="redis", peer="toxiproxy")
    reject.inject()
    cache = dep(api, "cache")
    assert cache["ok"] is False and cache["latency_ms"] < 900  # refused at once
    assert cache["error"].startswith("ConnectionError")  # reset or closed, not a timeout
    reject.revert()
    until(lambda: dep(api, "cache")["ok"], 10, "cache back")


def test_packet_loss_drops_packets_at_random(
    api: str, fault: Callable[..., Fault[Any]], drillbook_stack: Stack
) -> None:
    f = fault("packet-loss", service="redis", peer="toxiproxy", probability=0.5)
    f.inject()
    redis = drillbook_stack.service("redis").docker
    for _ in range(10):
        ready(api)
    counts = in_netns(redis, ["iptables", "-L", "INPUT", "-v", "-n", "-x"])
    rule = next(line for line in counts.splitlines() if "statistic" in line)
    assert int(rule.split()[0]) > 0, counts  # packets dropped by the rule
    f.revert()
    assert "statistic" not in in_netns(redis, ["iptables-save"])


# -- provider ---------------------------------------------------------------------------
def _chat(stack: Stack, timeout: float = 5.0) -> httpx.Response:
    return httpx.post(
        f"{stack.service('provider').url}/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "hello"}]},
        timeout=timeout,
    )


def test_provider_faults(
    api: str, fault: Callable[..., Fault[Any]], drillbook_stack: Stack
) -> None:
    hang = fault("provider-hang")
    hang.inject()
    with pytest.raises(httpx.ReadTimeout):
        _chat(drillbook_stack, timeout=1.0)
    hang.revert()
    slow = fault("provider-latency", latency_ms=600)
    errors = fault("provider-errors", rate=1.0)
    slow.inject()
    errors.inject()  # layered: both hold
    start = time.monotonic()
    assert _chat(drillbook_stack).status_code == 500
    assert time.monotonic() - start >= 0.6
    errors.revert()  # only its own fields go back
    start = time.monotonic()
    assert _chat(drillbook_stack).status_code == 200
    assert time.monotonic() - start >= 0.6
    slow.revert()
    limited = fault("provider-rate-limit", rate=1.0)
    limited.inject()
    assert _chat(drillbook_stack).status_code == 429
    limited.revert()
    start = time.monotonic()
    assert _chat(drillbook_stack).status_code == 200
    assert time.monotonic() - start < 0.5


# -- data -------------------------------------------------------------------------------
def test_cache_flush_empties_redis(
    api: str, fault: Callable[..., Fault[Any]], drillbook_stack: Stack
) -> None:
    doc_id = write(api).json()["id"]
    read(api, doc_id)
    assert read(api, doc_id).json()["cached"] is True
    f = fault("cache-flush")
    f.inject()
    assert drillbook_stack.service("redis").exec(["redis-cli", "DBSIZE"])[1].strip() == "0"
    assert read(api, doc_id).json()["cached"] is False
    f.revert()


def _rows(stack: Stack, sql: str) -> str:
    argv = ["psql", "-U", "drillbook", "-d", "drillbook", "-tAc", sql]
    code, out = stack.service("postgres").exec(argv)
    assert code == 0, out
    return out.strip()


def test_table_drop_fails_writes_and_revert_brings_every_row_back(
    api: str, fault: Callable[..., Fault[Any]], drillbook_stack: Stack
) -> None:
    assert write(api).status_code == 201
    count = _rows(drillbook_stack, "SELECT count(*) FROM documents")
    f = fault("table-drop", table="documents")
    f.inject()
    assert write(api).status_code >= 500
    assert _rows(drillbook_stack, "SELECT to_regclass('documents') IS NULL") == "t"
    f.revert()
    assert _rows(drillbook_stack, "SELECT count(*) FROM documents") == count
    assert write(api).status_code == 201


# -- guarantees -------------------------------------------------------------------------
def test_bad_parameters_fail_before_anything_is_injected(api: str, drillbook_stack: Stack) -> None:
    with pytest.raises(FaultParamError, match="parameter 'link': unknown link 'api-nowhere'"):
        make_fault(drillbook_stack, "latency", link="api-nowhere", latency_ms=100)
    with pytest.raises(FaultParamError, match="'latency_ms': must be >= 0"):
        make_fault(drillbook_stack, "latency", link="api-redis", latency_ms=-5)
    with pytest.raises(FaultParamError, match="'probability': must be <= 1"):
        make_fault(drillbook_stack, "packet-loss", service="redis", probability=1.5)
    assert find_leftovers(drillbook_stack) == []


def test_revert_is_idempotent_and_undoes_a_failed_inject(api: str, drillbook_stack: Stack) -> None:
    f = make_fault(drillbook_stack, "latency", link="api-redis", latency_ms=300)
    f.revert()  # never injected: nothing to do
    with f:
        f.inject()  # already in: nothing more
        assert len(drillbook_stack.link("redis").toxics()) == 1
    f.revert()
    assert drillbook_stack.link("redis").toxics() == []
    # An inject that fails half-way is still undone by revert.
    table = make_fault(drillbook_stack, "table-drop", table="no_such_table")
    with pytest.raises(Exception, match="no table 'no_such_table'"):
        table.inject()
    assert table.active
    table.revert()
    assert not table.active


def test_a_failing_test_still_gets_its_fault_reverted(api: str, drillbook_stack: Stack) -> None:
    f = make_fault(drillbook_stack, "link-down", link="api-postgres")
    with pytest.raises(RuntimeError), f:
        assert not drillbook_stack.link("postgres").enabled()
        raise RuntimeError("the test fails while the fault is in")
    assert drillbook_stack.link("postgres").enabled()


@pytest.mark.parametrize("image", ["debian:bookworm-slim", "redis"])
@pytest.mark.parametrize("kind", ["kill", "pause", "cpu-stress", "partition", "disk-fill"])
def test_a_container_this_run_did_not_label_is_refused(
    kind: str, image: str, drillbook_stack: Stack
) -> None:
    # A plain container, and one from drillbook's own redis image, whose labels it inherits
    # but not those of this run: both are someone else's.
    ref = drillbook_stack.service("redis").docker.image.id if image == "redis" else image
    # Created, then started inside the try: a start that fails must not leave it behind.
    stranger = drillbook_stack.client.containers.create(
        ref, ["sleep", "infinity"], tmpfs={"/data": "size=16m"}
    )
    try:
        stranger.start()
        fake = SimpleNamespace(
            spec=drillbook_stack.spec,
            run_id=drillbook_stack.run_id,
            service=lambda name: SimpleNamespace(docker=stranger, name=name),
        )
        f = make_fault(fake, kind, service="redis")  # type: ignore[arg-type]
        with pytest.raises(DrillbookError, match="refusing to touch container"):
            f.inject()
        stranger.reload()
        assert stranger.status == "running"
        assert stranger.exec_run(["true"]).exit_code == 0
    finally:
        stranger.remove(force=True)


def test_connection_exhaustion_locks_the_api_out_until_reverted(
    api: str, fault: Callable[..., Fault[Any]], drillbook_stack: Stack
) -> None:
    f = fault("connection-exhaustion", connections=10)
    f.inject()
    # The api's sessions were ended and the role's limit is taken by the idle hog.
    until(lambda: write(api).status_code == 503, what="writes refused")
    assert dep(api, "database")["ok"] is False
    f.revert()
    until(lambda: write(api).status_code == 201, what="writes back")
    assert find_leftovers(drillbook_stack) == []


def _v1_requests(api: str) -> float:
    """Requests the api has answered on its /v1 routes (not /metrics, which we call)."""
    lines = httpx.get(f"{api}/metrics").text.splitlines()
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in lines
        if line.startswith("http_requests_total{") and 'route="/v1' in line
    )


def test_traffic_burst_drives_the_api_into_its_rate_limit(
    drillbook_stack: Stack, fault: Callable[..., Fault[Any]]
) -> None:
    # Only the burst's users send queries: the test reads the api's counter of rejections, so
    # a 429 can come from nothing but the burst.
    drillbook_stack.recreate("api", env={"RATE_LIMIT_PER_MINUTE": "300"})
    rejected = "rate_limit_rejections_total"
    try:
        api = drillbook_stack.service("api").url
        assert metric(api, rejected) == 0
        f = fault("traffic-burst", users=10)
        f.inject()
        until(lambda: metric(api, rejected) > 0, 60, "rate limited")
        assert _v1_requests(api) > 300  # the count below sees the burst
        f.revert()
        time.sleep(1.0)  # answers already on their way
        settled = _v1_requests(api)
        time.sleep(2.0)
        assert _v1_requests(api) == settled  # the burst has ended: nobody calls the api
    finally:
        drillbook_stack.recreate("api")
