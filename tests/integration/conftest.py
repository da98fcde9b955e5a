"""Fixtures shared by the pytest plugin's tests: an inner pytest run, and a server behind a token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.plugin_runs import TOKEN, prepare
from tests.integration.process import ServerProcess


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester whose runs load the plugin as users get it, without this suite's own settings."""
    return prepare(pytester, monkeypatch)


@pytest.fixture
def external() -> Iterator[ServerProcess]:
    """A server process with the HTTP control plane behind a token, as a CI service would run it."""
    with ServerProcess({"HTTP_PORT": "0", "ELEKTROMAIL_HTTP_TOKEN": TOKEN}) as server:
        yield server
