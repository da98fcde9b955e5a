"""Fixtures of the compliance harness: a target server, connections, and throwaway mailboxes.

With RFC9051_TEST_HOST unset, every test module gets a fresh bundled server on 127.0.0.1 (OS-chosen port,
user ``user`` / ``pass``), or the running server named by ELEKTROMAIL_URL, reset; otherwise the tests run
against the server RFC9051_TEST_HOST names and clean up after themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Protocol

import pytest

from elektromail import Config, UserSpec
from tests.rfc9051.client import ImapClient, quote
from tests.rfc9051.target import Target, external_target, response_timeout
from tests.servers import client_host, release, start_server

Connect = Callable[[], ImapClient]


class NewName(Protocol):
    def __call__(self, suffix: str = "") -> str: ...


@pytest.fixture(scope="module")
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    external = external_target()
    if external is not None:
        yield external
        return
    db = None
    if request.config.getoption("backend") == "sqlite":
        db = str(tmp_path_factory.mktemp("rfc9051-db") / "mail.db")
    config = Config(smtp_port=0, imap_port=0, bind_addr="127.0.0.1", users=(UserSpec("user", "pass"),), db=db)
    server = start_server(config)
    try:
        yield Target(client_host(), server.imap_port, "user", "pass", tls=False, timeout=response_timeout())
    finally:
        release(server)


def open_client(target: Target) -> ImapClient:
    return ImapClient(target.host, target.port, tls=target.tls, timeout=target.timeout)


def open_session(target: Target) -> ImapClient:
    """A logged-in connection that has enabled IMAP4rev2 when the server offers it."""
    client = open_client(target)
    client.login(target.user, target.password)
    client.refresh_capabilities()
    client.enable_rev2()
    return client


@pytest.fixture
def connect(target: Target) -> Iterator[Connect]:
    """Open not-yet-authenticated connections; all are closed at the end of the test."""
    opened: list[ImapClient] = []

    def open_one() -> ImapClient:
        client = open_client(target)
        opened.append(client)
        return client

    yield open_one
    for client in opened:
        client.close()


@pytest.fixture
def session(target: Target) -> Iterator[Connect]:
    """Open logged-in connections (IMAP4rev2 enabled where offered); all are closed at the end of the test."""
    opened: list[ImapClient] = []

    def open_one() -> ImapClient:
        client = open_session(target)
        opened.append(client)
        return client

    yield open_one
    for client in opened:
        client.close()


@pytest.fixture
def imap(session: Connect) -> ImapClient:
    """One logged-in connection."""
    return session()


def delete_mailboxes(target: Target, prefix: str) -> None:
    """Delete every mailbox whose name starts with ``prefix``, children first."""
    client = open_session(target)
    try:
        names = list_names(client, prefix + "*")
        for name in sorted(names, key=len, reverse=True):
            client.command("DELETE", quote(name))
    finally:
        client.close()


def list_names(client: ImapClient, pattern: str, reference: str = "") -> list[str]:
    result = client.ok("LIST", quote(reference), quote(pattern))
    return [mailbox_name(response.data[2]) for response in result.of_kind("LIST")]


def mailbox_name(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8")
    return str(value)


def unique_prefix() -> str:
    return f"rfc9051-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def new_name(target: Target) -> Iterator[NewName]:
    """Unique mailbox names for this test (not created); every mailbox under them is deleted afterwards."""
    prefix = unique_prefix()

    def make(suffix: str = "") -> str:
        return f"{prefix}{suffix}"

    yield make
    delete_mailboxes(target, prefix)


@pytest.fixture
def mailbox(imap: ImapClient, new_name: NewName) -> str:
    """A freshly created, empty mailbox with a unique name."""
    name = new_name("")
    imap.ok("CREATE", quote(name))
    return name


@pytest.fixture(scope="module")
def delimiter(target: Target) -> str:
    """The hierarchy delimiter of the personal namespace (RFC 9051 6.3.9: LIST "" "")."""
    client = open_session(target)
    try:
        result = client.ok("LIST", '""', '""')
        value = result.one("LIST").data[1]
        return mailbox_name(value) if value is not None else "/"
    finally:
        client.close()
