"""The connection's line reader under hostile input: bytes fed straight into the protocol, no sockets."""

from __future__ import annotations

import asyncio
from typing import cast

import pytest

from elektromail.context import ServerContext
from elektromail.imap.engine.connection import ImapConnection, LineTooLong
from elektromail.imap.engine.limits import MAX_LINE

CHUNK = 256 * 1024


def _connection() -> ImapConnection:
    # Reading needs no context and no transport: the session's coroutine only awaits data_received.
    return ImapConnection(cast(ServerContext, None))


def test_an_endless_line_is_refused_at_the_limit_and_never_buffered_beyond_it() -> None:
    async def scenario() -> None:
        connection = _connection()
        reader = asyncio.create_task(connection.read_line())
        connection.data_received(b"a7 SELECT ")
        largest = 0
        for _ in range(40):  # 10 MiB, no line end
            connection.data_received(b"x" * CHUNK)
            largest = max(largest, len(connection.buffer))
            await asyncio.sleep(0)
            if reader.done():
                break
        with pytest.raises(LineTooLong) as refused:
            await reader
        assert refused.value.tag == "a7"
        assert largest <= MAX_LINE + CHUNK + 16
        following = asyncio.create_task(connection.read_line())
        for _ in range(40):  # the rest of the same line: thrown away as it arrives
            connection.data_received(b"x" * CHUNK)
            await asyncio.sleep(0)
            assert len(connection.buffer) <= CHUNK
        assert not following.done()
        connection.data_received(b"xxx\r\na8 NOOP\r\n")
        assert await following == b"a8 NOOP"

    asyncio.run(scenario())


def test_an_overlong_line_that_arrives_whole_is_refused_and_the_next_line_read() -> None:
    async def scenario() -> None:
        connection = _connection()
        connection.data_received(b"t1 LIST " + b"y" * (MAX_LINE + 10) + b"\r\nt2 NOOP\r\n")
        with pytest.raises(LineTooLong) as refused:
            await connection.read_line()
        assert refused.value.tag == "t1"
        assert await connection.read_line() == b"t2 NOOP"

    asyncio.run(scenario())


def test_no_tag_is_taken_from_an_overlong_line_without_one() -> None:
    async def scenario() -> None:
        connection = _connection()
        connection.data_received(b"z" * (MAX_LINE + 10))
        with pytest.raises(LineTooLong) as refused:
            await connection.read_line()
        assert refused.value.tag is None

    asyncio.run(scenario())
