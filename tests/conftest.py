"""Shared fixtures: a real server on loopback ports chosen by the OS, stopped after each test.

Every server a test starts runs on the backend chosen for the run: ``--backend=sqlite`` (or the
environment variable ``ELEKTROMAIL_TEST_BACKEND=sqlite``) gives each server its own fresh database file,
so the same protocol and HTTP tests check both stores. The default is the in-memory store.

``ELEKTROMAIL_URL`` points the suite at a running server instead (tests/external.py), and
``ELEKTROMAIL_DOCKER_TESTS=1`` starts the image and points the suite at it (tests/container.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import pytest

from elektromail import Config, ServerThread, UserSpec
from tests.container import Container, docker_tests, start_image
from tests.external import URL_ENV, external_mode
from tests.servers import binary_mode, release, start_server

BASE_CONFIG = Config(
    smtp_port=0,
    imap_port=0,
    bind_addr="127.0.0.1",
    users=(UserSpec("user", "pass"), UserSpec("alice", "wonderland", "alice@example.com")),
)

# The executable's and the image's own tests exist only when there is one to test (scripts/test builds
# both and names them).
collect_ignore_glob = [
    *([] if binary_mode() else ["binary/*"]),
    *([] if os.environ.get("ELEKTROMAIL_IMAGE") else ["image/*"]),
]

BACKENDS = ("memory", "sqlite")
BACKEND_ENV = "ELEKTROMAIL_TEST_BACKEND"

ServerFactory = Callable[..., ServerThread]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--backend",
        choices=BACKENDS,
        default=os.environ.get(BACKEND_ENV, "memory"),
        help=f"store every test server uses (default: ${BACKEND_ENV} or memory)",
    )


_CONTAINER = pytest.StashKey[Container]()


def pytest_configure(config: pytest.Config) -> None:
    if docker_tests():
        config.stash[_CONTAINER] = start_image()


def pytest_unconfigure(config: pytest.Config) -> None:
    container = config.stash.get(_CONTAINER, None)
    if container is not None:
        container.stop()


def pytest_report_header(config: pytest.Config) -> str:
    if external_mode():
        target = f"the running server at {os.environ[URL_ENV]}"
    else:
        target = os.environ["ELEKTROMAIL_BINARY"] if binary_mode() else "the package, in-process"
    return f"elektromail store backend: {config.getoption('backend')}; server: {target}"


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """The store backend of this run: ``memory`` or ``sqlite``."""
    name: str = request.config.getoption("backend")
    return name


@pytest.fixture
def make_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerFactory]:
    """Start servers with settings on top of the test defaults; all are stopped at the end of the test.

    On the SQLite backend each server gets a new database unless the test passes ``db=`` itself.
    """
    started: list[ServerThread] = []

    def start(**overrides: Any) -> ServerThread:
        if external_mode() and "db" in overrides:
            pytest.skip(f"needs a database of its own; the server at {URL_ENV} has its own store")
        if backend == "sqlite" and "db" not in overrides:
            overrides["db"] = str(tmp_path_factory.mktemp("db") / "mail.db")
        config = msgspec.structs.replace(BASE_CONFIG, **overrides)
        server = start_server(config)
        started.append(server)
        return server

    yield start
    for server in started:
        release(server)


@pytest.fixture
def server(make_server: ServerFactory) -> ServerThread:
    """A server with the default test settings."""
    return make_server()
