from __future__ import annotations

from pathlib import Path

import pytest

from drillbook.errors import SourceError
from drillbook.stack.definition import load_stack_spec
from drillbook.stack.images import content_hash

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT / "fixtures" / "stack.yaml"


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "img").mkdir(exist_ok=True)
    (tmp_path / "img" / "Dockerfile").write_text("FROM debian:bookworm-slim\n")
    path = tmp_path / "stack.yaml"
    path.write_text(text)
    return path


def test_reference_stack_loads() -> None:
    spec = load_stack_spec(REFERENCE)
    assert set(spec.services) == {
        "api",
        "worker",
        "postgres",
        "redis",
        "vectordb",
        "provider",
        "provider-fallback",
        "toxiproxy",
        "prometheus",
        "alertmanager",
        "redis-exporter",
        "postgres-exporter",
        "blackbox-exporter",
    }
    assert {link.target for link in spec.links} == {
        "postgres",
        "redis",
        "vectordb",
        "provider",
        "provider-fallback",
    }
    assert spec.proxy == "toxiproxy"
    waves = spec.start_order()
    assert waves[-1] == ["api", "worker"] and "toxiproxy" in waves[0]
    assert spec.alerting is not None
    assert (spec.alerting.prometheus, spec.alerting.alertmanager) == ("prometheus", "alertmanager")
    assert [p.name for p in spec.alerting.rules] == ["alerts.yml"]
    assert spec.alerting.webhook_port == 9095


def test_every_link_is_named_in_the_api_settings() -> None:
    spec = load_stack_spec(REFERENCE)
    env = " ".join(spec.services["api"].env.values())
    for link in spec.links:
        assert f"toxiproxy:{link.listen}" in env, link


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (
            "services:\n  db:\n    build: {context: img}\n    port: 99999\n    ready: {http: /}\n",
            4,
            "must be a port number",
        ),
        (
            "services:\n  db:\n    build: {context: img}\n    port: 80\n    colour: red\n"
            "    ready: {http: /}\n",
            5,
            "unknown key 'colour'",
        ),
        ("services:\n  db:\n    build: {context: img}\n    port: 80\n", 2, "needs 'ready'"),
        (
            "services:\n  db:\n    build: {context: nowhere}\n    port: 80\n    ready: {http: /}\n",
            3,
            "no Dockerfile",
        ),
        (
            "services:\n  db:\n    image: x\n    port: 80\n    ready: {http: /}\n"
            "    depends_on: [ghost]\n",
            2,
            "unknown service 'ghost'",
        ),
        (
            "services:\n  db:\n    image: x\n    port: 80\n    ready: {http: /}\n"
            "links:\n  - {from: db, to: cache, listen: 1}\n",
            7,
            "unknown service 'cache'",
        ),
        ("services:\n  db: [\n", 3, "invalid YAML"),
    ],
)
def test_bad_stack_files_are_reported_at_their_line(
    tmp_path: Path, text: str, line: int, fragment: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(SourceError) as info:
        load_stack_spec(path)
    assert info.value.line == line, str(info.value)
    assert fragment in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_dependency_cycle_is_an_error(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "services:\n"
        "  a: {image: x, port: 1, ready: {http: /}, depends_on: [b]}\n"
        "  b: {image: x, port: 1, ready: {http: /}, depends_on: [a]}\n",
    )
    with pytest.raises(SourceError, match="cycle"):
        load_stack_spec(path).start_order()


def test_content_hash_follows_the_build_context(tmp_path: Path) -> None:
    spec = load_stack_spec(
        write(
            tmp_path,
            "services:\n  db:\n    build: {context: img}\n    port: 80\n    ready: {http: /}\n",
        )
    )
    build = spec.services["db"].build
    assert build is not None
    before = content_hash(build)
    assert content_hash(build) == before
    (tmp_path / "img" / "Dockerfile").write_text("FROM debian:bookworm-slim\nRUN true\n")
    assert content_hash(build) != before


def test_qdrant_profile_swaps_the_vector_db() -> None:
    spec = load_stack_spec(REFERENCE, profile="qdrant")
    vectordb = spec.services["vectordb"]
    assert vectordb.image == "qdrant/qdrant:v1.15.1" and vectordb.build is None
    assert vectordb.port == 6333 and vectordb.ready.http == "/readyz"
    api_env = spec.services["api"].env
    assert api_env["VECTORDB_KIND"] == "qdrant"
    assert api_env["DATABASE_URL"].startswith("postgresql://")  # the rest of env is kept
    assert load_stack_spec(REFERENCE).services["vectordb"].build is not None


def test_unknown_profile_is_an_error() -> None:
    with pytest.raises(SourceError, match="no profile 'pinecone'") as info:
        load_stack_spec(REFERENCE, profile="pinecone")
    assert "qdrant" in str(info.value)
