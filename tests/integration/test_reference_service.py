"""The reference RAG service's resilience, against its real dependencies.

Each test breaks one thing, checks the degraded mode the api documents, and puts the stack
back as it found it (the stack is shared by the whole test run).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import docker
import httpx
import pytest

from drillbook.stack import Stack, load_stack_spec

pytestmark = pytest.mark.integration

KEY = {"X-API-Key": "drillbook-dev-key"}


def until(check: Callable[[], bool], timeout_s: float = 15.0, what: str = "condition") -> float:
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < timeout_s, f"{what} not reached in {timeout_s:g} s"
        time.sleep(0.1)
    return time.monotonic() - start


def metric(api: str, line_start: str) -> float:
    for line in httpx.get(f"{api}/metrics").text.splitlines():
        if line.startswith(line_start):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.fixture
def api(drillbook_stack: Stack) -> Iterator[str]:
    url = drillbook_stack.service("api").url
    until(lambda: httpx.get(f"{url}/ready").json()["status"] == "ready", what="steady state")
    yield url
    # Whatever a test broke, the api must come back to full health by itself.
    until(lambda: httpx.get(f"{url}/ready").json()["status"] == "ready", 30, "recovery")


def write(api: str, title: str, mode: str | None = None) -> httpx.Response:
    params = {"mode": mode} if mode else None
    return httpx.post(
        f"{api}/v1/documents",
        params=params,
        headers=KEY,
        timeout=10,
        json={"title": title, "body": f"{title} body text about recovery"},
    )


def ask(api: str, question: str = "how to recover redis", timeout: float = 20) -> httpx.Response:
    return httpx.post(f"{api}/v1/query", headers=KEY, json={"query": question}, timeout=timeout)


def test_ready_reports_every_dependency(api: str) -> None:
    body = httpx.get(f"{api}/ready").json()
    assert set(body["dependencies"]) == {
        "database",
        "cache",
        "vectordb",
        "provider",
        "fallback_provider",
    }
    assert all(d["ok"] and d["latency_ms"] >= 0 for d in body["dependencies"].values())


def test_write_then_query_finds_the_document(api: str) -> None:
    created = write(api, "zebra migration checklist")
    assert created.status_code == 201
    answer = ask(api, "zebra migration checklist").json()
    assert answer["provider"] == "primary"
    assert created.json()["id"] in [s["id"] for s in answer["sources"]]
    assert "zebra" in answer["answer"]


def test_auth_failures_are_refused_and_counted(api: str) -> None:
    before = metric(api, "auth_failures_total")
    assert httpx.post(f"{api}/v1/query", json={"query": "x"}).status_code == 401
    assert (
        httpx.post(
            f"{api}/v1/query", json={"query": "x"}, headers={"X-API-Key": "stolen"}
        ).status_code
        == 401
    )
    assert metric(api, "auth_failures_total") == before + 2


def test_redis_down_serves_without_cache(drillbook_stack: Stack, api: str) -> None:
    link = drillbook_stack.link("redis")
    link.disable()
    try:
        ready = httpx.get(f"{api}/ready")
        assert ready.status_code == 200 and ready.json()["status"] == "degraded"
        assert ready.json()["dependencies"]["cache"]["ok"] is False
        answer = ask(api)
        assert answer.status_code == 200 and answer.json()["cached"] is False
        assert write(api, "direct while redis is down").status_code == 201
        # Queued ingestion needs Redis: refused cleanly, nothing acknowledged.
        assert write(api, "queued while redis is down", mode="queue").status_code == 503
    finally:
        link.enable()


def test_rate_limit_fails_closed_when_configured(drillbook_stack: Stack, api: str) -> None:
    drillbook_stack.recreate("api", env={"RATE_LIMIT_FAIL_OPEN": "false"})
    link = drillbook_stack.link("redis")
    try:
        link.disable()
        refused = ask(api)
        assert refused.status_code == 503
        # Refused for Redis (the rate limit's store), not for some other reason.
        assert refused.json()["error"] == "dependency unavailable"
        assert f":{link.spec.listen}" in refused.json()["detail"], refused.text  # Redis' link
    finally:
        link.enable()
        drillbook_stack.recreate("api")


def test_rate_limit_answers_429_with_retry_after(drillbook_stack: Stack, api: str) -> None:
    drillbook_stack.recreate("api", env={"RATE_LIMIT_PER_MINUTE": "3"})
    # The limit counts per clock minute: start well inside one, so all six requests share it.
    if time.time() % 60 > 45:
        time.sleep(60.5 - time.time() % 60)
    # Earlier requests of this minute count too: start from empty windows.
    drillbook_stack.service("redis").exec(
        [
            "redis-cli",
            "EVAL",
            "for _, k in ipairs(redis.call('KEYS', 'rl:*')) do redis.call('DEL', k) end",
            "0",
        ]
    )
    try:
        before = metric(api, "rate_limit_rejections_total")
        codes = [ask(api, f"question {i}").status_code for i in range(5)]
        limited = ask(api)
        assert codes == [200, 200, 200, 429, 429], codes
        assert limited.status_code == 429 and 0 < int(limited.headers["Retry-After"]) <= 60
        assert metric(api, "rate_limit_rejections_total") == before + 3
    finally:
        drillbook_stack.recreate("api")


def test_postgres_down_still_answers_queries_but_refuses_writes(
    drillbook_stack: Stack, api: str
) -> None:
    assert ask(api).status_code == 200  # the key is now known to the api
    link = drillbook_stack.link("postgres")
    link.disable()
    try:
        assert httpx.get(f"{api}/ready").json()["status"] == "degraded"
        assert ask(api, "postgres is down, can you still answer").status_code == 200
        refused = write(api, "write while postgres is down")
        assert refused.status_code == 503
        assert refused.json()["error"] == "dependency unavailable"
    finally:
        link.enable()
    # Reconnected by itself: no api restart.
    until(lambda: write(api, "after postgres came back").status_code == 201, what="writes")


def test_vectordb_down_fails_queries_fast_and_clearly(drillbook_stack: Stack, api: str) -> None:
    link = drillbook_stack.link("vectordb")
    link.disable()
    try:
        start = time.monotonic()
        answer = ask(api, "anything")
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"] == "vector database unavailable"
        assert time.monotonic() - start < 3.0
        assert httpx.get(f"{api}/ready").status_code == 503
        # An acknowledged write needs the vector DB too: refused, and not half-written.
        assert write(api, "orphan while vectordb is down").status_code == 503
    finally:
        link.enable()


def provider_control(stack: Stack, name: str, **settings: object) -> None:
    url = stack.service(name).url + "/control"
    response = httpx.post(url, json=settings) if settings else httpx.delete(url)
    response.raise_for_status()


def test_provider_hang_falls_back_then_the_breaker_opens_and_closes(
    drillbook_stack: Stack, api: str
) -> None:
    provider_control(drillbook_stack, "provider", hang=True)
    try:
        start = time.monotonic()
        first = ask(api, "hung provider question 0")
        # timeout 2 s x (1 + 1 retry) + jitter, then the fallback answers
        assert first.status_code == 200 and first.json()["provider"] == "fallback"
        assert time.monotonic() - start < 6.5
        for i in range(1, 4):
            ask(api, f"hung provider question {i}")
        assert metric(api, 'provider_circuit_open{provider="primary"}') == 1.0
        start = time.monotonic()
        fast = ask(api, "breaker open question")
        assert fast.json()["provider"] == "fallback"
        assert time.monotonic() - start < 1.0, "an open breaker must skip the primary at once"
    finally:
        provider_control(drillbook_stack, "provider")
    # After BREAKER_RESET_S (5 s) a trial call goes to the primary again and closes it.
    until(
        lambda: ask(api, f"recovered {time.monotonic()}").json()["provider"] == "primary",
        timeout_s=15,
        what="primary provider back",
    )
    assert metric(api, 'provider_circuit_open{provider="primary"}') == 0.0


def test_both_providers_failing_is_a_clean_503(drillbook_stack: Stack, api: str) -> None:
    errors = 'provider_api_errors_total{provider="primary",reason="http_error"}'
    before = metric(api, errors)
    for name in ("provider", "provider-fallback"):
        provider_control(drillbook_stack, name, error_rate=1.0)
    try:
        answer = ask(api, "nobody can answer this")
        assert answer.status_code == 503
        assert answer.json()["error"] == "providers unavailable"
        assert metric(api, errors) > before
    finally:
        for name in ("provider", "provider-fallback"):
            provider_control(drillbook_stack, name)


def test_metrics_expose_the_documented_series(api: str) -> None:
    ask(api)
    text = httpx.get(f"{api}/metrics").text
    for name in (
        "http_requests_total",
        "http_request_duration_seconds_bucket",
        "cache_hits_total",
        "cache_misses_total",
        "provider_api_errors_total",
        "rate_limit_rejections_total",
        "auth_failures_total",
        "ingest_queue_depth",
    ):
        assert name in text, name


# -- the worker ---------------------------------------------------------------------------
def status_of(api: str, doc_id: int) -> str:
    return str(httpx.get(f"{api}/v1/documents/{doc_id}", headers=KEY).json()["status"])


def test_worker_down_jobs_wait_then_drain(drillbook_stack: Stack, api: str) -> None:
    worker = drillbook_stack.service("worker")
    worker.kill()
    try:
        ids = [
            write(api, f"queued while worker is down {i}", mode="queue").json()["id"]
            for i in range(5)
        ]
        # The gauge is refreshed every second, apart from the scrape (which never waits on Redis).
        until(lambda: metric(api, "ingest_queue_depth") >= 5, what="queue depth on /metrics")
        assert all(status_of(api, i) == "queued" for i in ids)
    finally:
        worker.start()
        worker.wait_ready()
    until(lambda: all(status_of(api, i) == "indexed" for i in ids), what="backlog drained")
    until(lambda: metric(api, "ingest_queue_depth") == 0, what="queue depth back to 0")


def test_acknowledged_queued_writes_survive_redis_losing_its_queue(
    drillbook_stack: Stack, api: str
) -> None:
    worker, redis = drillbook_stack.service("worker"), drillbook_stack.service("redis")
    worker.stop(timeout_s=2)
    try:
        ids = [
            write(api, f"acked before redis restart {i}", mode="queue").json()["id"]
            for i in range(3)
        ]
        assert redis.exec(["redis-cli", "LLEN", "ingest:queue"])[1].strip() == "3"
        redis.kill()  # its data volume is a tmpfs: the queue is gone with it
        redis.start()
        redis.wait_ready()
        assert redis.exec(["redis-cli", "LLEN", "ingest:queue"])[1].strip() == "0"
    finally:
        worker.start()
        worker.wait_ready()
    # PostgreSQL still knows them as queued; the worker's sweep puts them back.
    until(lambda: all(status_of(api, i) == "indexed" for i in ids), 30, "queued writes indexed")
    swept = metric(worker.url, 'ingest_jobs_total{outcome="swept"}')
    assert swept >= 3, swept


QDRANT_IMAGE = "qdrant/qdrant:v1.15.1"


def test_qdrant_profile_writes_and_queries(drillbook_stack: Stack) -> None:
    """The same api on Qdrant: runs where the official image can be had."""
    client = drillbook_stack.client
    try:
        client.images.get(QDRANT_IMAGE)
    except docker.errors.ImageNotFound:
        try:
            client.images.pull(QDRANT_IMAGE)
        except docker.errors.APIError:
            pytest.skip(
                f"{QDRANT_IMAGE} is not present and cannot be pulled (no registry "
                f"reachable); `docker pull {QDRANT_IMAGE}` to run the Qdrant profile"
            )
    spec = load_stack_spec(drillbook_stack.spec.path, profile="qdrant")
    with Stack(spec, client=client) as stack:
        api = stack.service("api").url
        assert httpx.get(f"{api}/ready").json()["dependencies"]["vectordb"]["ok"]
        doc_id = write(api, "quokka failover drill").json()["id"]
        answer = ask(api, "quokka failover drill").json()
        assert doc_id in [s["id"] for s in answer["sources"]]


def worker_jobs(url: str) -> float:
    return metric(url, 'ingest_jobs_total{outcome="indexed"}')


def test_scaled_workers_share_the_backlog(drillbook_stack: Stack, api: str) -> None:
    drillbook_stack.scale("worker", 0)
    try:
        ids = [
            write(api, f"backlog for three workers {i}", mode="queue").json()["id"]
            for i in range(30)
        ]
        drillbook_stack.scale("worker", 3)
        until(lambda: all(status_of(api, i) == "indexed" for i in ids), 30, "backlog drained")
        workers = [drillbook_stack.service("worker"), *drillbook_stack.replicas["worker"]]
        assert len(workers) == 3
        done = [worker_jobs(w.url) for w in workers]
        # They share it: more than one replica indexed jobs (how evenly is up to timing).
        assert sum(n > 0 for n in done) >= 2, f"one replica did all the work: {done}"
    finally:
        drillbook_stack.scale("worker", 1)


def test_a_job_that_keeps_failing_ends_in_the_dead_letter_list(
    drillbook_stack: Stack, api: str
) -> None:
    redis = drillbook_stack.service("redis")
    before = int(redis.exec(["redis-cli", "LLEN", "ingest:dead"])[1])
    # A job for a document that does not exist, one attempt short of the limit (5).
    redis.exec(["redis-cli", "LPUSH", "ingest:queue", '{"id": 987654321, "attempts": 4}'])
    until(
        lambda: int(redis.exec(["redis-cli", "LLEN", "ingest:dead"])[1]) == before + 1,
        what="job dead-lettered",
    )
    dead = redis.exec(["redis-cli", "RPOP", "ingest:dead"])[1]  # taken out again
    assert "987654321" in dead and "not in the database" in dead
