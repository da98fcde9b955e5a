"""What real MTAs accept is accepted and stored as sent; strict mode (ELEKTROMAIL_SMTP_STRICT) refuses what a
strict MTA refuses, each with its own reply. 8-bit addresses without SMTPUTF8 get 553/501, not 500."""

from __future__ import annotations

import smtplib
import subprocess
from pathlib import Path

import aiosmtplib
import pytest

from elektromail import ServerThread
from elektromail.smtp import replies
from tests.conftest import ServerFactory
from tests.integration.smtp_wire import Wire, stored
from tests.servers import client_host

pytestmark = pytest.mark.timeout(30)

HEADER = b"From: app@example.com\r\nDate: Thu, 03 Dec 2026 10:00:00 +0000\r\nSubject: template\r\n\r\n"
# HTML from a template engine: one line, far over 1000 octets.
LONG_HTML_LINE = b"<table>" + b"<tr><td>cell</td></tr>" * 300 + b"</table>\r\n"
LONG_LINE_MESSAGE = HEADER + LONG_HTML_LINE


def open_transaction(wire: Wire, mail: str = "MAIL FROM:<a@example.com>") -> None:
    assert wire.code("EHLO c.example") == 250
    assert wire.code(mail) == 250
    assert wire.code("RCPT TO:<user@example.com>") == 250
    assert wire.code("DATA") == 354


# ---------------------------------------------------------------- default: accept what MTAs accept


def test_smtplib_long_line_is_accepted_and_stored_exactly(server: ServerThread) -> None:
    assert len(LONG_HTML_LINE) > 1000
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as client:
        assert client.sendmail("app@example.com", ["user@example.com"], LONG_LINE_MESSAGE) == {}
    assert stored(server, "user") == [LONG_LINE_MESSAGE]


async def test_aiosmtplib_long_line_is_accepted(server: ServerThread) -> None:
    errors, reply = await aiosmtplib.send(
        LONG_LINE_MESSAGE, sender="app@example.com", recipients=["user@example.com"], hostname=client_host(),
        port=server.smtp_port, start_tls=False, timeout=10,
    )  # fmt: skip
    assert errors == {}
    assert reply.startswith("2.0.0")
    assert stored(server, "user") == [LONG_LINE_MESSAGE]


def swaks(server: ServerThread, body_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            "swaks", "--server", client_host(), "--port", str(server.smtp_port), "--from", "app@example.com",
            "--to", "user@example.com", "--data", f"@{body_file}", "--timeout", "10",
        ],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


def test_swaks_long_line_accepted_by_default_and_refused_in_strict_mode(
    make_server: ServerFactory, tmp_path: Path
) -> None:
    body_file = tmp_path / "message.eml"
    body_file.write_bytes(LONG_LINE_MESSAGE)
    relaxed = make_server()
    completed = swaks(relaxed, body_file)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert LONG_HTML_LINE in stored(relaxed, "user")[0]
    strict = make_server(smtp_strict=True)
    completed = swaks(strict, body_file)
    assert completed.returncode != 0
    assert f"<** 554 {replies.STRICT_LINE_TOO_LONG.message}" in completed.stdout
    assert stored(strict, "user") == []


def test_bare_line_ends_and_8bit_are_stored_as_sent_by_default(server: ServerThread) -> None:
    message = b"Subject: loose\r\n\r\nbare\nLF and bare\rCR and caf\xc3\xa9\r\n"  # no Date, no From either
    with Wire(server.smtp_port) as wire:
        open_transaction(wire)
        wire.send(message + b".\r\n")
        assert wire.reply() == (250, replies.MESSAGE_ACCEPTED.message)
    assert stored(server, "user") == [message]


# ---------------------------------------------------------------- strict mode, rule by rule


@pytest.fixture
def strict(make_server: ServerFactory) -> ServerThread:
    return make_server(smtp_strict=True)


@pytest.mark.parametrize(
    ("content", "refusal"),
    [
        (HEADER + b"a" * 999 + b"\r\n", replies.STRICT_LINE_TOO_LONG),
        (HEADER + b"bare\nLF\r\n", replies.BARE_LINE_END),
        (HEADER + b"bare\rCR\r\n", replies.BARE_LINE_END),
        (HEADER + b"caf\xc3\xa9\r\n", replies.UNDECLARED_8BIT),
        (b"Date: Thu, 03 Dec 2026 10:00:00 +0000\r\n\r\nno From\r\n", replies.NO_FROM_FIELD),
        (b"From: app@example.com\r\n\r\nno Date\r\n", replies.NO_DATE_FIELD),
    ],
    ids=["long-line", "bare-lf", "bare-cr", "8bit", "no-from", "no-date"],
)
def test_strict_mode_refuses_each_rule_with_its_own_reply(
    strict: ServerThread, content: bytes, refusal: replies.Reply
) -> None:
    with Wire(strict.smtp_port) as wire:
        open_transaction(wire)
        wire.send(content + b".\r\n")
        assert wire.reply() == (refusal.code, refusal.message)
        assert wire.code("NOOP") == 250  # the session goes on
        # The same refusal for the same content sent with BDAT.
        assert wire.code("MAIL FROM:<a@example.com>") == 250
        assert wire.code("RCPT TO:<user@example.com>") == 250
        wire.send(f"BDAT {len(content)} LAST\r\n".encode() + content)
        assert wire.reply() == (refusal.code, refusal.message)
    assert stored(strict, "user") == []


def test_strict_mode_takes_compliant_mail_and_declared_8bit(strict: ServerThread) -> None:
    limit_line = b"a" * 998 + b"\r\n"
    with smtplib.SMTP(client_host(), strict.smtp_port, timeout=10) as client:
        client.sendmail("app@example.com", ["user@example.com"], HEADER + limit_line)
        client.sendmail("app@example.com", ["user@example.com"], HEADER + b"caf\xc3\xa9\r\n", ["BODY=8BITMIME"])
        with pytest.raises(smtplib.SMTPDataError) as caught:
            client.sendmail("app@example.com", ["user@example.com"], HEADER + b"caf\xc3\xa9\r\n")
        assert (caught.value.smtp_code, caught.value.smtp_error) == (554, replies.UNDECLARED_8BIT.message.encode())
    assert stored(strict, "user") == [HEADER + limit_line, HEADER + b"caf\xc3\xa9\r\n"]


async def test_aiosmtplib_in_strict_mode_sees_the_long_line_refusal(strict: ServerThread) -> None:
    with pytest.raises(aiosmtplib.SMTPDataError) as caught:
        await aiosmtplib.send(
            LONG_LINE_MESSAGE, sender="app@example.com", recipients=["user@example.com"], hostname=client_host(),
            port=strict.smtp_port, start_tls=False, timeout=10,
        )  # fmt: skip
    assert (caught.value.code, caught.value.message) == (554, replies.STRICT_LINE_TOO_LONG.message)


# ---------------------------------------------------------------- 8-bit addresses


@pytest.mark.parametrize(
    ("commands", "expected"),
    [
        ([b"MAIL FROM:<caf\xe9@example.com>"], replies.NON_ASCII_ADDRESS),  # Latin-1, not UTF-8
        ([b"MAIL FROM:<caf\xc3\xa9@example.com>"], replies.NON_ASCII_ADDRESS),
        ([b"MAIL FROM:<caf\xe9@example.com> SMTPUTF8"], replies.SENDER_NOT_UTF8),
        ([b"MAIL FROM:<a@example.com>", b"RCPT TO:<caf\xe9@example.com>"], replies.NON_ASCII_ADDRESS),
        ([b"MAIL FROM:<a@example.com> SMTPUTF8", b"RCPT TO:<caf\xe9@example.com>"], replies.RECIPIENT_NOT_UTF8),
    ],
)
def test_8bit_addresses_get_address_replies_not_500(
    server: ServerThread, commands: list[bytes], expected: replies.Reply
) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        *setup, last = commands
        for command in setup:
            assert wire.code(command) == 250
        assert wire.command(last) == (expected.code, expected.message)
        assert wire.code(b"MAIL FROM:<caf\xc3\xa9@example.com> SMTPUTF8" if not setup else b"NOOP") == 250
