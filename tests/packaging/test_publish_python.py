"""packaging/publish-python.sh, the release job that publishes the wheel and sdist, against a stand-in for
the upload API that PyPI and GitLab's PyPI package registry share (twine's multipart POST)."""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import os
import subprocess
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "packaging" / "publish-python.sh"
JOB_TOKEN = "job-token-7"
PYPI_TOKEN = "pypi-AgEIcHlwaS5vcmc-stand-in"
METADATA = """Metadata-Version: 2.4
Name: elektromail
Version: 0.1.0
Summary: A test mail server
Description-Content-Type: text/markdown

# elektromail
"""

pytestmark = pytest.mark.timeout(120)


@dataclass(frozen=True)
class Upload:
    path: str
    user: str
    password: str
    fields: dict[str, str]
    filename: str
    content: bytes


class UploadApi(http.server.BaseHTTPRequestHandler):
    """Records each upload as the legacy upload API receives it: Basic credentials and a multipart form."""

    uploads: list[Upload]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        form = BytesParser(policy=HTTP).parsebytes(head + body)
        fields: dict[str, str] = {}
        filename, content = "", b""
        for part in form.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            assert isinstance(name, str) and isinstance(payload, bytes)
            if part.get_filename():
                filename, content = part.get_filename() or "", payload
            else:
                fields[name] = payload.decode()
        scheme, _, credentials = self.headers.get("Authorization", "").partition(" ")
        assert scheme == "Basic"
        user, _, password = base64.b64decode(credentials).decode().partition(":")
        self.uploads.append(Upload(self.path, user, password, fields, filename, content))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[tuple[str, list[Upload]]]:
    uploads: list[Upload] = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("Recording", (UploadApi,), {"uploads": uploads}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", uploads
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def built(tmp_path: Path, version: str = "0.1.0") -> Path:
    """A wheel and an sdist as scripts/wheel leaves them (small, with real metadata)."""
    dist = tmp_path / "python"
    dist.mkdir()
    metadata = METADATA.replace("0.1.0", version)
    info = f"elektromail-{version}.dist-info"
    with zipfile.ZipFile(dist / f"elektromail-{version}-py3-none-any.whl", "w") as wheel:
        wheel.writestr("elektromail/__init__.py", f'__version__ = "{version}"\n')
        wheel.writestr(f"{info}/METADATA", metadata)
        tags = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        wheel.writestr(f"{info}/WHEEL", tags)
        wheel.writestr(f"{info}/RECORD", "")
    with tarfile.open(dist / f"elektromail-{version}.tar.gz", "w:gz") as sdist:
        for name, text in (("PKG-INFO", metadata), ("pyproject.toml", "[project]\nname = 'elektromail'\n")):
            data = text.encode()
            member = tarfile.TarInfo(f"elektromail-{version}/{name}")
            member.size = len(data)
            sdist.addfile(member, io.BytesIO(data))
    return dist


def publish(dist: Path, url: str, **overrides: str | None) -> subprocess.CompletedProcess[str]:
    env: dict[str, str | None] = {
        **os.environ,
        "PYTHON_DIST_DIR": str(dist),
        "CI_COMMIT_TAG": "v0.1.0",
        "CI_API_V4_URL": f"{url}/api/v4",
        "CI_PROJECT_ID": "42",
        "CI_JOB_TOKEN": JOB_TOKEN,
        "PYPI_TOKEN": PYPI_TOKEN,
        "PYPI_UPLOAD_URL": f"{url}/pypi/legacy/",
        **overrides,
    }
    clean = {name: value for name, value in env.items() if value is not None}
    return subprocess.run([str(SCRIPT)], env=clean, capture_output=True, text=True, timeout=90, check=False)


def test_both_files_go_to_gitlab_with_the_job_token_then_to_pypi_with_the_api_token(
    tmp_path: Path, api: tuple[str, list[Upload]]
) -> None:
    url, uploads = api
    dist = built(tmp_path)
    result = publish(dist, url)
    assert result.returncode == 0, result.stdout + result.stderr
    wanted = ["elektromail-0.1.0-py3-none-any.whl", "elektromail-0.1.0.tar.gz"]
    gitlab = [upload for upload in uploads if upload.path.startswith("/api/v4/projects/42/packages/pypi")]
    pypi = [upload for upload in uploads if upload.path == "/pypi/legacy/"]
    assert len(gitlab) + len(pypi) == len(uploads)
    assert uploads[: len(gitlab)] == gitlab  # GitLab first: a failure there leaves PyPI untouched
    for registry, user, password in ((gitlab, "gitlab-ci-token", JOB_TOKEN), (pypi, "__token__", PYPI_TOKEN)):
        assert sorted(upload.filename for upload in registry) == wanted
        assert {(upload.user, upload.password) for upload in registry} == {(user, password)}
        for upload in registry:
            assert upload.content == (dist / upload.filename).read_bytes()
            assert upload.fields["sha256_digest"] == hashlib.sha256(upload.content).hexdigest()
            assert (upload.fields["name"], upload.fields["version"]) == ("elektromail", "0.1.0")
    assert PYPI_TOKEN not in result.stdout + result.stderr


def test_without_the_pypi_token_nothing_is_uploaded(tmp_path: Path, api: tuple[str, list[Upload]]) -> None:
    url, uploads = api
    result = publish(built(tmp_path), url, PYPI_TOKEN=None)
    assert result.returncode != 0
    assert "PYPI_TOKEN" in result.stderr
    assert uploads == []


def test_files_of_another_version_than_the_tag_are_not_published(tmp_path: Path, api: tuple[str, list[Upload]]) -> None:
    url, uploads = api
    result = publish(built(tmp_path, version="0.2.0"), url)
    assert result.returncode != 0
    assert "no " in result.stderr and "elektromail-0.1.0-py3-none-any.whl" in result.stderr
    assert uploads == []
