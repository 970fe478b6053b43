"""Copying a container from the engine's record of it (no Docker)."""

from __future__ import annotations

from typing import Any

from drillbook.stack.docker.clone import Snapshot, create_args, env_dict

RECORD: dict[str, Any] = {
    "Id": "0123456789abcdef",
    "Name": "/shop-redis-1",
    "Image": "sha256:feed",
    "Config": {
        "Env": ["PATH=/bin", "OWNERS=kept", "EMPTY"],
        "Cmd": ["redis-server", "--appendonly", "yes"],
        "Entrypoint": None,
        "Labels": {"io.drillbook.run": "shop", "com.docker.compose.service": "redis"},
        "WorkingDir": "/data",
        "User": "redis",
        "ExposedPorts": {"6379/tcp": {}},
    },
    "HostConfig": {
        "NetworkMode": "shop_default",
        "PortBindings": {"6379/tcp": [{"HostIp": "127.0.0.1", "HostPort": "16379"}]},
        "RestartPolicy": {"Name": "unless-stopped", "MaximumRetryCount": 0},
        "Binds": ["/srv/conf:/etc/redis:ro"],
        "Memory": 268435456,
    },
    "Mounts": [
        {"Type": "bind", "Source": "/srv/conf", "Destination": "/etc/redis", "RW": False},
        {"Type": "volume", "Name": "shop_redis-data", "Destination": "/data", "RW": True},
        {"Type": "volume", "Name": "3f2a9c", "Destination": "/cache", "RW": False},
    ],
    "NetworkSettings": {
        "Networks": {
            "monitoring": {"Aliases": ["redis-metrics"]},
            "shop_default": {"Aliases": ["redis", "0123456789ab"]},
        }
    },
}


def test_a_copy_is_the_same_container_but_for_what_the_drill_changes() -> None:
    args, networks = create_args(Snapshot(RECORD), env={"OWNERS": "drill", "NEW": "1"})
    assert args["name"] == "shop-redis-1"
    assert args["image"] == "sha256:feed"  # by id: nothing to pull
    assert args["command"] == ["redis-server", "--appendonly", "yes"]
    assert args["labels"] == RECORD["Config"]["Labels"]
    assert args["environment"] == ["PATH=/bin", "OWNERS=drill", "EMPTY=", "NEW=1"]
    assert (args["working_dir"], args["user"]) == ("/data", "redis")
    assert args["ports"] == [("6379", "tcp")]
    host = args["host_config"]
    assert host["PortBindings"] == RECORD["HostConfig"]["PortBindings"]
    assert host["RestartPolicy"]["Name"] == "unless-stopped" and host["Memory"] == 268435456
    # Volumes by name, anonymous ones too, read-only kept; binds as they were.
    assert host["Binds"] == [
        "/srv/conf:/etc/redis:ro",
        "shop_redis-data:/data",
        "3f2a9c:/cache:ro",
    ]
    # Aliases kept, less the old container's own id, which the engine adds by itself.
    assert networks == {"monitoring": ["redis-metrics"], "shop_default": ["redis"]}


def test_a_copy_can_change_command_and_restart_policy_and_leaves_the_record_alone() -> None:
    snapshot = Snapshot(RECORD)
    args, _ = create_args(snapshot, command=["false"], restart_policy={"Name": "always"})
    assert args["command"] == ["false"]
    assert args["host_config"]["RestartPolicy"] == {"Name": "always"}
    assert RECORD["HostConfig"]["RestartPolicy"]["Name"] == "unless-stopped"
    assert RECORD["HostConfig"]["Binds"] == ["/srv/conf:/etc/redis:ro"]
    assert create_args(snapshot)[0]["environment"] == ["PATH=/bin", "OWNERS=kept", "EMPTY="]


def test_settings_read_as_the_engine_writes_them() -> None:
    assert env_dict(["A=1", "B=x=y", "C"]) == {"A": "1", "B": "x=y", "C": ""}
    assert env_dict(None) == {}
