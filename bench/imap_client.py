"""One lean asyncio IMAP client for every IMAP workload: responses kept as raw bytes, so the client's cost
is the same whichever server it drives and client-side parsing hides no difference between servers.

It does not split responses with the test clients' reader (tests/imap_wire.py): it only needs to find the
tagged line, which it does on blocks of input with C searches (the next literal, the next tagged line) at
a fraction of the cost of splitting each response in Python; the benchmarks measure the servers, not the
client."""

from __future__ import annotations

import asyncio
import re
from contextlib import suppress
from typing import cast

from bench.model import Endpoint, WrongAnswer

_EXISTS = re.compile(rb"^\* (\d+) EXISTS", re.MULTILINE)
_LITERAL = re.compile(rb"~?\{(\d+)\+?\}\r\n")  # a literal's announcement ends its line
_LITERAL_END = b"}\r\n"


def _next_literal(buffer: bytearray, pos: int, filled: int) -> re.Match[bytes] | None:
    """The next literal announcement from ``pos``: found by its closing ``}`` CRLF with a plain search
    (a pattern that may start at any ``{`` or ``~`` scans every octet of a large answer in Python's regex
    engine, several times slower), then checked with the pattern where it ends."""
    while True:
        end = buffer.find(_LITERAL_END, pos, filled)
        if end < 0:
            return None
        found = _LITERAL.search(buffer, max(pos, end - 24), end + 3)
        if found is not None:
            return found
        pos = end + 3


class _Inbox(asyncio.BufferedProtocol):
    """Receives straight into one growing buffer (``recv_into``, no copy per read), which the client scans
    in place; a StreamReader would copy every block twice before the client saw it."""

    def __init__(self) -> None:
        self.data = bytearray(1 << 20)
        self.filled = 0
        self.closed = False
        self.transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def get_buffer(self, sizehint: int) -> memoryview:
        if len(self.data) - self.filled < 1 << 18:  # room for a large read: grow by doubling
            self.data.extend(bytes(max(len(self.data), 1 << 20)))
        return memoryview(self.data)[self.filled :]

    def buffer_updated(self, nbytes: int) -> None:
        self.filled += nbytes
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def more(self) -> None:
        """Wait until more octets arrive; WrongAnswer once the server has closed the connection."""
        if self.closed:
            raise WrongAnswer("the server closed the connection")
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def take(self, end: int) -> bytes:
        """The first ``end`` octets, removed from the buffer."""
        data = self.data
        taken = bytes(memoryview(data)[:end])
        rest = self.filled - end
        if rest:  # what came after (pipelined answers) moves to the front; the buffer keeps its size
            data[:rest] = data[end : self.filled]
        self.filled = rest
        return taken


class Client:
    """One command at a time (or a pipelined batch), responses as bytes."""

    def __init__(self, inbox: _Inbox) -> None:
        self.inbox = inbox
        assert inbox.transport is not None
        self.transport = inbox.transport
        self.counter = 0
        self.capabilities = b""

    @classmethod
    async def connect(cls, port: int) -> Client:
        _, inbox = await asyncio.get_running_loop().create_connection(_Inbox, "127.0.0.1", port)
        client = cls(inbox)
        greeting = await client.readline()
        if not greeting.startswith(b"* OK"):
            raise WrongAnswer(f"IMAP greeting {greeting[:60]!r}")
        return client

    def send(self, data: bytes) -> None:
        self.transport.write(data)

    def _tag(self) -> bytes:
        self.counter += 1
        return b"b%d" % self.counter

    async def command(self, text: bytes) -> bytes:
        tag = self._tag()
        self.send(tag + b" " + text + b"\r\n")
        return await self.until_tagged(tag, text)

    async def until_tagged(self, tag: bytes, what: bytes = b"") -> bytes:
        """Every response up to and including the tagged one, as sent. The input is scanned in place in C
        (the next literal announcement, the next line starting with the tag), not line by line: at
        100,000 responses a line, a per-line read would cost more than the servers do."""
        inbox = self.inbox
        marker = b"\r\n" + tag + b" "
        pos = 0  # everything before is scanned and outside any literal
        while True:
            found = self._tagged_line(inbox.data, inbox.filled, pos, tag, marker)
            if isinstance(found, int):
                pos = found
            else:
                start, end = found
                if not inbox.data.startswith(tag + b" OK", start):
                    line = bytes(inbox.data[start:end]).decode("latin-1").strip()
                    raise WrongAnswer(f"{what[:40].decode('latin-1')}: {line[:120]}")
                return inbox.take(end)
            await inbox.more()

    @staticmethod
    def _tagged_line(buffer: bytearray, filled: int, pos: int, tag: bytes, marker: bytes) -> tuple[int, int] | int:
        """(start, end) of the tagged line once it is whole in ``buffer[:filled]``; else how far the scan
        got."""
        while True:
            literal = _next_literal(buffer, pos, filled)
            limit = filled if literal is None else literal.start()
            if pos == 0 and buffer.startswith(tag + b" ") and filled > len(tag):
                start = 0
            else:
                at = buffer.find(marker, max(pos - 2, 0), min(limit + 2, filled))
                start = -1 if at < 0 else at + 2
            if start >= 0:
                eol = buffer.find(b"\r\n", start, filled)
                return (start, eol + 2) if eol >= 0 else pos
            if literal is None:
                return max(pos, filled - len(marker) - 32)  # a marker may straddle the next read
            after = literal.end() + int(literal.group(1))
            if after > filled:
                return pos
            pos = after

    async def readline(self) -> bytes:
        """The next line (IDLE's continuation and updates, a greeting)."""
        inbox = self.inbox
        while True:
            end = inbox.data.find(b"\n", 0, inbox.filled)
            if end >= 0:
                return inbox.take(end + 1)
            await inbox.more()

    async def append_many(self, messages: list[bytes], mailbox: bytes = b"INBOX") -> None:
        """APPEND every message; with LITERAL+ (or LITERAL- for small ones) as one pipelined batch."""
        if not self.capabilities:
            self.capabilities = (await self.command(b"CAPABILITY")).upper()
        plus = b"LITERAL+" in self.capabilities or b"LITERAL-" in self.capabilities
        if not plus:
            for message in messages:
                tag = self._tag()
                self.send(tag + b" APPEND " + mailbox + b" {%d}\r\n" % len(message))
                line = await self.readline()
                if not line.startswith(b"+"):
                    raise WrongAnswer(f"APPEND: {line[:120].decode('latin-1').strip()}")
                self.send(message + b"\r\n")
                await self.until_tagged(tag, b"APPEND")
            return
        batch = 200
        for start in range(0, len(messages), batch):
            tags = []
            for message in messages[start : start + batch]:
                tag = self._tag()
                tags.append(tag)
                self.send(tag + b" APPEND " + mailbox + b" {%d+}\r\n" % len(message) + message + b"\r\n")
            for tag in tags:
                await self.until_tagged(tag, b"APPEND")

    async def close(self) -> None:
        with suppress(ConnectionError):
            self.send(b"z LOGOUT\r\n")
        self.transport.close()


async def login(endpoint: Endpoint, select: bool = True) -> Client:
    assert endpoint.imap is not None
    client = await Client.connect(endpoint.imap)
    await client.command(b'LOGIN "%s" "%s"' % (endpoint.user.encode(), endpoint.password.encode()))
    if select:
        await client.command(b"SELECT INBOX")
    return client


def exists(response: bytes) -> int:
    """The last ``* n EXISTS`` in a response (SELECT, NOOP, IDLE), or -1."""
    found = _EXISTS.findall(response)
    return int(found[-1]) if found else -1


async def populate(endpoint: Endpoint, messages: list[bytes]) -> None:
    """APPEND the messages to INBOX, then check the server holds them all."""
    client = await login(endpoint, select=False)
    status = await client.command(b"STATUS INBOX (MESSAGES)")
    before = int(status.split(b"MESSAGES ", 1)[1].split(b")", 1)[0])
    await client.append_many(messages)
    selected = await client.command(b"SELECT INBOX")
    await client.close()
    if exists(selected) - before != len(messages):
        raise WrongAnswer(f"{len(messages)} messages APPENDed, SELECT shows {exists(selected) - before} more")


def message_4k(number: int) -> bytes:
    """About 4 KB: a realistic header block and a two-part body."""
    filler = (b"Lorem ipsum dolor sit amet, consectetur adipiscing elit %d.\r\n" % number) * 60
    return (
        b"From: Sender %d <sender%d@example.com>\r\n"
        b"To: Recipient <rcpt@example.org>, other@example.org\r\n"
        b"Subject: Benchmark message %d =?utf-8?q?gr=C3=BC=C3=9Fe?=\r\n"
        b"Date: Mon, 7 Feb 2022 21:52:25 +0100\r\n"
        b"Message-ID: <bench-%d@example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="b%d"\r\n\r\n'
        b"--b%d\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%b\r\n"
        b"--b%d\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>%d</p>\r\n--b%d--\r\n"
    ) % (number, number, number, number, number, number, filler, number, number, number)


def message_small(number: int) -> bytes:
    """About 400 bytes: mailboxes of 100,000 of these fill quickly."""
    return (
        b"From: Sender %d <sender%d@example.com>\r\nTo: rcpt@example.org\r\n"
        b"Subject: Scaling message %d\r\nDate: Mon, 7 Feb 2022 21:52:25 +0100\r\n"
        b"Message-ID: <scale-%d@example.com>\r\n\r\nShort body number %d of the scaling benchmark.\r\n"
    ) % (number, number, number, number, number)
