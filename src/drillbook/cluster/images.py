"""Images from the local Docker engine, imported into the cluster's containerd.

No registry can be reached, so pods run only images imported here (`imagePullPolicy: Never`
or `IfNotPresent`). An image is streamed `docker save | ctr images import -`; the Docker image
id of each import is recorded, so importing the same image again is skipped.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path

from drillbook.errors import DrillbookError


def docker_image_id(docker_ref: str) -> str:
    result = subprocess.run(
        ["docker", "image", "inspect", "--format", "{{.Id}}", docker_ref],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise DrillbookError(
            f"no image {docker_ref} in the local Docker engine ({result.stderr.strip()[:200]})",
            "build it first (`drillbook images`), or check the name with `docker images`",
        )
    return result.stdout.strip()


def cluster_name(docker_ref: str) -> str:
    """The name containerd (and the kubelet) give a Docker reference: `docker.io/...`."""
    name = docker_ref if ":" in docker_ref.rsplit("/", 1)[-1] else f"{docker_ref}:latest"
    first = name.split("/", 1)[0]
    if "/" not in name or ("." not in first and ":" not in first and first != "localhost"):
        name = f"docker.io/{name}" if "/" in name else f"docker.io/library/{name}"
    return name


def import_image(docker_ref: str, ctr: Sequence[str], record: Path) -> bool:
    """Import `docker_ref` unless the same image id is already in; True when it imported."""
    image_id = docker_image_id(docker_ref)
    done: dict[str, str] = json.loads(record.read_text()) if record.is_file() else {}
    listed = subprocess.run(
        [*ctr, "images", "ls", "-q"], capture_output=True, text=True, check=False
    ).stdout.split()
    if done.get(docker_ref) == image_id and cluster_name(docker_ref) in listed:
        return False
    save = subprocess.Popen(["docker", "save", docker_ref], stdout=subprocess.PIPE)
    load = subprocess.run(
        [*ctr, "images", "import", "-"],
        stdin=save.stdout,
        capture_output=True,
        text=True,
        check=False,
    )
    if save.stdout is not None:
        save.stdout.close()
    if save.wait() != 0 or load.returncode != 0:
        raise DrillbookError(
            f"importing {docker_ref} into the cluster failed: {load.stderr.strip()[-300:]}",
            "check `docker save` works for it and the cluster is up (`drillbook cluster status`)",
        )
    done[docker_ref] = image_id
    record.write_text(json.dumps(done, indent=2), encoding="utf-8")
    return True
