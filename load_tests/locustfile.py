"""The user mix against the reference api: queries, ingests (direct and queued), reads, health.

Run by drillbook in its own process (gevent and pytest do not mix in one). When
DRILLBOOK_REQUEST_LOG names a file, every request is appended to it as one JSON line with
monotonic timestamps (the same clock as drillbook's probes), and every acknowledged write
as an `ack` line, so a drill can check that no acknowledged write was lost.
"""

from __future__ import annotations

import json
import os
import random
import time
from typing import Any

from locust import HttpUser, between, events, task

API_KEY = os.environ.get("DRILLBOOK_API_KEY", "drillbook-load-key")
_LOG_PATH = os.environ.get("DRILLBOOK_REQUEST_LOG")
_log = open(_LOG_PATH, "a", buffering=1, encoding="utf-8") if _LOG_PATH else None  # noqa: SIM115

TOPICS = ["redis", "postgres", "vector", "provider", "latency", "restart", "backup", "worker"]
QUESTIONS = [f"how do I recover when {t} fails" for t in TOPICS]


def _write(record: dict[str, Any]) -> None:
    if _log is not None:
        _log.write(json.dumps(record, separators=(",", ":")) + "\n")


@events.request.add_listener
def _record(
    request_type: str,
    name: str,
    response_time: float,
    response: Any = None,
    exception: BaseException | None = None,
    **_: Any,
) -> None:
    end = time.monotonic()
    status = getattr(response, "status_code", None) or 0
    _write(
        {
            "kind": "request",
            "start": round(end - response_time / 1000, 4),
            "end": round(end, 4),
            "method": request_type,
            "name": name,
            "status": status,
            "ok": exception is None,
            "ms": round(response_time, 1),
        }
    )


class ApiUser(HttpUser):
    wait_time = between(0.05, 0.25)

    def on_start(self) -> None:
        self.client.headers["X-API-Key"] = API_KEY
        self.written: list[int] = []

    def _ingest(self, queued: bool) -> None:
        topic = random.choice(TOPICS)
        body = {"title": f"{topic} note {random.randrange(10**9)}", "body": f"{topic} " * 40}
        path = "/v1/documents?mode=queue" if queued else "/v1/documents"
        name = "POST /v1/documents?mode=queue" if queued else "POST /v1/documents"
        with self.client.post(path, json=body, name=name, catch_response=True) as response:
            if response.status_code in (201, 202):
                doc_id = int(response.json()["id"])
                self.written.append(doc_id)
                _write(
                    {
                        "kind": "ack",
                        "t": round(time.monotonic(), 4),
                        "id": doc_id,
                        "title": body["title"],
                    }
                )
                response.success()
            else:
                response.failure(f"status {response.status_code}")

    @task(3)
    def query(self) -> None:
        # Questions many users ask: mostly answered from the cache.
        question = random.choice(QUESTIONS)
        self.client.post("/v1/query", json={"query": question}, name="POST /v1/query")

    @task(2)
    def query_new(self) -> None:
        # A question nobody asked before: vector search and a provider call every time.
        question = f"{random.choice(QUESTIONS)} on host {random.randrange(10**9)}"
        self.client.post("/v1/query", json={"query": question}, name="POST /v1/query [new]")

    @task(2)
    def ingest(self) -> None:
        self._ingest(queued=False)

    @task(1)
    def ingest_queued(self) -> None:
        self._ingest(queued=True)

    @task(2)
    def read_document(self) -> None:
        if not self.written:
            return self._ingest(queued=False)
        doc_id = random.choice(self.written)
        self.client.get(f"/v1/documents/{doc_id}", name="GET /v1/documents/{id}")

    @task(1)
    def health(self) -> None:
        self.client.get("/health", name="GET /health")
