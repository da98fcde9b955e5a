"""A headless Chromium renders /docs from the running server with every other host unreachable."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ServerFactory

pytestmark = pytest.mark.timeout(90)
TOKEN = "docs-token"
# Virtual time lets the page's scripts run to completion before the DOM is dumped.
RENDER_BUDGET_MS = "15000"


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path is not None:
            return path
    pytest.fail("Chromium is not installed (Debian package chromium; .ci/run installs it)")


def test_swagger_ui_renders_every_operation_offline(make_server: ServerFactory, tmp_path: Path) -> None:
    server = make_server(http_port=0, http_token=TOKEN)
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        # Every host but loopback goes to a dead proxy: a CDN fetch would fail and the UI would not render.
        "--proxy-server=127.0.0.1:9",
        f"--virtual-time-budget={RENDER_BUDGET_MS}",
        "--dump-dom",
        f"http://127.0.0.1:{server.http_port}/docs?token={TOKEN}",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=80, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    rendered = set(re.findall(r'class="opblock-summary-method">(\w+)</span>.*?data-path="([^"]+)"', dom))
    # The spec itself needs the token: the UI fetched it by sending the Authorization header.
    assert rendered == {
        ("POST", "/reset"),
        ("GET", "/rules"),
        ("PUT", "/rules"),
        ("POST", "/rules"),
        ("DELETE", "/rules/{id}"),
        ("POST", "/purge"),
        ("POST", "/inject"),
        ("GET", "/users"),
        ("POST", "/users"),
        ("DELETE", "/users/{name}"),
        ("GET", "/config"),
        ("GET", "/messages"),
        ("POST", "/messages/flags"),
        ("PATCH", "/messages/by-id/{id}"),
        ("GET", "/sessions"),
        ("GET", "/sessions/{id}"),
        ("GET", "/sessions/{id}/transcript"),
        ("GET", "/events"),
        ("DELETE", "/messages"),
        ("GET", "/messages/wait"),
        ("GET", "/messages/{uid}"),
        ("GET", "/messages/{uid}/raw"),
        ("DELETE", "/messages/{uid}"),
        ("GET", "/messages/by-id/{id}"),
        ("GET", "/messages/by-id/{id}/raw"),
        ("DELETE", "/messages/by-id/{id}"),
        ("GET", "/healthz"),
        ("GET", "/tls/certificate"),
    }
    assert "elektromail HTTP control plane" in dom
