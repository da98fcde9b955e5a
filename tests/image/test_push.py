"""packaging/push-image.sh, the pipeline's push, into an OCI layout instead of a registry.

What the registry would receive: under every tag, the manifest list naming the same architectures as the
one packaging/image.sh built, with every image's blobs (``--all``).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.image.images import BUILDAH_ENV, IMAGE_ENV
from tests.integration.process import REPO_ROOT

pytestmark = pytest.mark.timeout(300)
REPOSITORY = "registry.example/group/elektromail"
TAGS = ["1a2b3c4d", "v0.1.0", "latest"]


def platforms(index: dict[str, Any]) -> set[str]:
    return {f"{entry['platform']['os']}/{entry['platform']['architecture']}" for entry in index["manifests"]}


def test_every_tag_gets_the_manifest_list_and_all_its_images(tmp_path: Path) -> None:
    layout = tmp_path / "layout"
    pushed = subprocess.run(
        [str(REPO_ROOT / "packaging" / "push-image.sh"), REPOSITORY, *TAGS],
        env={
            **os.environ,
            **BUILDAH_ENV,
            "MANIFEST": os.environ[IMAGE_ENV],
            "TRANSPORT": f"oci:{layout}:",
            "PUSH_FORMAT": "oci",  # an OCI layout holds OCI manifests; registries get v2s2
        },
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert pushed.returncode == 0, pushed.stderr
    built = json.loads(
        subprocess.run(
            ["buildah", "manifest", "inspect", os.environ[IMAGE_ENV]],
            env={**os.environ, **BUILDAH_ENV},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
    )
    index = json.loads((layout / "index.json").read_text())
    by_tag = {entry["annotations"]["org.opencontainers.image.ref.name"]: entry for entry in index["manifests"]}
    assert set(by_tag) == {f"{REPOSITORY}:{tag}" for tag in TAGS}
    blobs = layout / "blobs" / "sha256"
    for entry in by_tag.values():
        pushed_list = json.loads((blobs / entry["digest"].removeprefix("sha256:")).read_text())
        assert platforms(pushed_list) == platforms(built)
        for image in pushed_list["manifests"]:
            # --all: each architecture's image manifest (and so its layers) went too.
            assert (blobs / image["digest"].removeprefix("sha256:")).is_file()
