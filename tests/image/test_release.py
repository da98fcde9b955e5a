"""packaging/release.sh: the two executables with the version in their names, and their SHA256SUMS."""

from __future__ import annotations

import subprocess
from pathlib import Path

from elektromail import __version__
from tests.elf import ELF_MACHINES, file_machine
from tests.integration.process import REPO_ROOT


def test_release_holds_both_executables_and_their_checksums(tmp_path: Path) -> None:
    out = tmp_path / "release"
    subprocess.run([str(REPO_ROOT / "packaging" / "release.sh"), "--out", str(out)], check=True, timeout=120)
    names = {f"elektromail-{__version__}-linux-x86_64": "amd64", f"elektromail-{__version__}-linux-aarch64": "arm64"}
    assert sorted(path.name for path in out.iterdir()) == sorted([*names, "SHA256SUMS"])
    for name, arch in names.items():
        assert (out / name).stat().st_mode & 0o777 == 0o755
        assert file_machine(out / name) == ELF_MACHINES[arch]
    listed = (out / "SHA256SUMS").read_text().split()
    assert sorted(listed[1::2]) == sorted(names)
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (out / next(iter(names))).write_bytes(b"tampered")
    tampered = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True, timeout=60)
    assert tampered.returncode != 0
