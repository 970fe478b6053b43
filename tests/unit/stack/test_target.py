"""Choosing and checking a running stack for `drillbook drill --target` (no Docker)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from drillbook.errors import DrillbookError
from drillbook.stack import labels
from drillbook.stack.definition import load_stack_spec
from drillbook.stack.docker.target import Member, Target, attach, choose, group
from drillbook.stack.spec import StackSpec

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def spec() -> StackSpec:
    return load_stack_spec(ROOT / "fixtures" / "stack.yaml")


def member(
    service: str,
    port: int,
    *,
    run: str = "r1",
    host_port: int = 40000,
    address: str = "127.0.0.1",
    status: str = "running",
    networks: tuple[str, ...] = ("net-r1",),
    **extra: str,
) -> Member:
    return Member(
        id=f"id-{run}-{service}",
        name=f"{run}-{service}",
        labels={
            labels.MANAGED: "true",
            labels.RUN: run,
            labels.SERVICE: service,
            labels.STACK: "reference",
            labels.MODE: "detached",
            **extra,
        },
        status=status,
        image=f"drillbook/{service}:1",
        networks=networks,
        published={f"{port}/tcp": ((address, host_port),)},
    )


def whole(spec: StackSpec, run: str = "r1", **changes: Member) -> Target:
    members = [
        changes.get(name.replace("-", "_"), member(name, s.port, run=run, host_port=40000 + i))
        for i, (name, s) in enumerate(sorted(spec.services.items()))
    ]
    return Target(run, tuple(members))


def test_containers_group_by_run_and_strangers_are_left_out() -> None:
    stranger = dataclasses.replace(member("api", 8000, run="x"), labels={labels.RUN: "x"})
    found = group([member("api", 8000, run="b"), member("redis", 6379, run="a"), stranger])
    assert [t.run_id for t in found] == ["a", "b"]


def test_the_only_running_stack_is_chosen_when_none_is_named() -> None:
    only = Target("r1", (member("api", 8000),))
    assert choose([only], None) is only
    assert choose([only, Target("r2", ())], "r2").run_id == "r2"


@pytest.mark.parametrize(
    ("running", "wanted", "message"),
    [
        ([], None, "no drillbook-labelled stack is running"),
        ([Target("r1", ()), Target("r2", ())], None, "2 stacks are running"),
        ([Target("r1", ())], "nope", "no running drillbook stack has run id 'nope'"),
    ],
)
def test_choosing_explains_what_is_running(
    running: list[Target], wanted: str | None, message: str
) -> None:
    with pytest.raises(DrillbookError, match=message) as raised:
        choose(running, wanted)
    assert raised.value.hint  # says how to go on


def test_a_whole_stack_attaches(spec: StackSpec) -> None:
    target = whole(spec)
    attached = attach(target, spec, managed_networks=["net-r1", "other"], owner_alive=False)
    assert attached.network == "net-r1"
    assert set(attached.services) == set(spec.services)
    assert attached.services["api"][1] == 40000 + sorted(spec.services).index("api")
    assert target.run_labels()[labels.RUN] == "r1"
    assert labels.SERVICE not in target.run_labels()  # per container, not per run


def test_a_port_published_on_all_addresses_is_used_on_loopback() -> None:
    assert member("api", 8000, address="0.0.0.0").host_port(8000) == 40000
    assert member("api", 8000, address="10.1.2.3").host_port(8000) is None
    assert member("api", 8000).host_port(9999) is None


def test_every_mismatch_is_listed_at_once(spec: StackSpec) -> None:
    target = whole(spec)
    members = [m for m in target.members if m.service not in ("worker",)]
    members = [
        dataclasses.replace(m, status="exited") if m.service == "redis" else m for m in members
    ]
    members = [
        member("api", 8000, address="10.1.2.3") if m.service == "api" else m for m in members
    ]
    with pytest.raises(DrillbookError) as raised:
        attach(Target("r1", tuple(members)), spec, managed_networks=["net-r1"], owner_alive=False)
    text = str(raised.value)
    assert "no container labelled io.drillbook.service=worker" in text
    assert "(redis) is exited, not running" in text
    assert "(api) does not publish port 8000 on 127.0.0.1" in text
    assert str(spec.path) in text


def test_a_network_drillbook_did_not_label_is_refused(spec: StackSpec) -> None:
    with pytest.raises(DrillbookError, match="none of its containers is on a network labelled"):
        attach(whole(spec), spec, managed_networks=["someone-elses"], owner_alive=False)


def test_a_container_off_the_stacks_network_is_named(spec: StackSpec) -> None:
    members = [
        dataclasses.replace(m, networks=("elsewhere",)) if m.service == "worker" else m
        for m in whole(spec).members
    ]
    with pytest.raises(DrillbookError, match="not on its labelled network net-r1: r1-worker"):
        attach(Target("r1", tuple(members)), spec, managed_networks=["net-r1"], owner_alive=False)


def relabelled(target: Target, key: str, value: str) -> Target:
    members = (dataclasses.replace(m, labels={**m.labels, key: value}) for m in target.members)
    return Target(target.run_id, tuple(members))


def test_another_stack_definition_is_refused(spec: StackSpec) -> None:
    other = relabelled(whole(spec), labels.STACK, "shop")
    with pytest.raises(DrillbookError, match="runs stack 'shop', the definition is 'reference'"):
        attach(other, spec, managed_networks=["net-r1"], owner_alive=False)


def test_a_stack_a_live_test_run_owns_is_refused(spec: StackSpec) -> None:
    session = relabelled(whole(spec), labels.MODE, "session")
    with pytest.raises(DrillbookError, match="belongs to a drillbook process still running"):
        attach(session, spec, managed_networks=["net-r1"], owner_alive=True)
    # Its owner gone, it is anybody's (and the next run reaps it anyway).
    attach(session, spec, managed_networks=["net-r1"], owner_alive=False)
