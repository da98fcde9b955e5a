"""The DATA reader on bytes (terminator, unstuffing, limits, chunking) and the BDAT chunk reader."""

from __future__ import annotations

import pytest

from elektromail.smtp import replies
from elektromail.smtp.data import ChunkReader, DataReader
from elektromail.smtp.strict import content_refusal, longest_line


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


def test_lines_of_any_length_are_taken_as_sent() -> None:
    long_line = b"<p>" + b"x" * 5000 + b"</p>\r\n"
    assert feed_all(DataReader(10_000), [long_line + b".\r\n"])[0] == long_line
    # A long line arriving in pieces is moved out of the input buffer as it comes, not held there.
    reader = DataReader(100_000)
    buffer = bytearray()
    for _ in range(50):
        buffer += b"y" * 997
        assert reader.feed(buffer) is None
        assert len(buffer) <= 1
    buffer += b"\r\n..z\r\n.\r\n"
    assert reader.feed(buffer) == b"y" * 997 * 50 + b"\r\n.z\r\n"


def test_unstuffing_across_reads_of_every_size() -> None:
    wire = b".a\r\n..b\r\nc.\r\n.\r\r\n\r\n..\r\n.\r\nNOOP\r\n"
    expected = b"a\r\n.b\r\nc.\r\n\r\r\n\r\n.\r\n"
    for size in range(1, len(wire)):
        chunks = [wire[index : index + size] for index in range(0, len(wire), size)]
        result, rest = feed_all(DataReader(1000), chunks)
        assert result == expected, size
        assert b"NOOP\r\n".startswith(rest)  # what followed the terminator in its read stays for the session


WHOLE_READS = [
    b"Subject: x\r\n\r\nbody\r\n.\r\n",
    b"\r\n.\r\n",
    b"a\n.b\n.\r\n.\r\n",  # dots after bare LFs are content
    b"x\r\n..y\r\n.\r\n",  # a stuffed line: the buffer's reader takes it
    b".\r\n",  # the empty message
    b"..x\r\n.\r\n",
    b"x\r\n.\r\nNOOP\r\n",  # pipelined after the terminator
    b"x\r\n.\r",
    b"x\n.\n",
    b"123456\r\n.\r\n",  # over the limit of 7 below
]


@pytest.mark.parametrize("wire", WHOLE_READS)
def test_a_whole_message_in_one_read_is_taken_as_the_buffer_would_take_it(wire: bytes) -> None:
    whole = DataReader(7).take_whole(wire)
    if whole is not None:
        assert (whole, bytearray()) == feed_all(DataReader(7), [wire])


def test_a_whole_read_is_taken_only_in_its_usual_shape() -> None:
    taken = {wire for wire in WHOLE_READS if DataReader(7).take_whole(wire) is not None}
    assert taken == {WHOLE_READS[0], b"\r\n.\r\n", b"a\n.b\n.\r\n.\r\n", b"123456\r\n.\r\n"}
    assert DataReader(7).take_whole(b"123456\r\n.\r\n") is replies.MESSAGE_TOO_BIG
    reader = DataReader(1000)
    assert reader.feed(bytearray(b"begun\r\n")) is None
    assert reader.take_whole(b"x\r\n.\r\n") is None  # not the first read: the message is in pieces


def test_thirty_mib_against_a_limit_of_twenty_five_never_holds_more_than_the_limit() -> None:
    limit = 25 * 1024 * 1024
    reader = DataReader(limit)
    buffer = bytearray()
    line = b"x" * 76 + b"\r\n"
    read = b"".join([line] * (64 * 1024 // len(line)))  # one socket read: about 64 KiB of whole lines
    sent = 0
    most_held = 0
    while sent < 30 * 1024 * 1024:
        buffer += read
        sent += len(read)
        assert reader.feed(buffer) is None
        most_held = max(most_held, reader.held + len(buffer))
        assert reader.held + len(buffer) <= limit
    assert reader.oversized
    assert reader.held == 0  # dropped once the limit was passed, not at the end
    assert most_held > limit - len(read)  # it did hold the message up to the limit
    buffer += b".\r\nQUIT\r\n"
    assert reader.feed(buffer) is replies.MESSAGE_TOO_BIG
    assert buffer == b"QUIT\r\n"


def test_longest_line() -> None:
    assert longest_line(b"ab\r\nabcd\r\n") == 6


HEADER = b"From: a@example.com\r\nDate: Thu, 3 Dec 2026 10:00:00 +0000\r\n"


@pytest.mark.parametrize(
    ("message", "eight_bit", "refusal"),
    [
        (HEADER + b"\r\nfine\r\n", False, None),
        (HEADER + b"\r\n" + b"a" * 998 + b"\r\n", False, None),
        (HEADER + b"\r\n" + b"a" * 999 + b"\r\n", False, replies.STRICT_LINE_TOO_LONG),
        (HEADER + b"\r\nbare\nLF\r\n", False, replies.BARE_LINE_END),
        (HEADER + b"\r\nbare\rCR\r\n", False, replies.BARE_LINE_END),
        (HEADER + b"\r\ncaf\xc3\xa9\r\n", False, replies.UNDECLARED_8BIT),
        (HEADER + b"\r\ncaf\xc3\xa9\r\n", True, None),
        (b"Date: Thu, 3 Dec 2026 10:00:00 +0000\r\n\r\nFrom: in the body\r\n", False, replies.NO_FROM_FIELD),
        (b"from:a@example.com\r\n\r\nx\r\n", False, replies.NO_DATE_FIELD),
        (b"X-Date: no\r\nfrom:a@example.com\r\n", False, replies.NO_DATE_FIELD),
    ],
)
def test_strict_content_rules(message: bytes, eight_bit: bool, refusal: replies.Reply | None) -> None:
    assert content_refusal(message, eight_bit) is refusal


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
