"""The DATA reader on bytes (terminator, unstuffing, limits, chunking) and the BDAT chunk reader."""

from __future__ import annotations

import pytest

from elektromail.smtp import replies
from elektromail.smtp.data import ChunkReader, DataReader, longest_line, unstuff


def feed_all(reader: DataReader, chunks: list[bytes]) -> tuple[bytes | replies.Reply | None, bytearray]:
    buffer = bytearray()
    result: bytes | replies.Reply | None = None
    for chunk in chunks:
        buffer += chunk
        result = reader.feed(buffer)
        if result is not None:
            break
    return result, buffer


def test_complete_message_leaves_pipelined_bytes() -> None:
    result, rest = feed_all(DataReader(1000), [b"a\r\n.b\r\n.\r\nQUIT\r\n"])
    assert result == b"a\r\nb\r\n"
    assert rest == b"QUIT\r\n"


def test_empty_message() -> None:
    assert feed_all(DataReader(1000), [b".\r\nNOOP\r\n"]) == (b"", bytearray(b"NOOP\r\n"))


def test_first_line_is_unstuffed() -> None:
    assert feed_all(DataReader(1000), [b"..x\r\n.\r\n"])[0] == b".x\r\n"


@pytest.mark.parametrize("split", range(1, 12))
def test_every_split_point_gives_the_same_message(split: int) -> None:
    wire = b"ab\r\n..c\r\n.\r\n"
    result, rest = feed_all(DataReader(1000), [wire[:split], wire[split:]])
    assert result == b"ab\r\n.c\r\n"
    assert rest == b""


def test_byte_by_byte() -> None:
    wire = b"Subject: x\r\n\r\n.\n.\r\n.\r\n"
    result, _ = feed_all(DataReader(1000), [bytes([byte]) for byte in wire])
    # The dot after CRLF is unstuffed; the one after a bare LF is content.
    assert result == b"Subject: x\r\n\r\n\n.\r\n"


@pytest.mark.parametrize("fake", [b"\n.\n", b"\n.\r\n", b"\r\n.\n", b"\r.\r", b"\n\r\n.\n"])
def test_bare_lf_never_terminates(fake: bytes) -> None:
    reader = DataReader(1000)
    buffer = bytearray(b"x" + fake + b"MAIL FROM:<e@x>\r\n")
    assert reader.feed(buffer) is None


def test_oversized_is_drained_with_bounded_memory() -> None:
    reader = DataReader(100)
    buffer = bytearray()
    for _ in range(1000):
        buffer += b"y" * 98 + b"\r\n"
        assert reader.feed(buffer) is None
        assert len(buffer) <= 200 + 100
    assert reader.oversized
    buffer += b".\r\nNOOP\r\n"
    assert reader.feed(buffer) is replies.MESSAGE_TOO_BIG
    assert buffer == b"NOOP\r\n"


def test_size_limit_is_on_the_unstuffed_message() -> None:
    assert feed_all(DataReader(6), [b"..abc\r\n.\r\n"])[0] == b".abc\r\n"
    assert feed_all(DataReader(5), [b"..abc\r\n.\r\n"])[0] is replies.MESSAGE_TOO_BIG


def test_text_line_limit() -> None:
    ok = b"a" * 998 + b"\r\n"
    assert feed_all(DataReader(10_000), [ok + b".\r\n"])[0] == ok
    assert feed_all(DataReader(10_000), [b"a" * 999 + b"\r\n.\r\n"])[0] is replies.TEXT_LINE_TOO_LONG


def test_helpers() -> None:
    assert unstuff(b".a\r\n..b\r\nc.\r\n") == b"a\r\n.b\r\nc.\r\n"
    assert unstuff(b"plain\r\n") == b"plain\r\n"
    assert longest_line(b"ab\r\nabcd\r\n") == 6


def test_chunk_takes_exactly_its_size_and_leaves_the_rest() -> None:
    sink = bytearray(b"so far|")
    reader = ChunkReader(8, last=False, sink=sink, refusal=None)
    buffer = bytearray(b"\r\n.\r\nab")
    assert not reader.feed(buffer)  # 7 of 8 octets: no terminator or dot means anything inside a chunk
    assert buffer == b"" and sink == b"so far|\r\n.\r\nab"
    buffer += b"cRSET\r\n"
    assert reader.feed(buffer)
    assert sink == b"so far|\r\n.\r\nabc"
    assert buffer == b"RSET\r\n"


def test_refused_chunk_is_read_and_dropped() -> None:
    reader = ChunkReader(4, last=True, sink=None, refusal=replies.NEED_MAIL)
    buffer = bytearray(b"QUITNOOP\r\n")
    assert reader.feed(buffer)
    assert buffer == b"NOOP\r\n"


def test_empty_chunk_is_complete_at_once() -> None:
    assert ChunkReader(0, last=True, sink=bytearray(), refusal=None).feed(bytearray())
