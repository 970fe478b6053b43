"""How fast each fault type takes effect, and how fast the stack is clean after its revert.

    python benchmarks/faults.py [--runs 3] [--only latency,kill] [--stack fixtures/stack.yaml]

Starts the reference stack, then for every fault type: calls inject() and polls (every 20 ms)
until the fault's effect is observable, then calls revert() and polls until the effect is
gone and the api answers /ready with every dependency fine. Prints the medians per type.
Images must be built (`drillbook setup`).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx

from drillbook.faults import find_leftovers, make_fault
from drillbook.faults.access import in_netns
from drillbook.host import engine
from drillbook.stack import Stack, load_stack_spec
from drillbook.stack.images import ensure_images

KEY = {"X-API-Key": "drillbook-dev-key"}
Check = Callable[[], bool]
ONE_OFF = ("restart", "cache-flush")


def until(check: Check, timeout_s: float = 60.0) -> float:
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout_s:
            raise TimeoutError("not observed in time")
        time.sleep(0.02)
    return time.monotonic() - start


class Effects:
    """What each fault visibly does, checked the way a user of the stack would see it."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.api = stack.service("api").url
        doc = httpx.post(
            f"{self.api}/v1/documents", headers=KEY, json={"title": "b", "body": "z" * 20_000}
        )
        self.doc = int(doc.json()["id"])

    def ready(self) -> dict[str, Any]:
        body: dict[str, Any] = httpx.get(f"{self.api}/ready", timeout=15).json()
        return body

    def fully_ready(self) -> bool:
        try:
            return self.ready()["status"] == "ready"
        except httpx.HTTPError:
            return False

    def cache_fails(self) -> bool:
        return not self.ready()["dependencies"]["cache"]["ok"]

    def cache_slower_than(self, ms: float) -> Check:
        return lambda: bool(self.ready()["dependencies"]["cache"]["latency_ms"] >= ms)

    def cached_read_slow(self) -> bool:
        start = time.monotonic()
        httpx.get(f"{self.api}/v1/documents/{self.doc}", headers=KEY, timeout=15)
        return time.monotonic() - start > 0.5

    def state(self, service: str, key: str) -> Any:
        c = self.stack.service(service).docker
        c.reload()
        return c.attrs["State"][key] if key in c.attrs["State"] else c.attrs[key]

    def exec(self, service: str, *argv: str) -> tuple[int, str]:
        return self.stack.service(service).exec(list(argv))

    def cgroup(self, service: str, path: str) -> int:
        return int(self.exec(service, "cat", f"/sys/fs/cgroup/{path}")[1])

    def cpu_busy(self) -> bool:
        before = self.cgroup("api", "cpuacct/cpuacct.usage")
        time.sleep(0.2)
        return (self.cgroup("api", "cpuacct/cpuacct.usage") - before) / 0.2e9 > 0.7

    def chat(self, timeout: float = 5.0) -> httpx.Response:
        return httpx.post(
            f"{self.stack.service('provider').url}/v1/chat/completions",
            json={"messages": [{"role": "user", "content": "hi"}]},
            timeout=timeout,
        )

    def provider_hangs(self) -> bool:
        try:
            self.chat(timeout=0.3)
        except httpx.ReadTimeout:
            return True
        return False

    def provider_slow(self) -> bool:
        start = time.monotonic()
        self.chat()
        return time.monotonic() - start >= 0.3

    def oom_killed(self) -> bool:
        # OOMKilled outlives the restart on this engine: the exit is what revert undoes.
        return self.state("api", "Status") == "exited" and bool(self.state("api", "OOMKilled"))

    def disk_full(self) -> bool:
        # A fresh file each time: rewriting an old one would reuse its pages.
        write = "head -c 4096 /dev/zero > /data/p; r=$?; rm -f /data/p; exit $r"
        return self.exec("redis", "sh", "-c", write)[0] != 0

    def table_gone(self) -> bool:
        sql = "SELECT to_regclass('documents') IS NULL"
        return self.exec("postgres", "psql", "-U", "drillbook", "-tAc", sql)[1].strip() == "t"

    def rules_dropped(self) -> bool:
        self.ready()
        out = in_netns(self.stack.service("redis").docker, ["iptables", "-L", "INPUT", "-vnx"])
        return any("statistic" in line and int(line.split()[0]) > 0 for line in out.splitlines())


def cases(e: Effects) -> dict[str, tuple[dict[str, Any], Callable[[], Check]]]:
    """Per fault type: its parameters, and a factory of its effect check (made just before
    inject, so it can note the state before)."""

    def changed(service: str, key: str) -> Check:
        before = e.state(service, key)
        return lambda: bool(e.state(service, key) != before)

    def memory_up(mb: int) -> Check:
        before = e.cgroup("api", "memory/memory.usage_in_bytes")
        return lambda: e.cgroup("api", "memory/memory.usage_in_bytes") - before > mb * 2**20

    return {
        "kill": ({"service": "redis"}, lambda: e.cache_fails),
        "stop": ({"service": "redis", "grace_s": 1}, lambda: e.cache_fails),
        "pause": ({"service": "redis"}, lambda: e.cache_fails),
        "restart": ({"service": "redis", "grace_s": 1}, lambda: changed("redis", "StartedAt")),
        "crash-loop": (
            {"service": "api", "env": "DEPENDENCY_TIMEOUT_S=not-a-number"},
            lambda: lambda: bool(e.state("api", "RestartCount") >= 1),
        ),
        "disk-fill": (
            {"service": "redis"},
            lambda: e.disk_full,
        ),
        "memory-hog": ({"service": "api", "mb": 100}, lambda: memory_up(90)),
        "oom": ({"service": "api"}, lambda: e.oom_killed),
        "cpu-stress": ({"service": "api"}, lambda: e.cpu_busy),
        "latency": ({"link": "api-redis", "latency_ms": 300}, lambda: e.cache_slower_than(300)),
        "timeout": ({"link": "api-redis"}, lambda: e.cache_fails),
        "reset-peer": ({"link": "api-redis"}, lambda: e.cache_fails),
        "bandwidth": ({"link": "api-redis", "rate_kbps": 16}, lambda: e.cached_read_slow),
        "slicer": (
            {"link": "api-redis", "average_size": 200, "delay_us": 10_000},
            lambda: e.cached_read_slow,
        ),
        "limit-data": ({"link": "api-redis", "bytes": 0}, lambda: e.cache_fails),
        "link-down": ({"link": "api-redis"}, lambda: e.cache_fails),
        "partition": ({"service": "redis", "peer": "toxiproxy"}, lambda: e.cache_fails),
        "reject": ({"service": "redis", "peer": "toxiproxy"}, lambda: e.cache_fails),
        "packet-loss": (
            {"service": "redis", "peer": "toxiproxy", "probability": 0.5},
            lambda: e.rules_dropped,
        ),
        "provider-hang": ({}, lambda: e.provider_hangs),
        "provider-latency": ({"latency_ms": 300}, lambda: e.provider_slow),
        "provider-errors": ({"rate": 1.0}, lambda: lambda: e.chat().status_code == 500),
        "provider-rate-limit": ({"rate": 1.0}, lambda: lambda: e.chat().status_code == 429),
        "cache-flush": (
            {},
            lambda: lambda: e.exec("redis", "redis-cli", "DBSIZE")[1].strip() == "0",
        ),
        "table-drop": ({}, lambda: e.table_gone),
    }


def measure(stack: Stack, e: Effects, kind: str, runs: int) -> tuple[float, ...]:
    params, effect_of = cases(e)[kind]
    inject_s, effect_s, revert_s, clean_s = [], [], [], []
    for _ in range(runs):
        until(e.fully_ready)
        if kind == "cache-flush":
            e.exec("redis", "redis-cli", "SET", "benchmark", "1")
        fault = make_fault(stack, kind, **params)
        effect = effect_of()
        t0 = time.monotonic()
        try:
            fault.inject()
            t1 = time.monotonic()
            until(effect, 30)
            t2 = time.monotonic()
        finally:
            t3 = time.monotonic()
            fault.revert()
        t4 = time.monotonic()
        # A restart or a flush has happened for good: clean means ready again, nothing more.
        gone = effect if kind not in ONE_OFF else lambda: False
        until(lambda: e.fully_ready() and not gone())  # noqa: B023 (called right here)
        t5 = time.monotonic()
        inject_s.append(t1 - t0)
        effect_s.append(t2 - t0)
        revert_s.append(t4 - t3)
        clean_s.append(t5 - t3)
    leftovers = find_leftovers(stack)
    assert not leftovers, leftovers
    return tuple(statistics.median(x) for x in (inject_s, effect_s, revert_s, clean_s))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated fault types")
    parser.add_argument("--stack", default="fixtures/stack.yaml")
    args = parser.parse_args()
    spec = load_stack_spec(args.stack)
    client = engine.connect()
    ensure_images(client, spec)
    with Stack(spec, client=client) as stack:
        e = Effects(stack)
        kinds = [k for k in cases(e) if not args.only or k in args.only.split(",")]
        print(f"median of {args.runs} runs, seconds (effect and clean are from the call)")
        print(f"{'fault':20} {'inject()':>9} {'→ effect':>9} {'revert()':>9} {'→ clean':>9}")
        for kind in kinds:
            try:
                row = measure(stack, e, kind, args.runs)
            except (TimeoutError, AssertionError) as exc:
                print(f"{kind:20} failed: {exc}", flush=True)
                continue
            print(f"{kind:20} " + " ".join(f"{x:9.3f}" for x in row), flush=True)


if __name__ == "__main__":
    main()
