"""The images packaging/image.sh builds: run them as a container runtime would, and read what they hold.

``ELEKTROMAIL_IMAGE`` names the multi-arch manifest list (``NAME:VERSION``); the image of each architecture
is ``NAME:VERSION-ARCH``, and the list was exported with both images to ``dist/elektromail-VERSION.oci.tar``.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import tarfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from elektromail import __version__
from tests.elf import elf_machine
from tests.integration.process import REPO_ROOT, ServerProcess

IMAGE_ENV = "ELEKTROMAIL_IMAGE"
RUN_IMAGE = str(REPO_ROOT / "packaging" / "run-image.sh")
ARCHIVE = REPO_ROOT / "dist" / f"elektromail-{__version__}.oci.tar"
BUILDAH_ENV = {"STORAGE_DRIVER": "vfs", "BUILDAH_ISOLATION": "chroot"}


def image(arch: str) -> str:
    return f"{os.environ[IMAGE_ENV]}-{arch}"


def _flags(settings: Mapping[str, str]) -> list[str]:
    return [flag for name, value in settings.items() for flag in ("-e", f"{name}={value}")]


def image_server(arch: str, settings: Mapping[str, str], args: list[str] | None = None) -> ServerProcess:
    """The image's entrypoint, user and environment plus ``settings``, on the host's network; SIGTERM
    to it reaches the entrypoint as ``docker stop`` sends it."""
    tail = ["--", *args] if args else []
    return ServerProcess(env=BUILDAH_ENV, command=[RUN_IMAGE, image(arch), *_flags(settings), *tail])


def run_image(
    arch: str,
    settings: Mapping[str, str],
    *,
    healthcheck: bool = False,
    args: list[str] | None = None,
    timeout: float = 120.0,
) -> subprocess.CompletedProcess[str]:
    mode = ["--healthcheck"] if healthcheck else []
    tail = ["--", *args] if args else []
    return subprocess.run(
        [RUN_IMAGE, *mode, image(arch), *_flags(settings), *tail],
        env={**os.environ, **BUILDAH_ENV},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def image_config(arch: str) -> dict[str, Any]:
    """The image's configuration as runtimes read it (Docker format: it keeps the HEALTHCHECK)."""
    inspected = subprocess.run(
        ["buildah", "inspect", "--type", "image", image(arch)],
        env={**os.environ, **BUILDAH_ENV},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    config: dict[str, Any] = json.loads(inspected.stdout)["Docker"]["config"]
    return config


class ArchiveImage:
    """One image of the exported manifest list: its platform and the members of its layers."""

    def __init__(
        self,
        platform: dict[str, str],
        labels: dict[str, str],
        members: list[tarfile.TarInfo],
        layer_bytes: int,
        executable_head: bytes,
    ) -> None:
        self.platform = platform
        self.labels = labels
        self.members = {member.name.removeprefix("./"): member for member in members}
        self.layer_bytes = layer_bytes  # uncompressed
        self.executable_head = executable_head

    @property
    def elf_machine(self) -> int:
        return elf_machine(self.executable_head)


EXECUTABLE_PATH = "opt/elektromail/elektromail"
COMMAND_PATH = "usr/local/bin/elektromail"


def archive_images(archive: Path = ARCHIVE) -> Iterator[ArchiveImage]:
    """Each image the exported manifest list names, read from the OCI archive itself."""
    with tarfile.open(archive) as outer:

        def read(name: str) -> bytes:
            handle = outer.extractfile(name)
            assert handle is not None, name
            return handle.read()

        def blob(digest: str) -> bytes:
            return read(f"blobs/sha256/{digest.removeprefix('sha256:')}")

        (listed,) = json.loads(read("index.json"))["manifests"]
        for entry in json.loads(blob(listed["digest"]))["manifests"]:
            manifest = json.loads(blob(entry["digest"]))
            members: list[tarfile.TarInfo] = []
            head = b""
            total = 0
            for layer in manifest["layers"]:
                data = blob(layer["digest"])
                if layer["mediaType"].endswith("gzip"):
                    data = gzip.decompress(data)
                total += len(data)
                with tarfile.open(fileobj=io.BytesIO(data)) as tar:
                    for member in tar:
                        members.append(member)
                        if member.name.removeprefix("./") == EXECUTABLE_PATH:
                            handle = tar.extractfile(member)
                            assert handle is not None
                            head = handle.read(64)
            labels = json.loads(blob(manifest["config"]["digest"]))["config"].get("Labels") or {}
            yield ArchiveImage(entry["platform"], labels, members, total, head)
