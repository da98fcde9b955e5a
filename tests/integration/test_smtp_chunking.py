"""CHUNKING (RFC 3030): BDAT chunks over a real socket, pipelined, split, refused; read back over IMAP."""

from __future__ import annotations

import time

import pytest

from elektromail import ServerThread
from elektromail.smtp import replies
from tests.conftest import ServerFactory
from tests.integration.imap_client import inbox_over_imap
from tests.integration.smtp_wire import Wire

pytestmark = pytest.mark.timeout(30)

# Inside a chunk, a lone dot line, a DATA terminator and command text are all just octets.
PART_ONE = b"Subject: chunked\r\n\r\n.\r\n..\r\nRSET\r\n"
PART_TWO = b"\r\n.\r\nQUIT\r\nend\r\n"


def inbox(server: ServerThread) -> list[bytes]:
    return inbox_over_imap(server.imap_port, "user", "pass")


def bdat(wire: Wire, data: bytes, last: bool = False) -> tuple[int, str]:
    """One BDAT command with its chunk (no CRLF after the chunk: it carries its own length)."""
    wire.send(b"BDAT %d%s\r\n" % (len(data), b" LAST" if last else b"") + data)
    return wire.reply()


def begin(wire: Wire) -> None:
    assert wire.code("EHLO c.example") == 250
    assert wire.code("MAIL FROM:<a@b.example>") == 250
    assert wire.code("RCPT TO:<user@example.com>") == 250


def test_chunking_is_advertised(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        code, text = wire.command("EHLO c.example")
        assert code == 250
        assert "CHUNKING" in text.split("\n")
        assert "BDAT" in wire.command("HELP")[1]


def test_pipelined_chunks_are_stored_exactly(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        assert wire.code("EHLO c.example") == 250
        wire.send(
            b"MAIL FROM:<a@b.example>\r\nRCPT TO:<user@example.com>\r\n"
            + b"BDAT %d\r\n" % len(PART_ONE)
            + PART_ONE
            + b"BDAT %d LAST\r\n" % len(PART_TWO)
            + PART_TWO
            + b"NOOP\r\n"
        )
        assert wire.reply()[0] == 250
        assert wire.reply()[0] == 250
        assert wire.reply() == (250, f"2.0.0 {len(PART_ONE)} octets received")
        assert wire.reply() == (250, replies.MESSAGE_ACCEPTED.message)
        assert wire.reply()[0] == 250  # the NOOP: the session is in step after the chunks
    assert inbox(server) == [PART_ONE + PART_TWO]


def test_a_chunk_split_across_reads(server: ServerThread) -> None:
    message = b"Subject: slow\r\n\r\n" + b"x" * 5000 + b"\r\n"
    with Wire(server.smtp_port) as wire:
        begin(wire)
        wire.send(b"BDAT %d LAST\r\n" % len(message) + message[:10])
        for start in range(10, len(message), 1500):
            time.sleep(0.02)
            wire.send(message[start : start + 1500])
        assert wire.reply() == (250, replies.MESSAGE_ACCEPTED.message)
    assert inbox(server) == [message]


def test_empty_last_chunk_ends_the_message(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        begin(wire)
        assert bdat(wire, PART_ONE)[0] == 250
        assert bdat(wire, b"", last=True)[0] == 250
    assert inbox(server) == [PART_ONE]


def test_bdat_out_of_sequence_reads_its_chunk_and_refuses_it(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        assert wire.code("EHLO c.example") == 250
        # No MAIL: the chunk (which looks like a whole transaction) is read and dropped, never run.
        smuggled = b"MAIL FROM:<evil@x.example>\r\nRCPT TO:<user@example.com>\r\nDATA\r\nforged\r\n.\r\n"
        assert bdat(wire, smuggled, last=True) == (503, replies.NEED_MAIL.message)
        assert wire.code("MAIL FROM:<a@b.example>") == 250
        assert bdat(wire, b"QUIT", last=True) == (503, replies.NEED_RCPT.message)
        assert wire.code("NOOP") == 250
    assert inbox(server) == []


def test_data_cannot_follow_bdat_and_rset_starts_over(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        begin(wire)
        assert bdat(wire, b"abc")[0] == 250
        assert wire.command("DATA") == (503, replies.DATA_AFTER_BDAT.message)
        assert wire.code("RSET") == 250
        begin(wire)
        assert wire.code("DATA") == 354
        wire.send(b"Subject: data\r\n\r\nplain\r\n.\r\n")
        assert wire.reply()[0] == 250
    assert inbox(server) == [b"Subject: data\r\n\r\nplain\r\n"]


@pytest.mark.parametrize("argument", ["", "x", "10 FIRST", "-1"])
def test_bad_bdat_syntax(server: ServerThread, argument: str) -> None:
    with Wire(server.smtp_port) as wire:
        begin(wire)
        assert wire.command(f"BDAT {argument}".rstrip()) == (501, replies.BAD_BDAT_SYNTAX.message)
        assert wire.code("NOOP") == 250


def test_oversized_chunks_fail_the_transaction(make_server: ServerFactory) -> None:
    server = make_server(max_message_size=100)
    with Wire(server.smtp_port) as wire:
        begin(wire)
        # Pipelined: the second chunk crosses the limit; the third arrives after the failure.
        wire.send(b"BDAT 80\r\n" + b"a" * 80 + b"BDAT 80\r\n" + b"b" * 80 + b"BDAT 5 LAST\r\nccccc" + b"NOOP\r\n")
        assert wire.reply() == (250, "2.0.0 80 octets received")
        assert wire.reply() == (552, replies.MESSAGE_TOO_BIG.message)
        assert wire.reply() == (503, replies.NEED_MAIL.message)  # no transaction any more
        assert wire.reply()[0] == 250
        begin(wire)  # a new transaction works
        assert bdat(wire, b"hello", last=True)[0] == 250
    assert inbox(server) == [b"hello"]
