"""What a running stack keeps, found by asking each service and counted cheaply.

    stores = discover(stack)             # once per stack: which service keeps what
    counts = count(stack, stores)        # {"redis keys (db0)": 1532, "postgres rows (...)": 40}

A store is found by what answers, not by the service's name or image: a service whose own
`redis-cli` gets a keyspace from the server beside it keeps Redis keys; one whose `psql`
lists databases keeps rows; one that answers ChromaDB's or Qdrant's API on its port keeps
points; every writable folder mounted into a container (a volume, a tmpfs) keeps files and
bytes. Everything runs inside the stack's containers or against its ports on 127.0.0.1, and
is bounded in time (`timeout` inside the container where it has one, the exec's own limit,
HTTP timeouts), so a paused or dead store reads as None (unknown), never as empty.
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx

from drillbook.stack.backend import StackBackend
from drillbook.stack.network import require_loopback

READ_TIMEOUT_S = 5

# Mount points a container always has, that hold nothing of the stack's.
_SYSTEM = ("/proc", "/sys", "/dev", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf")
_SYSTEM_TYPES = {"proc", "sysfs", "devpts", "mqueue", "cgroup", "cgroup2", "overlay", "shm"}
_MARK = "@@drillbook@@"

# One shell script per service for discovery: its writable mounts, Redis's keyspace, the
# databases PostgreSQL lists. Each part prints nothing when the service has no such program.
_T = f'T=""; command -v timeout >/dev/null 2>&1 && T="timeout {READ_TIMEOUT_S}"'
_PSQL = '$T psql -U "${POSTGRES_USER:-postgres}" -XAt'
_DISCOVER = f"""{_T}
cat /proc/mounts 2>/dev/null; echo {_MARK}
command -v redis-cli >/dev/null 2>&1 && $T redis-cli INFO keyspace 2>/dev/null; echo {_MARK}
command -v psql >/dev/null 2>&1 && {_PSQL} -c 'select 1' postgres 2>/dev/null; echo {_MARK}
"""
# Exact rows of every table of every database, in one query per database (count(*) through
# query_to_xml), with a statement timeout so a locked table cannot hold the drill.
_ROWS = (
    "select current_database()||'.'||table_schema||'.'||table_name||'|'||"
    "(xpath('/row/c/text()', query_to_xml(format('select count(*) as c from %I.%I', "
    "table_schema, table_name), false, true, '')))[1]::text from information_schema.tables "
    "where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')"
)
_COUNT_ROWS = f"""{_T}
export PGOPTIONS='-c statement_timeout={READ_TIMEOUT_S * 1000}'
dbs=$({_PSQL} -c 'select datname from pg_database where datallowconn and not datistemplate' \
postgres) || exit 3
for d in $dbs; do {_PSQL} -d "$d" -c "$1" || exit 3; done
"""
# A folder find or du cannot finish (a time-out, a vanished mount) makes the reading fail:
# unknown, never a count of 0 (a pipeline's status would be wc's, so none is used).
_COUNT_FILES = f"""{_T}
for m in "$@"; do
  f=$($T find "$m" -xdev -type f 2>/dev/null) || exit 3
  n=$(printf '%s' "$f" | grep -c '')
  k=$($T du -sk "$m" 2>/dev/null) || exit 3
  k=${{k%%[!0-9]*}}
  [ -n "$k" ] || exit 3
  echo "$m|$n|$k"
done
"""


@dataclass(frozen=True)
class Store:
    """One kind of thing one service keeps: `redis`, `postgres`, `chroma`, `qdrant` or
    `folders` (with the mounted folders)."""

    service: str
    kind: str
    folders: tuple[str, ...] = ()


def discover(stack: StackBackend) -> tuple[Store, ...]:
    """Every store of the stack's services (one program run in each, plus HTTP questions)."""
    found: list[Store] = []
    for name in sorted(stack.spec.services):
        found.extend(_stores_of(stack, name))
    return tuple(found)


def _stores_of(stack: StackBackend, name: str) -> Iterator[Store]:
    try:
        service = stack.service(name)
    except Exception:  # gone: nothing to ask
        return
    try:
        code, output = service.exec(["sh", "-c", _DISCOVER], timeout_s=3 * READ_TIMEOUT_S)
    except Exception:  # no shell, not running: only its API can still be asked
        code, output = 1, ""
    database = False
    if code == 0 and output.count(_MARK) >= 3:
        mounts, keyspace, psql, _ = output.split(_MARK, 3)
        folders = writable_folders(mounts)
        if folders:
            yield Store(name, "folders", folders)
        if keyspace.strip().startswith("# Keyspace"):
            database = True
            yield Store(name, "redis")
        if psql.strip() == "1":
            database = True
            yield Store(name, "postgres")
    # HTTP to a database's port only fills its log with warnings ("SECURITY ATTACK").
    kind = None
    if stack.spec.services[name].port and not database:
        with contextlib.suppress(Exception):
            kind = _vector_api(service.url)
    if kind:
        yield Store(name, kind)


def writable_folders(mounts: str) -> tuple[str, ...]:
    """The folders of `/proc/mounts` that a volume, bind or tmpfs put there, writable."""
    folders = []
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[2] in _SYSTEM_TYPES or fields[1] == "/":
            continue
        point, options = fields[1].replace("\\040", " "), fields[3].split(",")
        if "ro" in options or any(point == s or point.startswith(s + "/") for s in _SYSTEM):
            continue
        folders.append(point)
    return tuple(sorted(set(folders)))


def _vector_api(url: str) -> str | None:
    """`chroma` or `qdrant` when the service answers that store's API, else None."""
    require_loopback(url)
    with contextlib.suppress(httpx.HTTPError, ValueError):
        body = httpx.get(url + "/api/v2/heartbeat", timeout=2).json()
        if isinstance(body, dict) and any("heartbeat" in str(key) for key in body):
            return "chroma"
    with contextlib.suppress(httpx.HTTPError, ValueError):
        body = httpx.get(url + "/collections", timeout=2).json()
        if isinstance(body, dict) and "collections" in (body.get("result") or {}):
            return "qdrant"
    return None


def count(stack: StackBackend, stores: Sequence[Store]) -> dict[str, int | None]:
    """Every store's counts now; a store that cannot be read gives None for what it had."""
    if not stores:
        return {}
    # Side by side: a reading delays the drill's next step by its slowest store, not the sum.
    with ThreadPoolExecutor(max_workers=len(stores)) as pool:
        found = list(pool.map(lambda store: _read(stack, store), stores))
    counts: dict[str, int | None] = {}
    for store, store_counts in zip(stores, found, strict=True):
        if store_counts is None:
            counts[f"{store.service} {store.kind} (unreadable)"] = None
        else:
            counts.update(store_counts)
    return counts


def _read(stack: StackBackend, store: Store) -> dict[str, int | None] | None:
    try:
        return _READERS[store.kind](stack, store)
    except Exception:  # down, paused, gone: unknown, not empty
        return None


def _exec(stack: StackBackend, store: Store, script: str, *args: str) -> str | None:
    service = stack.service(store.service)
    code, output = service.exec(["sh", "-c", script, "sh", *args], timeout_s=2 * READ_TIMEOUT_S)
    return output if code == 0 else None


def _redis(stack: StackBackend, store: Store) -> dict[str, int | None] | None:
    output = _exec(stack, store, f"{_T}\n$T redis-cli INFO keyspace")
    if output is None or not output.strip().startswith("# Keyspace"):
        return None
    counts: dict[str, int | None] = {}
    for line in output.splitlines():
        db, _, values = line.strip().partition(":")
        fields = dict(f.split("=", 1) for f in values.split(",") if "=" in f)
        if db.startswith("db") and "keys" in fields:
            keys, expiring = int(fields["keys"]), int(fields.get("expires", 0))
            counts[f"{store.service} keys ({db})"] = keys - expiring
            counts[f"{store.service} expiring keys ({db})"] = expiring
    return counts


def _postgres(stack: StackBackend, store: Store) -> dict[str, int | None] | None:
    output = _exec(stack, store, _COUNT_ROWS, _ROWS)
    if output is None:
        return None
    counts: dict[str, int | None] = {}
    for line in output.splitlines():
        table, _, rows = line.rpartition("|")
        if table and rows.isdigit():
            counts[f"{store.service} rows ({table})"] = int(rows)
    return counts


def _folders(stack: StackBackend, store: Store) -> dict[str, int | None] | None:
    output = _exec(stack, store, _COUNT_FILES, *store.folders)
    if output is None:
        return None
    counts: dict[str, int | None] = {}
    for line in output.splitlines():
        folder, _, rest = line.partition("|")
        files, _, kib = rest.partition("|")
        if files.strip().isdigit() and kib.strip().isdigit():
            counts[f"{store.service} files ({folder})"] = int(files)
            counts[f"{store.service} bytes ({folder})"] = int(kib) * 1024
    return counts


def _chroma(stack: StackBackend, store: Store) -> dict[str, int | None] | None:
    base = stack.service(store.service).url + "/api/v2/tenants/default_tenant/databases"
    require_loopback(base)
    counts: dict[str, int | None] = {}
    with httpx.Client(timeout=READ_TIMEOUT_S) as http:
        for database in http.get(base).raise_for_status().json():
            url = f"{base}/{database['name']}/collections"
            for collection in http.get(url).raise_for_status().json():
                points = http.get(f"{url}/{collection['id']}/count").raise_for_status().json()
                counts[f"{store.service} points ({database['name']}.{collection['name']})"] = int(
                    points
                )
    return counts


def _qdrant(stack: StackBackend, store: Store) -> dict[str, int | None] | None:
    base = stack.service(store.service).url + "/collections"
    require_loopback(base)
    counts: dict[str, int | None] = {}
    with httpx.Client(timeout=READ_TIMEOUT_S) as http:
        for collection in http.get(base).raise_for_status().json()["result"]["collections"]:
            name = collection["name"]
            answer = http.post(f"{base}/{name}/points/count", json={"exact": True})
            counts[f"{store.service} points ({name})"] = int(
                answer.raise_for_status().json()["result"]["count"]
            )
    return counts


_READERS = {
    "redis": _redis,
    "postgres": _postgres,
    "folders": _folders,
    "chroma": _chroma,
    "qdrant": _qdrant,
}


def describe(stores: Sequence[Store]) -> str:
    """`redis: redis, folders /data; postgres: postgres` for a progress line."""
    parts: dict[str, list[str]] = {}
    for store in stores:
        what = store.kind + (
            " " + " ".join(map(shlex.quote, store.folders)) if store.folders else ""
        )
        parts.setdefault(store.service, []).append(what)
    return "; ".join(f"{name}: {', '.join(kinds)}" for name, kinds in parts.items())
