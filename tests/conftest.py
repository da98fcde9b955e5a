"""Shared fixtures: a real server on loopback ports chosen by the OS, stopped after each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import pytest

from elektromail import Config, ServerThread, UserSpec

BASE_CONFIG = Config(
    smtp_port=0,
    imap_port=0,
    bind_addr="127.0.0.1",
    users=(UserSpec("user", "pass"), UserSpec("alice", "wonderland", "alice@example.com")),
)

ServerFactory = Callable[..., ServerThread]


@pytest.fixture
def make_server() -> Iterator[ServerFactory]:
    """Start servers with settings on top of the test defaults; all are stopped at the end of the test."""
    started: list[ServerThread] = []

    def start(**overrides: Any) -> ServerThread:
        config = msgspec.structs.replace(BASE_CONFIG, **overrides)
        server = ServerThread(config).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(make_server: ServerFactory) -> ServerThread:
    """A server with the default test settings."""
    return make_server()
