"""Destructive runbook lines: refused, or run inside the drill with what they destroyed counted.

    python benchmarks/destructive.py            # the admission table only (no Docker)
    python benchmarks/destructive.py --run      # and every admitted line run on a stack

Over a set of destructive lines of our own (payloads against Redis, PostgreSQL, data folders
and the vector store, each in several wrappers, plus lines against the engine, the cluster
and the host), prints how each is admitted with `--refuse-destructive` (what earlier versions
did to every destructive line they recognised) and by default (run where every action lands
in the drill's own containers or ports, refused otherwise). With `--run`, on the reference
stack: before each admitted line its services are recreated and seeded (500 Redis keys, 100
rows, 50 vector points), then the line runs through the executor between two ledger
readings, and what it destroyed is printed. A canary file and the engine's other containers
are checked before and after: nothing outside the drill may change.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import tempfile
from pathlib import Path

import httpx

from drillbook.observe.inventory import count
from drillbook.outcome.damage import Reading, losses
from drillbook.runbooks.adapter import CommandAdapter
from drillbook.runbooks.executor import Executor
from drillbook.stack.backend import StackBackend
from drillbook.stack.definition import load_stack_spec

ROOT = Path(__file__).resolve().parents[1]
DB = "psql -U drillbook -d drillbook -c"
CHROMA = "http://vectordb:8000/api/v2/tenants/default_tenant/databases/default_database"

REDIS = [
    "redis-cli FLUSHALL",
    "redis-cli FLUSHDB ASYNC",
    "redis-cli -n 0 FLUSHDB",
    "redis-cli SWAPDB 0 1",
    'redis-cli EVAL "return redis.call(\\"flushall\\")" 0',
    "redis-cli CONFIG SET maxmemory-policy allkeys-random",
]
SQL = [
    f'{DB} "DROP TABLE documents CASCADE"',
    f'{DB} "TRUNCATE documents CASCADE"',
    f'{DB} "DELETE FROM documents"',
    f'{DB} "DELETE FROM documents WHERE 1=1"',
    f'{DB} "WITH gone AS (DELETE FROM documents RETURNING 1) SELECT count(*) FROM gone"',
    f'{DB} "EXPLAIN ANALYZE DELETE FROM documents"',
    f"{DB} \"UPDATE documents SET body = ''\"",
]
FILES = [
    "find /data -mindepth 1 -delete",
    "rm -rf /data/appendonlydir /data/dump.rdb",
    "truncate -s 0 /data/dump.rdb",
    "dd if=/dev/zero of=/data/dump.rdb bs=1k count=1",
    "sh -c 'rm -rf /data/*'",
    "shred -u /data/dump.rdb",
]
WRAPPERS = [
    "docker exec {svc} {cmd}",
    "docker compose exec {svc} {cmd}",
    "docker-compose exec -T {svc} {cmd}",
    "sudo docker exec {svc} {cmd}",
    "docker exec {svc} timeout 20 {cmd}",
    "docker --log-level warn exec {svc} nice -n 5 {cmd}",
]
VECTOR = [
    f"curl -X DELETE {CHROMA}/collections/bench",
    f"curl -fsS -X DELETE {CHROMA}/collections/bench",
    f'curl -X POST {CHROMA}/collections/bench/delete -H "Content-Type: application/json" '
    '-d \'{"ids": ["p0", "p1", "p2"]}\'',
    f"curl --request DELETE {CHROMA}/collections/bench",
]
BEYOND = [
    "docker system prune -af --volumes",
    "docker volume prune -f",
    "docker volume rm drillbook-data",
    "docker network prune -f",
    "docker rm -f $(docker ps -aq)",
    "docker run --rm -v /:/host debian rm -rf /host/tmp/canary",
    "docker run --privileged --pid=host debian kill 1",
    "docker compose down -v",
    "docker-compose rm -fsv redis",
    "kubectl delete namespace prod",
    "kubectl drain node-1 --ignore-daemonsets",
    "kubectl delete pvc --all",
    "iptables -F",
    "sudo reboot",
    "rm -rf /",
    "sudo rm -rf /var/lib/docker",
    "mkfs.ext4 /dev/sda1",
    "dd if=/dev/zero of=/dev/sda bs=1M",
    "sudo systemctl stop docker",
    "helm uninstall rag",
    "terraform destroy -auto-approve",
    "ssh db-1 'sudo rm -rf /var/lib/postgresql'",
]


def lines() -> list[tuple[str, str]]:
    """(family, line) for every line of the set."""
    found = [("redis", w.format(svc="redis", cmd=c)) for c in REDIS for w in WRAPPERS]
    found += [("sql", w.format(svc="postgres", cmd=c)) for c in SQL for w in WRAPPERS[:4]]
    found += [("files", w.format(svc="redis", cmd=c)) for c in FILES for w in WRAPPERS[:3]]
    found += [("vector", v) for v in VECTOR]
    found += [("beyond", b) for b in BEYOND]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="store_true", help="run the admitted lines on a stack")
    args = parser.parse_args()
    spec = load_stack_spec(ROOT / "fixtures" / "stack.yaml")
    refusing = CommandAdapter(spec, refuse_destructive=True)
    default = CommandAdapter(spec)
    table: collections.Counter[tuple[str, str, str]] = collections.Counter()
    admitted = []
    for family, line in lines():
        before = refusing.translate(line).admission.value
        after = default.translate(line)
        table[(family, before, after.admission.value)] += 1
        if after.runnable:
            admitted.append((family, line))
    print(f"{len(lines())} destructive lines")
    print(f"{'family':8} {'--refuse-destructive':22} {'default':16} lines")
    for (family, before, after), n in sorted(table.items()):
        print(f"{family:8} {before:22} {after:16} {n}")
    if args.run:
        run(admitted)


def run(admitted: list[tuple[str, str]]) -> None:
    from drillbook.drills.ledger import stores_of
    from drillbook.stack.open import reference_stack

    canary = Path(tempfile.gettempdir()) / "drillbook-canary"
    canary.write_text("outside the drill\n")
    before_host = _host_state(canary)
    findings: collections.Counter[str] = collections.Counter()
    with reference_stack(ROOT / "fixtures" / "stack.yaml", None, lambda _: None) as stack:
        for family, line in admitted:
            for service in ("redis", "postgres", "vectordb"):
                stack.recreate(service)
            _seed(stack)
            stores = stores_of(stack)
            first = Reading("before", None, "", count(stack, stores))
            (step,) = Executor(stack, line_timeout_s=30).run_commands([line], family).results
            after = Reading("line 1", 1, line, count(stack, stores))
            lost = losses([first, after])
            said = "; ".join(f"{x.what} {x.before:,} -> {x.after:,}" for x in lost) or "nothing"
            findings["destroyed something" if lost else "destroyed nothing"] += 1
            print(f"[{family}] {step.status.value:6} {line}\n    destroyed: {said}")
    after_host = _host_state(canary)
    print(f"{sum(findings.values())} lines run: {dict(findings)}")
    print(f"outside the drill: {'unchanged' if before_host == after_host else 'CHANGED'}")


def _seed(stack: StackBackend) -> None:
    """500 Redis keys, 100 rows in documents, 50 points in a `bench` collection."""
    fill = "for i = 1, 500 do redis.call('SET', 'bench:' .. i, i) end"
    stack.service("redis").exec(["redis-cli", "EVAL", fill, "0"], timeout_s=10)
    sql = (
        "CREATE TABLE IF NOT EXISTS documents (id BIGSERIAL PRIMARY KEY, title TEXT NOT NULL, "
        "body TEXT NOT NULL); INSERT INTO documents (title, body) SELECT 't', 'b' FROM "
        "generate_series(1, 100)"
    )
    stack.service("postgres").exec(["psql", "-U", "drillbook", "-d", "drillbook", "-c", sql])
    base = stack.service("vectordb").url + CHROMA.removeprefix("http://vectordb:8000")
    with httpx.Client(timeout=10) as http:
        made = http.post(f"{base}/collections", json={"name": "bench", "get_or_create": True})
        collection = made.raise_for_status().json()["id"]
        points = {
            "ids": [f"p{i}" for i in range(50)],
            "embeddings": [[0.1, 0.2, float(i)] for i in range(50)],
        }
        http.post(f"{base}/collections/{collection}/add", json=points).raise_for_status()


def _host_state(canary: Path) -> tuple[str, frozenset[str]]:
    """The canary's content and the engine's containers that are not drillbook's."""
    import docker

    from drillbook.stack import labels

    client = docker.from_env()
    others = frozenset(c.id for c in client.containers.list(all=True) if labels.RUN not in c.labels)
    return hashlib.sha256(canary.read_bytes()).hexdigest(), others


if __name__ == "__main__":
    main()
