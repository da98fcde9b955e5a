"""What a running server loads only when it is used: the IMAP commands (and the mail model they read with)
at a connection's first command, not at its greeting; hashlib's digests at the first authentication, not
for plain SMTP; the email package when a date is first read, not for ENVELOPE. The server runs in a
process of its own, so that the clients here load nothing into it."""

from __future__ import annotations

import imaplib
import smtplib
import socket
import subprocess
import sys
from collections.abc import Iterator
from email.message import EmailMessage

import pytest

from tests.external import require_own_process
from tests.integration.process import process_env

pytestmark = pytest.mark.timeout(60)

# Prints its ports, then, for every line it reads, which of the modules named on it are loaded.
CHILD = """
import sys
from elektromail.config import load_config
from elektromail.server import ServerThread

flags = {"--smtp-port": "0", "--imap-port": "0", "--bind": "127.0.0.1", "--users": "user:pass"}
with ServerThread(load_config({}, flags)) as server:
    print(server.smtp_port, server.imap_port, flush=True)
    for line in sys.stdin:
        print(" ".join(name for name in line.split() if name in sys.modules), flush=True)
"""
WATCHED = ("hashlib", "hmac", "email.utils", "html", "elektromail.imap.commands", "elektromail.mail.envelope")
AFTER_LOGIN = {"hashlib", "hmac", "elektromail.imap.commands", "elektromail.mail.envelope"}


class Child:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", CHILD],
            env=process_env({}),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        smtp_port, imap_port = self._line().split()
        self.smtp_port, self.imap_port = int(smtp_port), int(imap_port)

    def _line(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def loaded(self) -> set[str]:
        assert self.process.stdin is not None
        self.process.stdin.write(" ".join(WATCHED) + "\n")
        self.process.stdin.flush()
        return set(self._line().split())

    def stop(self) -> None:
        self.process.communicate(timeout=20)  # closes its input: the server stops


@pytest.fixture
def child() -> Iterator[Child]:
    require_own_process()
    started = Child()
    yield started
    started.stop()


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@example.com", "user@localhost", "lazy"
    message["Date"] = "Mon, 07 Dec 2026 10:00:00 +0000"
    message.set_content("body\n")
    return message


def _greeting(port: int) -> list[str]:
    """The capabilities of the greeting, read on a raw socket (imaplib would send CAPABILITY at once)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection, connection.makefile("rb") as reader:
        line = reader.readline().decode()
    assert line.startswith("* OK [CAPABILITY ")
    return line.removeprefix("* OK [CAPABILITY ").partition("]")[0].split()


def test_greeting_and_plain_smtp_load_no_commands_and_no_digests(child: Child) -> None:
    with smtplib.SMTP("127.0.0.1", child.smtp_port, timeout=10) as smtp:
        smtp.send_message(_message())
    announced = _greeting(child.imap_port)
    assert "MOVE" in announced and "AUTH=CRAM-MD5" in announced
    assert child.loaded() == set()

    imap = imaplib.IMAP4("127.0.0.1", child.imap_port, timeout=10)
    imap.login("user", "pass")  # the first command loads the commands; LOGIN compares the password
    assert child.loaded() == AFTER_LOGIN
    imap.select("INBOX")
    typ, data = imap.fetch("1", "(ENVELOPE)")
    assert typ == "OK" and isinstance(data[0], bytes) and b'"lazy"' in data[0]
    assert child.loaded() == AFTER_LOGIN
    # After LOGIN the list drops STARTTLS and AUTH=; the rest is what the greeting announced.
    _, (after,) = imap.capability()
    assert after.decode().split() == [name for name in announced if not name.startswith(("AUTH=", "STARTTLS"))]

    assert imap.search(None, "SENTSINCE", "1-Jan-2000") == ("OK", [b"1"])  # reads the Date field
    assert child.loaded() == AFTER_LOGIN | {"email.utils"}
    imap.logout()
