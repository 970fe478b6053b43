"""Manifests dumped for kubectl keep their strings strings, under YAML 1.2 too."""

from __future__ import annotations

import yaml

from drillbook.stack.kube.dump import dump_manifests


def test_a_run_id_that_looks_like_a_number_is_quoted() -> None:
    # A hex run id `5e46813` once reached kubectl unquoted: a number, and the namespace
    # (whose labels must be strings) was refused.
    doc = {"metadata": {"labels": {"run": "5e46813", "n": "0x1f", "plain": "redis"}},
           "spec": {"replicas": 1}}  # fmt: skip
    text = dump_manifests([doc])
    assert 'run: "5e46813"' in text and 'n: "0x1f"' in text
    assert "plain: redis" in text and "replicas: 1" in text
    assert list(yaml.safe_load_all(text)) == [doc]
