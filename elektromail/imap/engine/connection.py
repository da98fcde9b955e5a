"""IMAP connection: the asyncio protocol, its input buffer, literal handling and batched writes.

Bytes arrive in :meth:`ImapConnection.data_received` and are consumed by the session's coroutine through
:meth:`read_line`, :meth:`read_exactly` and :meth:`read_command`. A command's literals are size-checked
from their ``{n}`` announcement before a single octet of them is buffered; synchronizing literals get
``+`` only once accepted. Reading pauses when the client sends far ahead of the session.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable, Sequence
from typing import NoReturn, cast

from elektromail.context import ServerContext
from elektromail.imap.engine import codes
from elektromail.imap.engine.limits import (
    MAX_DRAINED_LITERAL,
    MAX_LINE,
    MAX_LITERALS_PER_COMMAND,
    MAX_NUMBER64,
    MAX_TAG,
    READ_HIGH_WATER,
)
from elektromail.imap.engine.parser import literal_at_end, tag_of
from elektromail.store.provenance import client_address
from elektromail.tls import connection_facts
from elektromail.transcripts.recorder import UNCONNECTED, Transcript

log = logging.getLogger("elektromail.imap")


class ConnectionClosed(Exception):
    """The peer went away (or the server closed the connection) while the session waited for input."""


class LineTooLong(Exception):
    """A line exceeded :data:`MAX_LINE`. Raised as soon as the limit is passed (the client may be waiting
    for an answer before it sends more); the rest of the line is discarded by the next read.
    ``tag`` is the line's tag when it had one before the limit."""

    def __init__(self, tag: str | None) -> None:
        super().__init__("line too long")
        self.tag = tag


class LiteralRejected(Exception):
    """A literal was refused before it was read; ``tag``, ``status``, ``text`` and ``code`` make the reply."""

    def __init__(self, tag: str | None, status: str, text: str, code: str | None) -> None:
        super().__init__(text)
        self.tag = tag
        self.status = status
        self.text = text
        self.code = code


class LiteralPolicy:
    """What the session allows for the command being read: the largest literal, the whole command, and
    how many literals it may carry."""

    __slots__ = ("max_literal", "max_command", "max_literals", "max_size_syntax")

    def __init__(
        self,
        max_literal: int,
        max_command: int,
        max_literals: int = MAX_LITERALS_PER_COMMAND,
        max_size_syntax: int = MAX_NUMBER64,
    ) -> None:
        self.max_literal = max_literal
        self.max_command = max_command
        self.max_literals = max_literals
        # The largest size the grammar allows: number64 in RFC 9051, a 32-bit number in RFC 3501.
        self.max_size_syntax = max_size_syntax


class ImapConnection(asyncio.Protocol):
    def __init__(self, context: ServerContext, implicit_tls: bool = False) -> None:
        self.context = context
        self.implicit_tls = implicit_tls
        self.tls_active = implicit_tls
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self._waiter: asyncio.Future[None] | None = None
        self._closed = False
        self._paused = False
        self._skipping = False  # the rest of an overlong line is still to be thrown away
        self._wait_expired = False  # the client stayed silent too long: reads raise TimeoutError
        self._task: asyncio.Task[None] | None = None
        self.peer: str = "?"
        self.transcript: Transcript = UNCONNECTED  # replaced once connected

    # ------------------------------------------------------------------ asyncio.Protocol

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        from elektromail.imap.engine.session import Session

        # uvloop's transports do not subclass asyncio.Transport, so no isinstance check here.
        self.transport = cast(asyncio.Transport, transport)
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        self.context.connections.add(self)
        self.transcript = self.context.transcripts.start("imap", client_address(peer))
        if self.implicit_tls and (facts := connection_facts(transport)) is not None:
            self.transcript.tls_established(facts)
        session = Session(self, self.context)
        self._task = asyncio.get_running_loop().create_task(session.run())

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > READ_HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool | None:
        self._closed = True
        self._wake()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed = True
        self._wake()
        self.context.connections.discard(self)
        self.context.transcripts.end(self.transcript)

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def expire_wait(self) -> None:
        """The client was silent too long: the read waiting for it (and any later one) raises TimeoutError."""
        self._wait_expired = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(TimeoutError())

    async def _wait_for_data(self) -> None:
        if self._closed:
            raise ConnectionClosed
        if self._wait_expired:
            raise TimeoutError
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _consumed(self) -> None:
        if self._paused and len(self.buffer) < READ_HIGH_WATER and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()

    # ------------------------------------------------------------------ reading

    async def read_line(self, limit: int = MAX_LINE) -> bytes:
        """One line without its CRLF (a bare LF is accepted too); raises LineTooLong past ``limit``.

        Nothing beyond ``limit`` (plus what one read brings) is ever buffered for a line."""
        line = await self._read_line(limit)
        self.transcript.client_line(line)
        return line

    async def _read_line(self, limit: int = MAX_LINE) -> bytes:
        if self._skipping:
            await self._discard_line()
        scanned = 0
        while True:
            end = self.buffer.find(b"\n", scanned)
            if end >= 0:
                if end > limit + 1:
                    tag = _tag_before_space(self.buffer)
                    del self.buffer[: end + 1]
                    self._consumed()
                    raise LineTooLong(tag)
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 1]
                self._consumed()
                return line[:-1] if line.endswith(b"\r") else line
            if len(self.buffer) > limit + 1:
                tag = _tag_before_space(self.buffer)
                self._skipping = True
                raise LineTooLong(tag)
            scanned = len(self.buffer)
            await self._wait_for_data()

    async def _discard_line(self) -> None:
        """Throw away input up to and including the next LF without keeping it."""
        while True:
            end = self.buffer.find(b"\n")
            if end >= 0:
                del self.buffer[: end + 1]
                self._consumed()
                self._skipping = False
                return
            self.buffer.clear()
            self._consumed()
            await self._wait_for_data()

    async def read_exactly(self, size: int) -> bytes:
        while len(self.buffer) < size:
            await self._wait_for_data()
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        self._consumed()
        return data

    async def discard(self, size: int) -> None:
        """Skip ``size`` octets of input without keeping them (a refused non-synchronizing literal)."""
        while size > 0:
            if not self.buffer:
                await self._wait_for_data()
            step = min(size, len(self.buffer))
            del self.buffer[:step]
            size -= step
            self._consumed()

    async def read_command(self, policy_for: Callable[[bytes], LiteralPolicy]) -> bytes:
        """One whole command: its line and, for each literal it announces, the literal and following line.

        The result is the command as it was on the wire (``{n}`` CRLF octets ...), ready for the parser.
        ``policy_for`` gets the first line and says how large the literals may be.
        """
        line = await self.read_line()
        announced = literal_at_end(line)
        if announced is None:
            return line
        policy = policy_for(line)
        tag = tag_of(line)
        parts = [line]
        total = len(line)
        literals = 0
        while announced is not None:
            literals += 1
            total += announced.size
            if announced.size > policy.max_size_syntax:
                # Not a number the grammar allows (RFC 9051 9 number64, RFC 3501 9 number): a syntax
                # error. A non-synchronizing literal of unknown length cannot be skipped: end the session.
                if not announced.synchronizing:
                    self._bye_and_close(b"* BYE literal size is not a valid number\r\n")
                raise LiteralRejected(tag, "BAD", "literal size is not a valid number", None)
            if announced.size > policy.max_literal or total > policy.max_command:
                await self._refuse(announced.synchronizing, announced.size, policy)
                raise LiteralRejected(tag, "NO", "literal too large", codes.TOOBIG)
            if literals > policy.max_literals:
                await self._refuse(announced.synchronizing, announced.size, policy)
                raise LiteralRejected(tag, "BAD", "too many literals in one command", codes.LIMIT)
            if announced.synchronizing:
                self.write((b"+ Ready for literal data\r\n",))
            parts.append(b"\r\n")
            parts.append(await self.read_exactly(announced.size))
            self.transcript.client_content(announced.size)
            try:
                line = await self._read_line()
            except LineTooLong:
                raise LineTooLong(tag) from None  # the line after a literal has no tag of its own
            self.transcript.client_continued(line)
            parts.append(line)
            total += len(line)
            if total > policy.max_command:
                raise LiteralRejected(tag, "NO", "command too long", codes.TOOBIG)
            announced = literal_at_end(line)
        return b"".join(parts)

    async def _refuse(self, synchronizing: bool, size: int, policy: LiteralPolicy) -> None:
        """Refuse a literal: a synchronizing one was never sent; a non-synchronizing one is on its way."""
        if synchronizing:
            return
        if size > MAX_DRAINED_LITERAL:
            # RFC 7888 4: the server may close the connection rather than read a literal it refuses.
            self._bye_and_close(b"* BYE [TOOBIG] literal too large\r\n")
        await self.discard(size)
        # The command may go on after the literal, possibly with more literals: drain it all.
        while True:
            line = await self.read_line()
            announced = literal_at_end(line)
            if announced is None:
                return
            if announced.synchronizing:
                return
            if announced.size > MAX_DRAINED_LITERAL:
                self._bye_and_close(b"* BYE [TOOBIG] literal too large\r\n")
            await self.discard(announced.size)

    def _bye_and_close(self, bye: bytes) -> NoReturn:
        self.write((bye,))
        self.close()
        raise ConnectionClosed

    # ------------------------------------------------------------------ writing and closing

    def write(self, chunks: Sequence[bytes]) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.writelines(chunks)
            self.transcript.server_output_many(chunks)

    def close(self) -> None:
        self._closed = True
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()
        self._wake()

    @property
    def is_closed(self) -> bool:
        return self._closed

    def shutdown(self) -> None:
        """Server stop: say BYE and close; the session coroutine ends on its next read."""
        self.write((b"* BYE server shutting down\r\n",))
        self.close()

    async def start_tls(self, context: ssl.SSLContext) -> None:
        """Upgrade to TLS in place (STARTTLS, RFC 9051 6.2.1): plaintext sent after the command is dropped."""
        assert self.transport is not None
        self.buffer.clear()  # RFC 9051 11.1: nothing pipelined before the handshake may be acted on
        loop = asyncio.get_running_loop()
        new_transport = await loop.start_tls(self.transport, self, context, server_side=True)
        if new_transport is None:
            raise ConnectionClosed
        self.transport = new_transport
        self.tls_active = True
        if (facts := connection_facts(new_transport)) is not None:
            self.transcript.tls_established(facts)


def _tag_before_space(buffer: bytearray) -> str | None:
    """The tag of a line whose start is in ``buffer``, if a valid one ends in a space early enough."""
    end = buffer.find(b" ", 0, MAX_TAG + 1)
    return tag_of(bytes(buffer[:end])) if end > 0 else None


def imap_factory(context: ServerContext, implicit_tls: bool = False) -> Callable[[], asyncio.Protocol]:
    """The supervisor's entry point: a protocol factory for one IMAP listener."""
    return lambda: ImapConnection(context, implicit_tls)
