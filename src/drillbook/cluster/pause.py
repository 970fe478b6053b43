"""The pause image every pod's sandbox runs, made here since no registry can be reached.

A static Go program that sleeps until told to stop and reaps its zombies, packed by hand into
a `docker save`-style archive (one layer, `FROM scratch`) that `ctr images import` takes. Built
once and cached beside the Kubernetes binaries.
"""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import tarfile
from pathlib import Path

from drillbook.cluster.build import go_command, go_env, tail, version_dir
from drillbook.errors import DrillbookError

PAUSE_IMAGE = "registry.k8s.io/pause:3.10"  # the name the kubelet and containerd expect

PAUSE_GO = """// pause: sleep until SIGINT or SIGTERM, reaping zombies meanwhile.
package main

import (
\t"os"
\t"os/signal"
\t"syscall"
)

func main() {
\tsigs := make(chan os.Signal, 4)
\tsignal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
\tfor s := range sigs {
\t\tif s != syscall.SIGCHLD {
\t\t\tos.Exit(0)
\t\t}
\t\tfor {
\t\t\tvar ws syscall.WaitStatus
\t\t\tif pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil); pid <= 0 || err != nil {
\t\t\t\tbreak
\t\t\t}
\t\t}
\t}
}
"""


def pause_archive(version: str) -> Path:
    """The pause image archive, built on first use."""
    folder = version_dir(version) / "pause"
    archive = folder / "pause-image.tar"
    if archive.is_file():
        return archive
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.go").write_text(PAUSE_GO, encoding="utf-8")
    (folder / "go.mod").write_text("module drillbook.local/pause\n\ngo 1.21\n", encoding="utf-8")
    log = folder / "build.log"
    with log.open("w", encoding="utf-8") as out:
        result = subprocess.run(
            [go_command(), "build", "-trimpath", "-ldflags", "-s -w", "-o", "pause", "."],
            cwd=folder,
            env=go_env(),
            stdout=out,
            stderr=out,
            check=False,
        )
    if result.returncode != 0:
        raise DrillbookError(f"building the pause binary failed:\n{tail(log)}", f"full log: {log}")
    partial = archive.with_suffix(".partial")
    partial.write_bytes(image_archive((folder / "pause").read_bytes(), PAUSE_IMAGE))
    partial.rename(archive)
    return archive


def image_archive(binary: bytes, tag: str) -> bytes:
    """A one-layer image holding `/pause`, as `docker save` writes it."""
    layer = _tar({"pause": (binary, 0o755)})
    layer_id = hashlib.sha256(layer).hexdigest()
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "created": "1970-01-01T00:00:00Z",
            "config": {"Entrypoint": ["/pause"], "User": "65535:65535"},
            "rootfs": {"type": "layers", "diff_ids": [f"sha256:{layer_id}"]},
        }
    ).encode()
    config_id = hashlib.sha256(config).hexdigest()
    manifest = json.dumps(
        [{"Config": f"{config_id}.json", "RepoTags": [tag], "Layers": [f"{layer_id}/layer.tar"]}]
    ).encode()
    return _tar(
        {
            f"{layer_id}/layer.tar": (layer, 0o644),
            f"{config_id}.json": (config, 0o644),
            "manifest.json": (manifest, 0o644),
        }
    )


def _tar(files: dict[str, tuple[bytes, int]]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, (data, mode) in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, 0
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()
