"""The test clients' IMAP response reader (tests/imap_wire.py), on bytes."""

from __future__ import annotations

import asyncio

import pytest

from tests.imap_wire import ResponseReader, ResponseTooLarge

STREAM = (
    b"* OK [CAPABILITY IMAP4rev2] ready\r\n"
    b"* 1 FETCH (UID 7 BODY[] {12}\r\nline\r\n{3}\r\nab FLAGS (\\Seen))\r\n"
    b"* 2 FETCH (BINARY[1] ~{2}\r\n\x00\xff BODY[HEADER] {0}\r\n)\r\n"
    b"+ {5}\r\n"
    b"* OK text that ends in {a}\r\n"
    b"a1 OK done\r\n"
)
EXPECTED = [
    b"* OK [CAPABILITY IMAP4rev2] ready",
    b"* 1 FETCH (UID 7 BODY[] {12}\r\nline\r\n{3}\r\nab FLAGS (\\Seen))",
    b"* 2 FETCH (BINARY[1] ~{2}\r\n\x00\xff BODY[HEADER] {0}\r\n)",
    b"+ {5}",
    b"* OK text that ends in {a}",
    b"a1 OK done",
]


def responses_of(reader: ResponseReader) -> list[bytes]:
    found = []
    while (response := reader.response()) is not None:
        found.append(response)
    return found


def test_responses_with_their_literals_in_one_piece() -> None:
    reader = ResponseReader()
    reader.feed(STREAM)
    assert responses_of(reader) == EXPECTED
    assert not reader.pending


def test_the_same_responses_fed_one_octet_at_a_time() -> None:
    reader = ResponseReader()
    found: list[bytes] = []
    for octet in STREAM:
        reader.feed(bytes([octet]))
        found.extend(responses_of(reader))
    assert found == EXPECTED


def test_a_response_waits_for_the_whole_literal_and_the_rest_of_its_line() -> None:
    reader = ResponseReader()
    reader.feed(b"* 1 FETCH (BODY[] {10}\r\n01234")
    assert reader.response() is None
    reader.feed(b"56789")
    assert reader.response() is None  # the line after the literal has not ended yet
    reader.feed(b")\r\n* 2 EXISTS\r\n")
    assert reader.response() == b"* 1 FETCH (BODY[] {10}\r\n0123456789)"
    assert reader.response() == b"* 2 EXISTS"
    assert reader.response() is None


def test_lines_and_counted_octets_without_following_literals() -> None:
    reader = ResponseReader()
    reader.feed(b"* 1 FETCH (BODY[] {4}\r\nab\r\n)\r\n")
    assert reader.line() == b"* 1 FETCH (BODY[] {4}"
    assert reader.exactly(4) == b"ab\r\n"
    assert reader.exactly(4) is None
    assert reader.line() == b")"
    assert reader.line() is None


def test_read_receives_until_a_response_is_complete_and_reports_a_closed_connection() -> None:
    chunks = [b"* 1 EXISTS\r", b"\na1 OK", b""]
    reader = ResponseReader()
    assert reader.read(reader.response, lambda: chunks.pop(0)) == b"* 1 EXISTS"
    with pytest.raises(ConnectionError, match="a1 OK"):
        reader.read(reader.response, lambda: chunks.pop(0))


def test_read_async_receives_like_read() -> None:
    chunks = [b"* BYE going\r\n"]

    async def receive() -> bytes:
        return chunks.pop(0)

    reader = ResponseReader()
    assert asyncio.run(reader.read_async(reader.response, receive)) == b"* BYE going"


def test_a_runaway_response_is_refused_once_past_the_bound() -> None:
    reader = ResponseReader(max_bytes=100)
    reader.feed(b"* 1 FETCH (BODY[] {1000}\r\n" + b"x" * 50)
    assert reader.response() is None
    reader.feed(b"x" * 50)
    with pytest.raises(ResponseTooLarge):
        reader.response()
