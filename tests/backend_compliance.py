"""The checks every stack backend must pass: `drillbook.stack.backend.StackBackend`, held to
the same behaviour for Docker, Compose and Kubernetes (as testcontainers holds its wait
strategies to theirs). Each backend's test module calls `check_backend` on a running stack of
one Redis service named `redis` (plus whatever else the stack has)."""

from __future__ import annotations

from drillbook.stack.backend import Backend, BackendService, StackBackend

OWN_LINE = {
    # as the line is written after `docker compose` and after `kubectl`
    "compose": ("compose", ["ps"]),
    "kubernetes": ("kubectl", ["get", "pods"]),
}
ECHO = ["sh", "-c", 'printf "%s" "${DRILLBOOK_COMPLIANCE:-unset}"']


def check_backend(stack: StackBackend, backend: Backend) -> None:
    assert isinstance(stack, StackBackend)
    assert stack.backend == backend
    assert stack.run_id and stack.spec.name
    check_service(stack.service("redis"))
    assert "redis" in stack.endpoints()["services"]
    check_lines(stack, backend)
    check_settings(stack)
    stack.reset()
    assert stack.service("redis").check_ready() is None


def check_service(redis: BackendService) -> None:
    assert isinstance(redis, BackendService)
    assert redis.name == "redis"
    assert redis.url.startswith("http://127.0.0.1:") and redis.host_port > 0
    assert redis.status() == "running"
    assert redis.check_ready() is None
    code, output = redis.exec(["redis-cli", "ping"])
    assert (code, output.strip()) == (0, "PONG")
    assert redis.exec(["sh", "-c", "exit 3"])[0] == 3  # the status is the program's
    assert isinstance(redis.logs(tail=5), str)
    assert isinstance(redis.state(), dict) and redis.state()
    memory = redis.memory()
    assert memory is None or (memory[0] > 0 and memory[1] >= memory[0])


def check_lines(stack: StackBackend, backend: Backend) -> None:
    """Lines of the backend's own tool run; a tool it does not speak gets None, not a guess."""
    if backend in OWN_LINE:
        tool, argv = OWN_LINE[backend]
        done = stack.run_line(tool, argv)  # type: ignore[arg-type]
        assert done is not None and done[0], done
    for tool in ("compose", "kubectl"):
        if OWN_LINE.get(backend, ("",))[0] != tool:
            assert stack.run_line(tool, ["version"]) is None  # type: ignore[arg-type]


def check_settings(stack: StackBackend) -> None:
    """`recreate` with settings over the defined ones, then back to exactly as defined."""
    stack.recreate("redis", env={"DRILLBOOK_COMPLIANCE": "on"})
    assert stack.service("redis").exec(ECHO) == (0, "on")
    stack.recreate("redis")
    assert stack.service("redis").exec(ECHO) == (0, "unset")
