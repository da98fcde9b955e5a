"""pytest fixtures for tests of software that sends mail (registered through the ``pytest11`` entry point).

::

    def test_signup_sends_a_confirmation(mailbox):
        signup(email=mailbox.address, smtp=(mailbox.smtp_host, mailbox.smtp_port))
        message = mailbox.wait(subject="confirm")
        assert message.link(contains="/confirm").startswith("https://app.example/")

``elektromail_server`` (session) is an in-process server on free loopback ports, or the running one that
``--elektromail-url`` / ``ELEKTROMAIL_URL`` names. ``mailbox`` is a fresh user with a unique address,
removed with its mail after the test. ``@pytest.mark.elektromail_rules({...})`` and the
``elektromail_rules`` fixture install delivery fault rules for one test. See docs/pytest.md.

This module imports nothing of elektromail at import time: a pytest run whose tests do not use these
fixtures pays nothing for them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

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
        "--elektromail-ready-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long to wait for that server to report every listener up (a CI service still starting); default 30",
    )
    group.addoption(
        "--elektromail-token",
        default=None,
        help=f"bearer token of that server's control plane; default ${TOKEN_ENV}",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{RULES_MARKER}(*rules): delivery fault rules (dicts as in ELEKTROMAIL_DSN_RULES, or lists of them) "
        "installed for this test only; a rule without 'recipient' applies to the test's mailbox, however it is "
        "addressed. Needs the mailbox fixture.",
    )
    url, source = _url(config)
    if url:
        # A URL without a scheme would otherwise be retried for half a minute as if the server were starting.
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise pytest.UsageError(
                f"{source}: {url!r} is not an HTTP URL of elektromail's control plane: it needs http:// or "
                "https:// and a host, e.g. http://mail:8025"
            )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        markers = list(item.iter_markers(RULES_MARKER))
        if not markers:
            continue
        if "mailbox" not in getattr(item, "fixturenames", ()):
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.{RULES_MARKER} needs the mailbox fixture")
        # Checked before anything runs: a rule the server would refuse names the test and the marker.
        from elektromail.testing.rules import BadRule, check, flatten

        for marker in markers:
            for spec in flatten(marker.args):
                try:
                    check(spec)
                except BadRule as error:
                    raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.{RULES_MARKER}: {error}") from None


@pytest.fixture(scope="session")
def elektromail_config() -> Config | None:
    """Settings of the in-process server (override in a conftest.py); its ports and bind address are always
    free loopback ones, with HTTP on. ``None``: the defaults."""
    return None


@pytest.fixture(scope="session")
def elektromail_server(request: pytest.FixtureRequest, elektromail_config: Config | None) -> Iterator[MailServer]:
    """The mail server of this test session: in-process, or the one ``--elektromail-url`` names."""
    __tracebackhide__ = True
    from elektromail import testing

    url, source = _url(request.config)
    token = request.config.getoption("elektromail_token") or os.environ.get(TOKEN_ENV)
    if url:
        ready = request.config.getoption("elektromail_ready_timeout")
        try:
            server = testing.connect(url, token, _port(SMTP_PORT_ENV), _port(IMAP_PORT_ENV), source, ready)
        except testing.ServerUnavailable as error:
            problem = str(error)
        else:
            problem = ""
        if problem:  # one line, outside the except block: no chained traceback
            pytest.fail(problem, pytrace=False)
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
    __tracebackhide__ = True
    from elektromail import testing

    box = testing.Mailbox.create(elektromail_server)
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


def _url(config: pytest.Config) -> tuple[str | None, str]:
    """The external server's URL, and where it came from (for messages about it)."""
    given: str | None = config.getoption("elektromail_url")
    if given:
        return given, "--elektromail-url"
    return os.environ.get(URL_ENV) or None, f"${URL_ENV}"
