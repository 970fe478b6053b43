from __future__ import annotations

import pytest

from drillbook.runbooks.actions import (
    Exec,
    Filter,
    Http,
    Lifecycle,
    Logs,
    Recreate,
    Scale,
    Status,
    Wait,
)
from drillbook.runbooks.adapter import NOT_EXECUTABLE, REFUSED, RUN, CommandAdapter
from drillbook.runbooks.executor import apply_filter
from drillbook.runbooks.names import NameMap
from drillbook.stack.spec import StackSpec


@pytest.fixture
def adapter(spec: StackSpec) -> CommandAdapter:
    return CommandAdapter(spec, NameMap(spec, {"data-pipeline": "api"}))


@pytest.mark.parametrize(
    ("command", "actions"),
    [
        (
            "docker-compose -f prod.yml restart obsidian-redis-prod",
            (Lifecycle("redis", "restart"),),
        ),
        ("docker compose stop postgres", (Lifecycle("postgres", "stop"),)),
        ("docker compose up -d vectordb", (Lifecycle("vectordb", "start"),)),
        ("docker compose up -d --scale worker=3", (Scale("worker", 3),)),
        ("docker-compose logs --tail=20 data-pipeline", (Logs("api", 20),)),
        ("docker compose ps redis", (Status(("redis",)),)),
        ("docker restart chroma", (Lifecycle("vectordb", "restart"),)),
        (
            "docker exec -it redis redis-cli info stats",
            (Exec("redis", ("redis-cli", "info", "stats")),),
        ),
        ("redis-cli -h redis -p 6379 ping", (Exec("redis", ("redis-cli", "ping")),)),
        (
            "psql -h postgres -U drillbook -d drillbook -tAc 'SELECT 1'",
            (
                Exec(
                    "postgres",
                    (
                        "psql",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-U",
                        "drillbook",
                        "-d",
                        "drillbook",
                        "-A",
                        "-t",
                        "-c",
                        "SELECT 1",
                    ),
                ),
            ),
        ),
        ("pg_isready -h db -U drillbook", (Exec("postgres", ("pg_isready", "-U", "drillbook")),)),
        (
            "curl -fsS http://localhost:8000/ready",
            (Http("api", "GET", "/ready", fail_on_error=True),),
        ),
        (
            "curl http://localhost:8000/api/v2/heartbeat",
            (Http("vectordb", "GET", "/api/v2/heartbeat"),),
        ),
        (
            "curl -X POST http://api:8000/v1/query -d '{}'",
            (Http("api", "POST", "/v1/query", body="{}"),),
        ),
        (
            "kubectl rollout restart deployment/langgraph-api -n prod",
            (Lifecycle("api", "restart"),),
        ),
        ("kubectl scale deployment worker --replicas=0 -n x", (Scale("worker", 0),)),
        ("kubectl rollout undo deployment/api", (Recreate("api"),)),
        (
            "kubectl set env deployment/api RATE_LIMIT_PER_MINUTE=10",
            (Recreate("api", (("RATE_LIMIT_PER_MINUTE", "10"),)),),
        ),
        ("sleep 30", (Wait(30.0),)),
        (
            "docker logs api 2>&1 | grep -i error | head -n 3",
            (Logs("api", 100), Filter("grep", "error", ignore_case=True), Filter("head", count=3)),
        ),
        ("docker compose restart api && sleep 5", (Lifecycle("api", "restart"), Wait(5.0))),
    ],
)
def test_commands_map_onto_stack_verbs(
    adapter: CommandAdapter, command: str, actions: tuple[object, ...]
) -> None:
    t = adapter.translate(command)
    assert (t.admission, t.actions) == (RUN, actions), t.reason


@pytest.mark.parametrize(
    "command",
    [
        "docker system prune -a",
        "rm -rf /var/lib/docker",
        "iptables -A INPUT -p tcp --dport 6379 -j DROP",
        "sudo systemctl restart docker",
        "docker compose down -v",
    ],
)
def test_destructive_commands_beyond_the_drills_containers_are_refused(
    adapter: CommandAdapter, command: str
) -> None:
    assert adapter.translate(command).admission == REFUSED


@pytest.mark.parametrize(
    "command",
    [
        "redis-cli FLUSHALL",
        "docker compose exec redis redis-cli flushdb",
        "psql -U x -c 'DROP TABLE documents'",
    ],
)
def test_destructive_commands_inside_the_drills_containers_run_and_say_so(
    adapter: CommandAdapter, command: str
) -> None:
    t = adapter.translate(command)
    assert t.runnable and t.destructive
    refusing = CommandAdapter(adapter.spec, adapter.names, refuse_destructive=True)
    assert refusing.translate(command).admission == REFUSED


@pytest.mark.parametrize(
    ("command", "problem"),
    [
        ("netstat -an", "unknown"),
        ("docker compose restart grafana", "service"),
        ("curl http://localhost:3000/", "port"),
        ("curl https://api.kiro.ai/v1/health", "outside"),
        ("curl http://10.0.0.5:8000/health", "outside"),
        ("kubectl delete pod <pod-name>", "placeholder"),
        ("redis-cli", "manual"),
        ("docker exec -it postgres psql -U x", "manual"),
        ("pg_dump -U x db > backup.sql", "host-file"),
        (r".\scripts\health-check.ps1 -Detailed", "unknown"),
        ("docker compose up api", "unsupported"),
        ('echo "unclosed', "syntax"),
    ],
)
def test_unknown_commands_are_not_guessed(
    adapter: CommandAdapter, command: str, problem: str
) -> None:
    t = adapter.translate(command)
    assert (t.admission, t.problem) == (NOT_EXECUTABLE, problem), t.reason


def test_powershell_blocks_are_not_run(adapter: CommandAdapter) -> None:
    t = adapter.translate("Get-ComputerInfo | Select-Object X", shell="powershell")
    assert t.admission == NOT_EXECUTABLE and "PowerShell" in t.reason


def test_ambiguous_names_are_not_guessed(spec: StackSpec) -> None:
    names = NameMap(spec)
    assert names.resolve("obsidian-redis-prod").service == "redis"
    assert names.resolve("api-redis").service is None  # two services share its words
    assert names.resolve("langgraph-api").inferred


def test_filters_behave_like_the_pipe() -> None:
    text = "ok 1\nERROR a\nok 2\nerror b"
    assert apply_filter(Filter("grep", "error", ignore_case=True), text) == "ERROR a\nerror b"
    assert apply_filter(Filter("grep", "ok", invert=True), text) == "ERROR a\nerror b"
    assert apply_filter(Filter("tail", count=1), text) == "error b"
    assert apply_filter(Filter("wc"), text) == "4"


@pytest.mark.parametrize(
    ("command", "actions"),
    [
        # A letter that takes a value takes the rest of its argument ...
        (
            "psql -Upostgres -ddrillbook -tAc 'SELECT 1'",
            (
                Exec(
                    "postgres",
                    (
                        "psql",
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-U",
                        "postgres",
                        "-d",
                        "drillbook",
                        "-A",
                        "-t",
                        "-c",
                        "SELECT 1",
                    ),
                ),
            ),
        ),
        # ... and flags bundled in any order are each read.
        ("curl -fsSL http://localhost:8000/ready", (Http("api", "GET", "/ready", (), None, True),)),
        ("curl -sSf http://localhost:8000/ready", (Http("api", "GET", "/ready", (), None, True),)),
        ("curl -sS http://localhost:8000/ready", (Http("api", "GET", "/ready"),)),
        (
            "curl -sXPOST -HX-A:1 --header 'X-B: 2' http://localhost:8000/q",
            (Http("api", "POST", "/q", (("X-A", "1"), ("X-B", "2"))),),
        ),
        ("docker logs -n20 api", (Logs("api", 20),)),
        ("docker logs api | tail -5", (Logs("api", 100), Filter("tail", count=5))),
    ],
)
def test_bundled_short_options_split_as_getopt_does(
    adapter: CommandAdapter, command: str, actions: tuple[object, ...]
) -> None:
    t = adapter.translate(command)
    assert (t.admission, t.actions) == (RUN, actions), t.reason


@pytest.mark.parametrize(
    ("command", "action"),
    [
        # -h names the server: the client runs where that server is, not in api's localhost.
        ("docker exec api redis-cli -h redis ping", Exec("redis", ("redis-cli", "ping"))),
        ("docker exec api redis-cli ping", Exec("api", ("redis-cli", "ping"))),
        ("docker exec redis redis-cli -h localhost ping", Exec("redis", ("redis-cli", "ping"))),
        (
            "docker compose exec api psql -h postgres -c 'SELECT 1'",
            Exec("postgres", ("psql", "-v", "ON_ERROR_STOP=1", "-c", "SELECT 1")),
        ),
        ("docker exec api sh -c 'ls /tmp'", Exec("api", ("sh", "-c", "ls /tmp"))),
    ],
)
def test_clients_in_exec_keep_their_host(
    adapter: CommandAdapter, command: str, action: Exec
) -> None:
    t = adapter.translate(command)
    assert (t.admission, t.actions) == (RUN, (action,)), t.reason


def test_exec_of_an_interactive_shell_is_manual(adapter: CommandAdapter) -> None:
    t = adapter.translate("docker exec -it api bash")
    assert (t.admission, t.problem) == (NOT_EXECUTABLE, "manual")


@pytest.mark.parametrize(
    ("command", "seconds"),
    [("sleep 30", 30.0), ("sleep 0.5", 0.5), ("sleep 2m", 120.0), ("sleep 1m30s", 90.0)],
)
def test_sleep_reads_plain_numbers_and_durations(
    adapter: CommandAdapter, command: str, seconds: float
) -> None:
    t = adapter.translate(command)
    assert (t.admission, t.actions) == (RUN, (Wait(seconds),)), t.reason
    assert adapter.translate("sleep soon").problem == "syntax"


def test_a_program_path_is_its_name(adapter: CommandAdapter) -> None:
    t = adapter.translate("/usr/bin/curl -s http://localhost:8000/health | /bin/grep -i ok")
    assert (t.admission, t.actions) == (
        RUN,
        (Http("api", "GET", "/health"), Filter("grep", "ok", ignore_case=True)),
    ), t.reason
    t = adapter.translate("docker exec api /usr/bin/redis-cli -h redis ping")
    assert t.actions == (Exec("redis", ("redis-cli", "ping")),), t.reason


@pytest.mark.parametrize(
    "name", ["kube-proxy-b9g23", "ingress-nginx-controller", "$service", "${SERVICE}", "proxy"]
)
def test_inference_never_crosses_to_a_different_name(spec: StackSpec, name: str) -> None:
    assert NameMap(spec).resolve(name).service is None


def test_a_loop_variable_is_not_reported_as_a_service(adapter: CommandAdapter) -> None:
    t = adapter.translate("docker restart $service")
    assert t.admission == NOT_EXECUTABLE and "shell variable" in t.reason


@pytest.mark.parametrize(
    "command",
    [
        # the drill's containers can still reach the network: a destination named, or a
        # program that runs others, keeps a destructive line out
        "docker compose exec redis sh -c 'redis-cli -h 172.17.0.1 FLUSHALL'",
        "docker exec -e A=1 redis redis-cli -h prod-redis.internal FLUSHALL",
        "docker exec api curl -XDELETE http://10.0.0.5:9200/index",
        "docker exec -e PGHOST=db.prod api psql -c 'DELETE FROM users'",
        "docker exec redis env redis-cli FLUSHALL",
    ],
)
def test_a_destructive_line_that_could_leave_the_drill_is_refused(
    adapter: CommandAdapter, command: str
) -> None:
    assert adapter.translate(command).admission == REFUSED
