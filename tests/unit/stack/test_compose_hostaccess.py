"""A Compose service that would hand the host to a runbook line is refused at its file:line
(read through the real `docker compose config`, no engine)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from drillbook.errors import SourceError
from drillbook.stack.compose.hostaccess import host_mount
from drillbook.stack.definition import load_stack_spec

HEALTHY = 'healthcheck: {test: [CMD, "true"]}'


def compose(tmp_path: Path, settings: str, name: str = "compose.yml") -> str:
    text = f"services:\n  app:\n    image: busybox\n    {HEALTHY}\n"
    text += "".join(f"    {line}\n" for line in settings.splitlines())
    (tmp_path / name).write_text(text)
    return str(tmp_path / name)


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        ("privileged: true", "privileged container"),
        ("network_mode: host", "network_mode: host"),
        ("pid: host", "pid: host"),
        ("ipc: host", "ipc: host"),
        ("cap_add: [SYS_ADMIN]", "cap_add SYS_ADMIN"),
        ("cap_add: [ALL]", "cap_add ALL"),
        ("devices: ['/dev/null:/dev/x']", "device"),
        ("security_opt: ['seccomp:unconfined']", "confinement"),
        ("volumes: ['/:/host:ro']", "whole file system"),
        ("volumes: ['/proc:/host/proc:ro']", "system folders"),
    ],
)
def test_a_setting_that_reaches_the_host_is_refused_at_its_line(
    tmp_path: Path, settings: str, said: str
) -> None:
    with pytest.raises(SourceError) as caught:
        load_stack_spec(compose(tmp_path, settings))
    assert said in caught.value.message and "'app'" in caught.value.message
    assert caught.value.line == 5  # the setting's own line, after image and healthcheck


def test_a_socket_is_refused_by_what_it_is_not_by_its_name(tmp_path: Path) -> None:
    path = tmp_path / "engine.api"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(path))
        assert host_mount(str(path)) is not None
        with pytest.raises(SourceError, match="socket"):
            load_stack_spec(compose(tmp_path, f"volumes: ['{path}:/var/run/x.sock:ro']"))


def test_a_setting_in_a_later_file_is_refused_at_that_file(tmp_path: Path) -> None:
    first = compose(tmp_path, "")
    (tmp_path / "more.yml").write_text("services:\n  app:\n    privileged: true\n")
    with pytest.raises(SourceError) as caught:
        load_stack_spec(f"{first},{tmp_path / 'more.yml'}")
    assert caught.value.path.endswith("more.yml") and caught.value.line == 3


@pytest.mark.parametrize(
    "settings",
    [
        "cap_add: [NET_ADMIN]",  # its own network namespace only
        "volumes: ['./conf:/etc/app:ro', './data:/data']",  # the project's own folders
        "network_mode: bridge",
    ],
)
def test_what_stays_inside_the_container_is_accepted(tmp_path: Path, settings: str) -> None:
    (tmp_path / "conf").mkdir()
    assert "app" in load_stack_spec(compose(tmp_path, settings)).services


def test_a_later_file_resets_the_setting_for_the_drill(tmp_path: Path) -> None:
    first = compose(tmp_path, "privileged: true\ncap_add: [SYS_ADMIN]")
    (tmp_path / "drill.yml").write_text(
        "services:\n  app:\n    privileged: !reset null\n    cap_add: !override [NET_ADMIN]\n"
    )
    spec = load_stack_spec(f"{first},{tmp_path / 'drill.yml'}")
    assert spec.compose is not None
    assert "privileged" not in spec.compose.config["services"]["app"]


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        ("network_mode: 'container:prod-redis'", "not the drill's"),
        ("pid: 'container:prod-redis'", "not the drill's"),
        ("volumes_from: ['container:prod-db']", "not the drill's"),
        ("security_opt: ['label=disable']", "confinement"),
    ],
)
def test_another_containers_namespaces_and_volumes_are_refused(
    tmp_path: Path, settings: str, said: str
) -> None:
    with pytest.raises(SourceError, match=said):
        load_stack_spec(compose(tmp_path, settings))


def test_a_folder_holding_a_socket_or_a_link_to_the_root_is_refused(tmp_path: Path) -> None:
    run = tmp_path / "run"
    (run / "engine").mkdir(parents=True)
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(run / "engine" / "api.sock"))
        assert host_mount(str(run)) is not None  # the socket two levels down
    (tmp_path / "rootfs").symlink_to("/")
    assert host_mount(str(tmp_path / "rootfs")) == "the host's whole file system"


def test_a_volume_that_binds_a_host_folder_is_refused(tmp_path: Path) -> None:
    path = compose(tmp_path, "volumes: [data:/data]")
    with open(path, "a") as f:
        f.write("volumes:\n  data:\n    driver_opts: {type: none, o: bind, device: /srv}\n")
    with pytest.raises(SourceError, match="host's folder /srv") as caught:
        load_stack_spec(path)
    assert caught.value.line == 7  # `data:` under the top-level volumes
