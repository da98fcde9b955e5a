"""Running test suites through the pytest plugin the way its users do: a fresh pytest process (pytester)
with ``-W error``, the plugin coming in through its ``pytest11`` entry point."""

from __future__ import annotations

import pytest

from tests.integration.process import ServerProcess

TOKEN = "plugin-test-token"
INNER_TIMEOUT_SECONDS = 120
INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
asyncio_default_test_loop_scope = function
"""
# Variables that would point the inner runs at another server than the scenario chooses.
PLUGIN_VARIABLES = ("ELEKTROMAIL_URL", "ELEKTROMAIL_HTTP_TOKEN", "ELEKTROMAIL_SMTP_PORT", "ELEKTROMAIL_IMAP_PORT")

# Sends mail the way an application under test would: plain SMTP to the mailbox's address.
SEND = """
import smtplib
from email.message import EmailMessage


def send(mailbox, subject, text="hello", html=None, attachment=None, sender="app@example.com", to=None):
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to or mailbox.address
    message["Subject"] = subject
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    if attachment is not None:
        message.add_attachment(attachment, maintype="application", subtype="pdf", filename="invoice.pdf")
    with smtplib.SMTP(mailbox.smtp_host, mailbox.smtp_port) as smtp:
        smtp.send_message(message)
"""

# Plugins of the outer suite's dependencies that the inner suites do not use; each costs seconds of import
# in every process and xdist worker. pytest-benchmark, where installed, warns under xdist, which -W error
# turns into an error.
UNUSED_PLUGINS = ("cacheprovider", "schemathesis", "hypothesispytest", "benchmark")


def prepare(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A pytester directory whose runs start their own server unless a test says otherwise."""
    for variable in PLUGIN_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    pytester.makeini(INI)
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    blocked = [option for name in UNUSED_PLUGINS for option in ("-p", f"no:{name}")]
    return pytester.runpytest_subprocess("-W", "error", *blocked, *args, timeout=INNER_TIMEOUT_SECONDS)


def url_of(server: ServerProcess) -> str:
    return f"http://127.0.0.1:{server.ports['HTTP']}"
