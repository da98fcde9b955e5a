"""DATA: exact bytes, dot-stuffing, the CRLF.CRLF terminator (no smuggling), pipelining and limits."""

from __future__ import annotations

import smtplib
import time

import pytest

from elektromail import ServerThread
from elektromail.smtp import replies
from elektromail.smtp.limits import BAD_COMMAND_LIMIT, COMMAND_LINE_MAX
from tests.conftest import ServerFactory
from tests.integration.smtp_wire import Wire, stored
from tests.servers import client_host


def open_transaction(wire: Wire, recipient: str = "user@example.com") -> None:
    assert wire.code("EHLO c.example") == 250
    assert wire.code("MAIL FROM:<a@b.example>") == 250
    assert wire.code(f"RCPT TO:<{recipient}>") == 250
    assert wire.code("DATA") == 354


def test_dot_stuffing_is_undone_exactly(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        open_transaction(wire)
        wire.send(b"..leading\r\nmiddle\r\n..\r\n...three\r\n.\r\n")
        assert wire.reply()[0] == 250
    assert stored(server, "user") == [b".leading\r\nmiddle\r\n.\r\n..three\r\n"]


def test_smtplib_dot_stuffing_round_trip(server: ServerThread) -> None:
    message = b"Subject: dots\r\n\r\n.\r\n..\r\n.x\r\nend\r\n"
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as client:
        client.sendmail("a@b.example", ["user@example.com"], message)
    assert stored(server, "user") == [message]


def test_empty_message(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        open_transaction(wire)
        wire.send(b".\r\n")
        assert wire.reply()[0] == 250
    assert stored(server, "user") == [b""]


@pytest.mark.parametrize("fake_end", [b"\n.\n", b"\r\n.\n", b"\n.\r\n", b"\r.\r\n", b"\r\n.\r"])
def test_bare_line_ends_never_end_data(server: ServerThread, fake_end: bytes) -> None:
    smuggled = b"MAIL FROM:<evil@x.example>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nforged\r\n"
    body = b"Subject: s\r\n\r\nbefore" + fake_end + smuggled
    with Wire(server.smtp_port) as wire:
        open_transaction(wire)
        wire.send(body + b".\r\n")
        assert wire.reply() == (250, replies.MESSAGE_ACCEPTED.message)
        assert wire.code("NOOP") == 250
    # The text stays in the message; a line that starts with a dot after CRLF loses it (unstuffing).
    assert stored(server, "user") == [body.replace(b"\r\n.", b"\r\n")]
    assert stored(server, "victim") == []
    assert stored(server, "evil") == []


def test_message_split_across_many_writes(server: ServerThread) -> None:
    body = b"Subject: pieces\r\n\r\n" + b"".join(b"line %d\r\n" % n for n in range(200))
    wire_form = body + b".\r\n"
    with Wire(server.smtp_port) as wire:
        open_transaction(wire)
        for start in range(0, len(wire_form), 7):
            wire.send(wire_form[start : start + 7])
        assert wire.reply()[0] == 250
    assert stored(server, "user") == [body]


def test_terminator_split_between_writes(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        open_transaction(wire)
        for piece in (b"body\r", b"\n", b".", b"\r", b"\n"):
            wire.send(piece)
            time.sleep(0.01)
        assert wire.reply()[0] == 250
    assert stored(server, "user") == [b"body\r\n"]


def test_pipelined_transactions_are_answered_in_order(server: ServerThread) -> None:
    batch = b"".join(
        b"MAIL FROM:<a@b.example>\r\nRCPT TO:<user@example.com>\r\nRCPT TO:<bad>\r\n"
        b"DATA\r\nSubject: %d\r\n\r\nx\r\n.\r\n" % number
        for number in range(20)
    )
    with Wire(server.smtp_port) as wire:
        assert wire.code("EHLO c.example") == 250
        wire.send(batch + b"NOOP\r\nQUIT\r\n")
        codes = [wire.reply()[0] for _ in range(20 * 5 + 2)]
        assert wire.at_eof()
    # Per transaction: MAIL 250, RCPT 250, bad RCPT 501, DATA 354, the message's 250; then NOOP and QUIT.
    assert codes == [250, 250, 501, 354, 250] * 20 + [250, 221]
    assert stored(server, "user") == [b"Subject: %d\r\n\r\nx\r\n" % number for number in range(20)]


def test_oversized_message_is_552_after_draining_and_session_continues(make_server: ServerFactory) -> None:
    server = make_server(max_message_size=1000)
    with Wire(server.smtp_port) as wire:
        open_transaction(wire)
        wire.send(b"x" * 500 + b"\r\n" + (b"y" * 500 + b"\r\n") * 200 + b".\r\n")
        assert wire.reply() == (552, replies.MESSAGE_TOO_BIG.message)
        assert wire.code("NOOP") == 250
        open_transaction(wire)
        wire.send(b"small\r\n.\r\n")
        assert wire.reply()[0] == 250
    assert stored(server, "user") == [b"small\r\n"]


def test_size_limit_is_exact_after_unstuffing(make_server: ServerFactory) -> None:
    server = make_server(max_message_size=100)
    exact = (b"." + b"a" * 48 + b"\r\n") * 2  # 102 octets sent, 100 after unstuffing
    with Wire(server.smtp_port) as wire:
        open_transaction(wire)
        wire.send(exact + b".\r\n")
        assert wire.reply()[0] == 250
        open_transaction(wire)
        wire.send(b"a" * 99 + b"\r\n.\r\n")
        assert wire.reply()[0] == 552
    assert stored(server, "user") == [(b"a" * 48 + b"\r\n") * 2]


def test_size_parameter_over_the_limit(make_server: ServerFactory) -> None:
    server = make_server(max_message_size=1000)
    with Wire(server.smtp_port) as wire:
        _, text = wire.command("EHLO c.example")
        assert "SIZE 1000" in text.split("\n")
        assert wire.command("MAIL FROM:<a@b.example> SIZE=1001") == (552, replies.MESSAGE_TOO_BIG.message)
        assert wire.code("MAIL FROM:<a@b.example> SIZE=1000") == 250


def test_command_line_limit(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        assert wire.code("EHLO c.example") == 250
        at_limit = "NOOP " + "x" * (COMMAND_LINE_MAX - 7)
        assert wire.code(at_limit) == 250
        assert wire.command(at_limit + "x") == (500, replies.LINE_TOO_LONG.message)
        # A line far longer than any buffer is dropped as it arrives; the session answers afterwards.
        assert wire.command("NOOP " + "y" * 100_000) == (500, replies.LINE_TOO_LONG.message)
        assert wire.code("NOOP") == 250


def test_recipient_limit(make_server: ServerFactory) -> None:
    server = make_server(max_recipients=3)
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        wire.command("MAIL FROM:<a@b.example>")
        codes = [wire.code(f"RCPT TO:<r{number}@example.com>") for number in range(5)]
        assert codes == [250, 250, 250, 452, 452]
        assert wire.command("RCPT TO:<r9@example.com>") == (452, replies.TOO_MANY_RECIPIENTS.message)
        assert wire.code("DATA") == 354
        wire.send(b"x\r\n.\r\n")
        assert wire.reply()[0] == 250
    assert [bool(stored(server, f"r{number}")) for number in range(5)] == [True, True, True, False, False]


def test_default_recipient_limit_is_at_least_100(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        wire.command("MAIL FROM:<a@b.example>")
        wire.send(b"".join(b"RCPT TO:<user+%d@example.com>\r\n" % n for n in range(101)))
        codes = [wire.reply()[0] for _ in range(101)]
    assert codes == [250] * 100 + [452]


def test_too_many_bad_commands_in_a_row_closes_with_421(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        for _ in range(BAD_COMMAND_LIMIT - 1):
            assert wire.code("FROB") == 500
        assert wire.code("NOOP") == 250  # a good command resets the count
        wire.send(b"FROB\r\n" * BAD_COMMAND_LIMIT)
        codes = [wire.reply()[0] for _ in range(BAD_COMMAND_LIMIT)]
        assert codes == [500] * BAD_COMMAND_LIMIT
        assert wire.reply() == (421, replies.TOO_MANY_ERRORS.message)
        assert wire.at_eof()


def test_eight_bit_and_nul_bytes_are_kept(server: ServerThread) -> None:
    body = bytes(range(256)).replace(b"\r", b"").replace(b"\n", b"") + b"\r\n"
    with Wire(server.smtp_port) as wire:
        open_transaction(wire)
        wire.send(body + b".\r\n")
        assert wire.reply()[0] == 250
    assert stored(server, "user") == [body]
