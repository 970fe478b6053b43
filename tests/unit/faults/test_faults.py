"""Fault parameters, their checks against the stack definition, and pure rule building.

No Docker: a fault is only made (checked), never injected, here.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from drillbook.cli import main
from drillbook.faults import (
    FaultParamError,
    catalogue,
    fault_from_mapping,
    make_fault,
    parse,
    validate,
)
from drillbook.faults.container import parse_env
from drillbook.faults.kernel import rules, tagged_rules
from drillbook.faults.resources import parse_size, tmpfs_size
from drillbook.stack import load_stack_spec

ROOT = Path(__file__).resolve().parents[3]
SPEC = load_stack_spec(ROOT / "fixtures" / "stack.yaml")


def stack() -> Any:
    """Just what making (not injecting) a fault reads: the definition and the run id."""
    return SimpleNamespace(spec=SPEC, run_id="r1")


def error(kind: str, **params: Any) -> FaultParamError:
    with pytest.raises(FaultParamError) as info:
        make_fault(stack(), kind, **params)
    return info.value


def test_every_fault_type_of_the_catalogue_is_listed_with_its_parameters() -> None:
    kinds = {entry["type"] for entry in catalogue()}
    assert kinds == {
        "kill", "stop", "pause", "restart", "crash-loop",
        "disk-fill", "memory-hog", "oom", "cpu-stress",
        "latency", "timeout", "reset-peer", "bandwidth", "slicer", "limit-data", "link-down",
        "partition", "reject", "packet-loss",
        "provider-hang", "provider-latency", "provider-errors", "provider-rate-limit",
        "cache-flush", "table-drop", "connection-exhaustion", "traffic-burst",
        "pod-delete", "scale-to-zero", "bad-rollout",
    }  # fmt: skip
    latency = next(e for e in catalogue() if e["type"] == "latency")
    params = {p["name"]: p for p in latency["params"]}
    assert params["latency_ms"]["required"] and params["latency_ms"]["min"] == 0
    assert params["stream"]["choices"] == ["upstream", "downstream"]
    assert params["toxicity"] == {
        "name": "toxicity",
        "type": "number",
        "required": False,
        "default": 1.0,
        "min": 0.0,
        "max": 1.0,
        "help": "share of the connections affected",
    }
    assert all(e["description"] and e["category"] for e in catalogue())


def test_cli_lists_faults_as_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["faults", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [e["type"] for e in listed] == [e["type"] for e in catalogue()]
    assert main(["faults", "list"]) == 0
    out = capsys.readouterr().out
    assert "packet-loss" in out and "probability" in out


@pytest.mark.parametrize(
    ("kind", "params", "param", "message"),
    [
        ("latency", {"link": "api-nowhere", "latency_ms": 1}, "link", "unknown link"),
        ("latency", {"link": "api-redis", "latency_ms": -1}, "latency_ms", "must be >= 0"),
        ("latency", {"link": "api-redis"}, "latency_ms", "is required"),
        ("latency", {"link": "api-redis", "latency_ms": "5"}, "latency_ms", "must be an integer"),
        ("latency", {"link": "redis", "latency_ms": 1, "stream": "sideways"}, "stream", "one of"),
        ("timeout", {"link": "redis", "toxicity": 1.5}, "toxicity", "must be <= 1"),
        ("packet-loss", {"service": "redis", "probability": 1.01}, "probability", "<= 1"),
        ("packet-loss", {"service": "redis", "probability": -0.1}, "probability", ">= 0"),
        ("partition", {"service": "redis", "peer": "redis"}, "peer", "another service"),
        ("partition", {"service": "redis", "peer": "nginx"}, "peer", "unknown service"),
        ("kill", {"service": "nginx"}, "service", "unknown service 'nginx'"),
        ("kill", {"service": "redis", "signal": "SIGFOO"}, "signal", "one of"),
        ("kill", {"service": "redis", "colour": "red"}, "colour", "unknown parameter"),
        ("slicer", {"link": "redis", "average_size": 10, "size_variation": 10}, "size_variation",
         "below average_size"),
        ("disk-fill", {"service": "postgres"}, "path", "no size-limited data volume"),
        ("disk-fill", {"service": "redis", "path": "/"}, "path", "not a size-limited tmpfs"),
        ("memory-hog", {"service": "redis", "mb": 10}, "service", "no memory limit"),
        ("memory-hog", {"service": "api", "mb": 384}, "mb", "not below the limit"),
        ("oom", {"service": "postgres"}, "service", "no memory limit"),
        ("provider-errors", {"rate": 2}, "rate", "must be <= 1"),
        ("crash-loop", {"service": "api", "env": "JUSTANAME"}, "env", "not KEY=VALUE"),
        ("table-drop", {"table": "documents; DROP TABLE x"}, "table", "SQL identifier"),
        ("cache-flush", {"db": 16}, "db", "<= 15"),
        ("bandwidth", {"link": "redis", "rate_kbps": True}, "rate_kbps", "must be an integer"),
    ],
)  # fmt: skip
def test_bad_parameters_are_refused_naming_the_parameter(
    kind: str, params: dict[str, Any], param: str, message: str
) -> None:
    e = error(kind, **params)
    assert e.param == param
    assert f"parameter {param!r}" in str(e) and message in str(e)


def test_unknown_fault_type_lists_the_known_ones() -> None:
    with pytest.raises(FaultParamError, match="unknown fault type") as info:
        make_fault(stack(), "meteor", service="api")
    assert "latency" in str(info.value)


def test_good_parameters_are_typed_and_defaulted() -> None:
    f = fault_from_mapping(stack(), {"type": "latency", "link": "redis", "latency_ms": 250})
    assert f.as_dict() == {
        "type": "latency",
        "link": "redis",
        "stream": "downstream",
        "toxicity": 1.0,
        "latency_ms": 250,
        "jitter_ms": 0,
    }
    assert f.describe() == "latency 250 ms on api-redis downstream"
    assert not f.active
    p = parse("packet-loss", {"service": "redis", "probability": 1})
    assert p.probability == 1.0 and isinstance(p.probability, float)  # type: ignore[attr-defined]
    assert make_fault(stack(), "disk-fill", service="redis").describe() == (
        "fill redis:/data to ENOSPC"
    )
    assert make_fault(stack(), "provider-hang").describe() == "provider hangs"


def test_kernel_rules_are_tagged_and_scoped() -> None:
    drop = ("-j", "DROP")
    assert rules("both", "10.0.0.5", drop, "drillbook-fault-x") == [
        ("INPUT", "-s", "10.0.0.5", "-m", "comment", "--comment", "drillbook-fault-x", *drop),
        ("OUTPUT", "-d", "10.0.0.5", "-m", "comment", "--comment", "drillbook-fault-x", *drop),
    ]
    (only,) = rules("ingress", None, drop, "t")
    assert only[:4] == ("INPUT", "!", "-i", "lo")
    (only,) = rules("egress", None, drop, "t")
    assert only[:4] == ("OUTPUT", "!", "-o", "lo")


def test_tagged_rules_are_read_back_from_iptables_save() -> None:
    saved = """*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 172.18.0.3/32 -m comment --comment drillbook-fault-r1-abc -j DROP
-A INPUT -p tcp -m comment --comment "someone else" -j ACCEPT
-A OUTPUT -m statistic --mode random --probability 0.50000000000 -m comment --comment drillbook-fault-r1-def -j DROP
COMMIT
"""  # noqa: E501
    assert tagged_rules(saved, "drillbook-fault-r1-abc") == [
        ("INPUT", "-s", "172.18.0.3/32", "-m", "comment", "--comment", "drillbook-fault-r1-abc",
         "-j", "DROP"),
    ]  # fmt: skip
    assert len(tagged_rules(saved, "drillbook-fault-")) == 2


def test_sizes_and_env() -> None:
    assert parse_size("384m") == 384 * 2**20
    assert parse_size("1g") == 2**30
    assert parse_size("512") == 512
    assert tmpfs_size("size=64m,uid=100,gid=101") == 64 * 2**20
    assert tmpfs_size("16m") == 16 * 2**20
    assert tmpfs_size("uid=100") is None
    assert parse_env("A=1,B=x=y") == {"A": "1", "B": "x=y"}
    with pytest.raises(ValueError):
        parse_env("A=1,=2")


def test_validate_checks_a_scenario_fault_against_the_stack_file_alone() -> None:
    assert validate("memory-hog", {"service": "api", "mb": 64}, SPEC).mb == 64  # type: ignore[attr-defined]
    with pytest.raises(FaultParamError, match="'service': service 'redis' has no memory limit"):
        validate("oom", {"service": "redis"}, SPEC)
    with pytest.raises(FaultParamError, match="'link': unknown link"):
        validate("latency", {"link": "nowhere", "latency_ms": 1}, SPEC)


def test_a_service_whose_control_page_is_not_the_simulator_s_is_no_leftover() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from types import SimpleNamespace

    from drillbook.faults.leftovers import _provider_state

    bodies = {"/control": b"<html>Prometheus</html>"}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = bodies.get(self.path, b"")
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        service = SimpleNamespace(
            url=f"http://127.0.0.1:{server.server_port}",
            spec=SimpleNamespace(ready=SimpleNamespace(http="/-/ready")),
        )
        assert _provider_state(service) is None  # type: ignore[arg-type]  # HTML: a web UI
        bodies["/control"] = b'{"latency_ms": 0, "hang": true, "error_rate": 0}'
        assert _provider_state(service) == {"latency_ms": 0, "hang": True, "error_rate": 0}
    finally:
        server.shutdown()
