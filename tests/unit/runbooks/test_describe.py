"""Every action is described in a person's words in reports and failures, never as a repr."""

from __future__ import annotations

import pytest

from drillbook.runbooks import actions as a
from drillbook.runbooks.executor import failure

CASES = [
    (a.Lifecycle("redis", "restart"), "restart redis"),
    (a.Logs("api", 50), "the last 50 log lines of api"),
    (a.Exec("redis", ("redis-cli", "config", "get", "max memory")),
     "in redis: redis-cli config get 'max memory'"),
    (a.Status(("api", "redis")), "the state of api, redis"),
    (a.Stats(("api",)), "the memory of api"),
    (a.Inspect("api"), "inspect api"),
    (a.Scale("worker", 3), "scale worker to 3"),
    (a.Recreate("api", (("LOG_LEVEL", "debug"),)), "recreate api with LOG_LEVEL=debug"),
    (a.Recreate("api"), "recreate api"),
    (a.UpdateMemory("api", "512m"), "set the memory limit of api to 512m"),
    (a.Http("api", "GET", "/ready"), "GET /ready on api"),
    (a.ComposeRun(("-f", "prod.yml", "restart", "api")), "docker compose -f prod.yml restart api"),
    (a.KubectlRun(("rollout", "restart", "deployment/api")),
     "kubectl rollout restart deployment/api"),
    (a.Wait(30.0), "wait 30 s"),
    (a.Filter("grep", "ERROR"), "filter the output through grep"),
]  # fmt: skip


@pytest.mark.parametrize(("action", "said"), CASES, ids=[type(c[0]).__name__ for c in CASES])
def test_an_action_in_words(action: a.Action, said: str) -> None:
    assert a.describe(action) == said


def test_a_failure_says_what_ran_and_its_last_lines() -> None:
    output = "connecting\nError: connection refused\n\n(exit status 1)\n"
    assert failure(a.Exec("redis", ("redis-cli", "ping")), output) == (
        "`in redis: redis-cli ping` failed: connecting | Error: connection refused | "
        "(exit status 1)"
    )
    assert failure(a.Lifecycle("api", "start"), "") == "`start api` failed"
