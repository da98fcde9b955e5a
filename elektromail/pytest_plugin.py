"""pytest fixtures for tests of software that sends mail (registered through the ``pytest11`` entry point).

::

    def test_signup_sends_a_confirmation(mailbox):
        signup(email=mailbox.address, smtp=(mailbox.smtp_host, mailbox.smtp_port))
        message = mailbox.wait(subject="confirm")
        assert message.links[0].startswith("https://app.example/confirm")

``elektromail_server`` (session) is an in-process server on free loopback ports, or the running one that
``--elektromail-url`` / ``ELEKTROMAIL_URL`` names. ``mailbox`` is a fresh user with a unique address,
removed with its mail after the test. ``@pytest.mark.elektromail_rules({...})`` and the
``elektromail_rules`` fixture install delivery fault rules for one test. See docs/pytest.md.

This module imports nothing of elektromail at import time: a pytest run whose tests do not use these
fixtures pays nothing for them.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from elektromail.config import Config
    from elektromail.testing import FaultRules, Mailbox, MailServer

URL_ENV = "ELEKTROMAIL_URL"
TOKEN_ENV = "ELEKTROMAIL_HTTP_TOKEN"
# Where an external server's ports are published under other numbers than it listens on.
SMTP_PORT_ENV = "ELEKTROMAIL_SMTP_PORT"
IMAP_PORT_ENV = "ELEKTROMAIL_IMAP_PORT"
RULES_MARKER = "elektromail_rules"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("elektromail", "elektromail test mail server")
    group.addoption(
        "--elektromail-url",
        default=None,
        help=f"HTTP control plane of a running elektromail (e.g. http://mail:8080) to test against instead of "
        f"an in-process server; default ${URL_ENV}",
    )
    group.addoption(
        "--elektromail-token",
        default=None,
        help=f"bearer token of that server's control plane; default ${TOKEN_ENV}",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{RULES_MARKER}(*rules): delivery fault rules (dicts, as in ELEKTROMAIL_DSN_RULES) installed for this "
        "test only; a rule without 'recipient' applies to the test's mailbox. Needs the mailbox fixture.",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker(RULES_MARKER) is not None and "mailbox" not in getattr(item, "fixturenames", ()):
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.{RULES_MARKER} needs the mailbox fixture")


@pytest.fixture(scope="session")
def elektromail_config() -> Config | None:
    """Settings of the in-process server (override in a conftest.py); its ports and bind address are always
    free loopback ones, with HTTP on. ``None``: the defaults."""
    return None


@pytest.fixture(scope="session")
def elektromail_server(request: pytest.FixtureRequest, elektromail_config: Config | None) -> Iterator[MailServer]:
    """The mail server of this test session: in-process, or the one ``--elektromail-url`` names."""
    from elektromail import testing

    url = request.config.getoption("elektromail_url") or os.environ.get(URL_ENV)
    token = request.config.getoption("elektromail_token") or os.environ.get(TOKEN_ENV)
    if url:
        server = testing.connect(url, token, _port(SMTP_PORT_ENV), _port(IMAP_PORT_ENV))
        try:
            yield server
        finally:
            server.close()
        return
    server, thread = testing.in_process_server(elektromail_config)
    try:
        yield server
    finally:
        server.close()
        thread.stop()


@pytest.fixture
def mailbox(elektromail_server: MailServer, request: pytest.FixtureRequest) -> Iterator[Mailbox]:
    """A new user with a unique address for this test; it and its mail are removed afterwards."""
    from elektromail import testing

    box = testing.Mailbox.create(elektromail_server, _rules_lock())
    try:
        # Closest marker first (the function's before its module's): the first matching rule wins.
        rules = [rule for marker in request.node.iter_markers(RULES_MARKER) for rule in marker.args]
        if rules:
            box.rules.install(*rules)
        yield box
    finally:
        try:
            box.rules.remove()
        finally:
            box.remove()


@pytest.fixture
def elektromail_rules(mailbox: Mailbox) -> FaultRules:
    """Install fault rules during the test (``elektromail_rules.install({...})``); removed afterwards."""
    return mailbox.rules


def _port(variable: str) -> int | None:
    value = os.environ.get(variable)
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise pytest.UsageError(f"{variable}: {value!r} is not a port number")
    return int(value)


def _rules_lock() -> Path:
    """One lock file per machine and user: every pytest process and xdist worker edits rules in turn."""
    user = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"elektromail-rules-{user}.lock"
