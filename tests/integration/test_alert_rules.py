"""The reference stack's alert rules pass `promtool check rules` in the Prometheus image
(the image carries the same file: its tag is a hash of its build context)."""

from __future__ import annotations

from pathlib import Path

import docker
import pytest

from drillbook.stack import labels, load_stack_spec
from drillbook.stack.images import build_image

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BROKEN = "groups:\n- name: g\n  rules:\n  - alert: X\n    expr: rate(up[5m]\n    for: 2s\n"


def promtool(client: docker.DockerClient, script: str, env: dict[str, str] | None = None) -> str:
    spec = load_stack_spec(ROOT / "fixtures" / "stack.yaml")
    image = build_image(client, spec.services["prometheus"], spec)
    output = client.containers.run(
        image,
        ["sh", "-c", script],
        environment=env or {},
        labels={labels.MANAGED: "true"},
        remove=True,
        stderr=True,
    )
    return bytes(output).decode()


def test_promtool_checks_the_reference_rules(client: docker.DockerClient) -> None:
    output = promtool(client, "promtool check rules /etc/prometheus/rules/*.yml")
    assert "SUCCESS: 16 rules found" in output


def test_promtool_refuses_a_broken_rule(client: docker.DockerClient) -> None:
    with pytest.raises(docker.errors.ContainerError, match="parse error"):
        promtool(
            client,
            'printf "%s" "$RULES" > /tmp/r.yml && promtool check rules /tmp/r.yml',
            {"RULES": BROKEN},
        )
