"""packaging/upload-release.sh, the release job's script, against a stand-in for GitLab's package API."""

from __future__ import annotations

import hashlib
import http.server
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "upload-release.sh"
TOKEN = "job-token-1"

pytestmark = pytest.mark.timeout(60)


class PackageApi(http.server.BaseHTTPRequestHandler):
    """Records each PUT (path, token, body) the way the generic package registry receives uploads."""

    uploads: list[tuple[str, str, bytes]]

    def do_PUT(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.uploads.append((self.path, self.headers.get("JOB-TOKEN", ""), body))
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    uploads: list[tuple[str, str, bytes]] = []
    handler = type("Recording", (PackageApi,), {"uploads": uploads})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v4", uploads
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def release_dir(tmp_path: Path, amd64: bytes = b"amd64 build", arm64: bytes = b"arm64 build") -> Path:
    release = tmp_path / "release"
    release.mkdir()
    files = {"elektromail-0.1.0-linux-x86_64": amd64, "elektromail-0.1.0-linux-aarch64": arm64}
    for name, data in files.items():
        (release / name).write_bytes(data)
    sums = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files.items())
    (release / "SHA256SUMS").write_text(sums)
    return release


def upload(release: Path, api_url: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "RELEASE_DIR": str(release),
        "CI_API_V4_URL": api_url,
        "CI_PROJECT_ID": "42",
        "CI_JOB_TOKEN": TOKEN,
        "CI_COMMIT_TAG": "v0.1.0",
    }
    return subprocess.run(
        [str(SCRIPT), "registry.example/mail:1a2b3c4d", "registry.example/mail:v0.1.0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_every_file_is_uploaded_with_the_job_token_and_the_links_are_written(
    tmp_path: Path, api: tuple[str, list[tuple[str, str, bytes]]]
) -> None:
    url, uploads = api
    release = release_dir(tmp_path)
    result = upload(release, url)
    assert result.returncode == 0, result.stderr
    base = "/api/v4/projects/42/packages/generic/elektromail/0.1.0/"
    received = {path.removeprefix(base): body for path, _, body in uploads}
    assert set(received) == {"elektromail-0.1.0-linux-x86_64", "elektromail-0.1.0-linux-aarch64", "SHA256SUMS", "IMAGE"}
    assert {token for _, token, _ in uploads} == {TOKEN}
    assert received["elektromail-0.1.0-linux-aarch64"] == b"arm64 build"
    assert received["IMAGE"] == b"registry.example/mail:v0.1.0\nregistry.example/mail:1a2b3c4d\n"
    links = dict(line.split("=", 1) for line in (release / "release.env").read_text().splitlines())
    assert links == {
        "RELEASE_PACKAGE_URL": url + base.removeprefix("/api/v4").rstrip("/"),
        "RELEASE_AMD64_FILE": "elektromail-0.1.0-linux-x86_64",
        "RELEASE_ARM64_FILE": "elektromail-0.1.0-linux-aarch64",
        "RELEASE_IMAGE": "registry.example/mail:v0.1.0",
    }


def test_a_file_that_does_not_match_its_checksum_stops_the_upload(
    tmp_path: Path, api: tuple[str, list[tuple[str, str, bytes]]]
) -> None:
    url, uploads = api
    release = release_dir(tmp_path)
    (release / "elektromail-0.1.0-linux-x86_64").write_bytes(b"changed after the sums were made")
    result = upload(release, url)
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
    assert uploads == []
    assert not (release / "release.env").exists()
