"""Compose files read into a StackSpec through the real `docker compose config` (no engine)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from drillbook.errors import SourceError
from drillbook.stack.compose.model import PROXY, is_compose
from drillbook.stack.compose.override import Run, dump, override
from drillbook.stack.compose.plugin import packaged_binary
from drillbook.stack.definition import load_stack_spec
from drillbook.stack.spec import StackSpec

HEALTHY = 'healthcheck: {test: [CMD, "true"]}'

BASE = f"""\
services:
  api:
    image: shop/api:1
    ports: ["${{API_PORT:-8000}}:8000"]
    environment:
      REDIS_URL: redis://redis:6379/0
      REDIS_HOST: redis
      DATABASE_URL: postgresql://app:app@db:5432/app
    depends_on: {{redis: {{condition: service_healthy}}}}
    {HEALTHY}
  redis:
    image: redis:7
    container_name: shop-redis
    expose: ["6379"]
    volumes: [cache:/data]
    {HEALTHY}
  db:
    image: postgres:15
    ports: ["5432:5432"]
    volumes: ["./pgdata:/var/lib/postgresql/data", "./init.sql:/init.sql:ro"]
    mem_limit: 256m
    tmpfs: ["/scratch:size=16m"]
    {HEALTHY}
  debug:
    image: busybox
    profiles: [debug]
    {HEALTHY}
volumes:
  cache: {{}}
  archive: {{external: true}}
"""

SIDE = """\
x-drillbook:
  name: shop
  links:
    - {from: api, to: redis}
    - {from: api, to: db}
  writes: {service: db, command: [psql, -tAc, "SELECT id FROM t WHERE id IN ({ids})"]}
"""


def project(tmp_path: Path, *files: tuple[str, str], env: str = "") -> str:
    for name, text in files:
        (tmp_path / name).write_text(text)
    if env:
        (tmp_path / ".env").write_text(env)
    return ",".join(str(tmp_path / name) for name, _ in files)


def test_compose_files_are_recognised_by_name() -> None:
    for name in ("compose.yml", "docker-compose.yaml", "docker-compose.production.yml"):
        assert is_compose(f"/x/{name}")
    assert is_compose("/x/a.yml,/x/b.yml")
    assert not is_compose("fixtures/stack.yaml")


def test_several_files_an_env_file_and_a_side_file_make_one_stack(tmp_path: Path) -> None:
    extra = "services:\n  worker:\n    image: shop/api:1\n    " + HEALTHY + "\n"
    path = project(
        tmp_path,
        ("compose.yml", BASE),
        ("compose.worker.yml", extra),
        ("drillbook.yml", SIDE),
        env="API_PORT=9000\n",
    )
    spec = load_stack_spec(path)
    assert spec.name == "shop"
    assert set(spec.services) == {"api", "redis", "db", "worker", PROXY}  # no profile: no debug
    assert spec.services["api"].port == 8000 and spec.services["redis"].port == 6379
    assert spec.services["db"].memory and spec.services["db"].tmpfs == {"/scratch": "size=16m"}
    assert all(s.ready.health for s in spec.services.values())
    assert spec.compose is not None and spec.compose.files[1].name == "compose.worker.yml"
    assert spec.compose.config["services"]["api"]["ports"][0]["published"] == "9000"  # .env read
    assert spec.writes is not None and spec.writes.service == "db"


def test_a_profile_adds_its_services(tmp_path: Path) -> None:
    path = project(tmp_path, ("compose.yml", BASE))
    assert "debug" not in load_stack_spec(path).services
    assert "debug" in load_stack_spec(path, "debug").services


def test_links_point_the_source_settings_at_the_proxy(tmp_path: Path) -> None:
    spec = load_stack_spec(project(tmp_path, ("compose.yml", BASE), ("drillbook.yml", SIDE)))
    assert [(link.name, link.listen) for link in spec.links] == [
        ("api-redis", 6379),
        ("api-db", 5432),
    ]
    assert spec.proxy == PROXY
    assert spec.compose is not None
    assert spec.compose.settings["api"] == {
        "REDIS_URL": f"redis://{PROXY}:6379/0",
        "REDIS_HOST": PROXY,  # the host alone: the proxy listens on the target's own port
        "DATABASE_URL": f"postgresql://app:app@{PROXY}:5432/app",
    }


def test_two_links_on_one_port_get_a_spare_listener(tmp_path: Path) -> None:
    text = """\
services:
  api:
    image: a
    environment: {A_URL: "http://one:8000", B_URL: "http://two:8000/v1"}
    healthcheck: {test: [CMD, "true"]}
  one: {image: a, expose: ["8000"], healthcheck: {test: [CMD, "true"]}}
  two: {image: a, expose: ["8000"], healthcheck: {test: [CMD, "true"]}}
x-drillbook:
  links: [{from: api, to: one}, {from: api, to: two}]
"""
    spec = load_stack_spec(project(tmp_path, ("compose.yml", text)))
    assert [link.listen for link in spec.links] == [8000, 20000]
    assert spec.compose is not None
    assert spec.compose.settings["api"]["B_URL"] == f"http://{PROXY}:20000/v1"


def test_a_link_its_source_never_names_is_an_error_at_its_line(tmp_path: Path) -> None:
    side = "x-drillbook:\n  links:\n    - {from: redis, to: db}\n"
    path = project(tmp_path, ("compose.yml", BASE), ("drillbook.yml", side))
    with pytest.raises(SourceError, match=r"drillbook.yml:3: link redis -> db: no setting"):
        load_stack_spec(path)


def test_a_service_without_healthcheck_says_what_to_add(tmp_path: Path) -> None:
    text = "services:\n" + "  cache:\n    image: redis:7\n" + BASE.split("services:\n", 1)[1]
    with pytest.raises(SourceError) as caught:
        load_stack_spec(project(tmp_path, ("compose.yml", text)))
    message = str(caught.value)
    assert "compose.yml:2: service 'cache' has no healthcheck" in message
    assert '["CMD", "redis-cli", "ping"]' in message and "disable: true" in message


def test_a_file_compose_rejects_is_reported_with_composes_words(tmp_path: Path) -> None:
    path = project(tmp_path, ("compose.yml", "services:\n  api:\n    image: a\n    ports: 3\n"))
    with pytest.raises(SourceError, match="docker compose config rejects it"):
        load_stack_spec(path)


def test_unknown_stand_in_image_is_named(tmp_path: Path) -> None:
    side = "x-drillbook:\n  stand-ins:\n    api: nginx\n"
    path = project(tmp_path, ("compose.yml", BASE), ("drillbook.yml", side))
    with pytest.raises(
        SourceError, match=r"drillbook.yml:3: stand-ins: no reference image 'nginx'"
    ):
        load_stack_spec(path)


# -- the generated override, merged by the real Compose ------------------------------------


def merged(spec: StackSpec, tmp_path: Path) -> dict[str, object]:
    """Compose's own merge of the user's files and drillbook's override for a run."""
    assert spec.compose is not None
    config = spec.compose.config
    ports = {
        name: {p: 40000 + i for i, p in enumerate([spec.services[name].port])}
        for name in config["services"]
    }
    run = Run(
        project="drillbook-shop-abc",
        labels={"io.drillbook.managed": "true", "io.drillbook.run": "abc"},
        images={name: f"drillbook/{name}:x" for name, s in spec.services.items() if s.build},
        host_ports={**ports, PROXY: {8474: 48474}},
    )
    path = tmp_path / "override.yml"
    path.write_text(dump(override(spec, config, run)))
    files = [a for f in (*spec.compose.files, path) for a in ("-f", str(f))]
    done = subprocess.run(
        [str(packaged_binary()), *files, "-p", run.project, "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    return dict(json.loads(done.stdout))


def test_the_override_makes_the_project_drillbooks_own(tmp_path: Path) -> None:
    files = project(tmp_path, ("compose.yml", BASE), ("drillbook.yml", SIDE))
    before = {p: p.read_text() for p in tmp_path.iterdir()}
    spec = load_stack_spec(files)
    config = merged(spec, tmp_path)
    services = config["services"]
    assert isinstance(services, dict)
    for name, service in services.items():
        assert service["labels"]["io.drillbook.run"] == "abc", name
        for port in service.get("ports", []):
            assert port["host_ip"] == "127.0.0.1", (name, port)
    assert [p["published"] for p in services["db"]["ports"]] == ["40000"]  # not the user's 5432
    assert "container_name" not in services["redis"]  # the user's own may be running
    db_volumes = {v["target"]: v for v in services["db"]["volumes"]}
    assert db_volumes["/var/lib/postgresql/data"]["type"] == "volume"  # not the user's folder
    assert db_volumes["/init.sql"]["type"] == "bind"  # read-only configuration is kept
    assert services["api"]["environment"]["REDIS_URL"] == f"redis://{PROXY}:6379/0"
    assert services["api"]["depends_on"][PROXY]["condition"] == "service_healthy"
    assert services["api"]["depends_on"]["redis"]["condition"] == "service_healthy"  # kept
    assert services[PROXY]["ports"][0]["published"] == "48474"
    volumes = config["volumes"]
    assert isinstance(volumes, dict)
    assert volumes["cache"]["labels"]["io.drillbook.managed"] == "true"
    assert volumes["cache"]["name"] == "drillbook-shop-abc_cache"
    networks = config["networks"]
    assert (
        isinstance(networks, dict) and networks["default"]["name"] == "drillbook-shop-abc_default"
    )
    assert {p: p.read_text() for p in tmp_path.iterdir() if p in before} == before


def test_services_compose_builds_itself_need_no_image_from_drillbook() -> None:
    from drillbook.stack.images import ensure_images
    from drillbook.stack.spec import Readiness, ServiceSpec

    class NoEngine:
        """Any call to the engine fails the test: nothing is to be pulled or built."""

        def __getattr__(self, name: str) -> object:
            raise AssertionError(f"the engine was asked for {name}")

    own = ServiceSpec(name="web", port=8000, ready=Readiness(health=True))  # build: in the file
    spec = StackSpec(name="shop", path=Path("compose.yml"), services={"web": own})
    assert ensure_images(NoEngine(), spec) == {}  # type: ignore[arg-type]
