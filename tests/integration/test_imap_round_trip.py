"""The round trip users rely on: what smtplib sends, imaplib reads back byte for byte, in the right user's INBOX."""

from __future__ import annotations

import imaplib
import smtplib

from elektromail import ServerThread
from tests.servers import client_host

MESSAGE = (
    b"From: sender@example.com\r\n"
    b"To: user@example.com\r\n"
    b"Subject: round trip\r\n"
    b"\r\n"
    b"first line\r\n"
    b".leading dot survives\r\n"
    b"\r\n"
    b"last line\r\n"
)


def send(server: ServerThread, recipient: str, message: bytes = MESSAGE) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as smtp:
        smtp.sendmail("sender@example.com", [recipient], message)


def read_inbox(server: ServerThread, user: str, password: str) -> list[bytes]:
    client = imaplib.IMAP4(client_host(), server.imap_port, timeout=5)
    client.login(user, password)
    _typ, data = client.select("INBOX")
    count = int(data[0] or b"0")
    bodies = []
    for number in range(1, count + 1):
        _typ, fetched = client.fetch(str(number), "(BODY.PEEK[])")
        item = fetched[0]
        assert isinstance(item, tuple)
        bodies.append(item[1])
    client.logout()
    return bodies


def test_smtplib_to_imaplib_is_byte_exact(server: ServerThread) -> None:
    send(server, "user@example.com")
    assert read_inbox(server, "user", "pass") == [MESSAGE]


def test_plus_address_lands_in_the_users_inbox(server: ServerThread) -> None:
    send(server, "user+news@x.org")
    assert read_inbox(server, "user", "pass") == [MESSAGE]


def test_unknown_recipient_creates_the_account(server: ServerThread) -> None:
    send(server, "newbie@x.org")
    assert read_inbox(server, "newbie", "newbie") == [MESSAGE]
