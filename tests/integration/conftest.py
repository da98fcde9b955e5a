"""Fixtures shared by the integration tests: a server with the HTTP control plane and an HTTP client for it,
and for the pytest plugin's tests an inner pytest run and a server behind a token."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from elektromail import ServerThread
from tests.conftest import ServerFactory
from tests.integration.plugin_runs import TOKEN, prepare
from tests.integration.process import ServerProcess
from tests.servers import client_host


@pytest.fixture
def http_server(make_server: ServerFactory) -> ServerThread:
    """A server with the HTTP control plane on, no token (modules that need other settings override it)."""
    return make_server(http_port=0)


@pytest.fixture
def client(http_server: ServerThread) -> Iterator[httpx.Client]:
    """An httpx client for ``http_server``."""
    with httpx.Client(base_url=f"http://{client_host()}:{http_server.http_port}", timeout=10) as client:
        yield client


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester whose runs load the plugin as users get it, without this suite's own settings."""
    return prepare(pytester, monkeypatch)


@pytest.fixture
def external() -> Iterator[ServerProcess]:
    """A server process with the HTTP control plane behind a token, as a CI service would run it."""
    with ServerProcess({"HTTP_PORT": "0", "ELEKTROMAIL_HTTP_TOKEN": TOKEN}) as server:
        yield server
