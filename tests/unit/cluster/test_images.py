"""Image names and the pause image's archive."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from drillbook.cluster.images import cluster_name
from drillbook.cluster.pause import image_archive


@pytest.mark.parametrize(
    ("docker", "containerd"),
    [
        ("drillbook/redis:abc123", "docker.io/drillbook/redis:abc123"),
        ("debian:bookworm-slim", "docker.io/library/debian:bookworm-slim"),
        ("redis", "docker.io/library/redis:latest"),
        ("registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10"),
        ("localhost:5000/app:1", "localhost:5000/app:1"),
    ],
)
def test_docker_references_get_containerds_full_names(docker: str, containerd: str) -> None:
    assert cluster_name(docker) == containerd


def test_the_pause_archive_is_a_docker_save_image_of_one_layer() -> None:
    with tarfile.open(fileobj=io.BytesIO(image_archive(b"\x7fELF...", "x/pause:1"))) as archive:
        _check_archive(archive)


def _check_archive(archive: tarfile.TarFile) -> None:
    manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest[0]["RepoTags"] == ["x/pause:1"]
    config = json.loads(archive.extractfile(manifest[0]["Config"]).read())  # type: ignore[union-attr]
    assert config["config"]["Entrypoint"] == ["/pause"]
    layer_bytes = archive.extractfile(manifest[0]["Layers"][0]).read()  # type: ignore[union-attr]
    with tarfile.open(fileobj=io.BytesIO(layer_bytes)) as layer:
        pause = layer.getmember("pause")
        assert pause.mode == 0o755
        assert layer.extractfile(pause).read() == b"\x7fELF..."  # type: ignore[union-attr]
