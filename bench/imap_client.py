"""One lean asyncio IMAP client for every IMAP workload: responses kept as raw bytes, so the client's cost
is the same whichever server it drives and client-side parsing hides no difference between servers.

It does not split responses into lines (tests/imap_wire.py does, for the tests): while an answer arrives
it looks only at the last line of its buffer, so reading 100,000 responses or 8 MB of literals costs it
about the kernel's copy and nothing per octet; once that line is the tagged one, the clock's moment is
taken, and bench.imap_answer walks the answer from its start (literals skipped by their length) to check
it is whole and count what it holds. The benchmarks measure the servers, not the client."""

from __future__ import annotations

import asyncio
import re
import time
from contextlib import suppress
from typing import cast

from bench.imap_answer import Answer, locate, tail_is_tagged
from bench.model import Endpoint, WrongAnswer

_EXISTS = re.compile(rb"^\* (\d+) EXISTS", re.MULTILINE)
_FIRST_BUFFER = 1 << 20
_RECHECK_SECONDS = 0.25
_SPARE_BUFFERS = 64
# Buffers of closed connections, kept for the next ones: a buffer that grew to hold an 8 MB answer keeps
# its pages, so the next connection does not pay the kernel for fresh memory or the copies of growing.
_spare: list[bytearray] = []


class _Inbox(asyncio.BufferedProtocol):
    """Receives straight into one buffer (``recv_into``, no copy per read). The waiting client is woken
    only when the last line in it starts with a tag it waits for (or, reading a line, on any input)."""

    def __init__(self) -> None:
        self.data = _spare.pop() if _spare else bytearray(_FIRST_BUFFER)
        self.filled = 0
        self.closed = False
        self.transport: asyncio.Transport | None = None
        self.tags: tuple[bytes, ...] = ()  # tagged lines awaited (tag and space); empty: wake on any input
        self.arrived = 0.0  # perf_counter() when a read ended with one of those tagged lines
        self._waiter: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def get_buffer(self, sizehint: int) -> memoryview:
        if len(self.data) - self.filled < 1 << 18:  # room for a large read: grow by doubling
            self.data.extend(bytes(max(len(self.data), _FIRST_BUFFER)))
        return memoryview(self.data)[self.filled :]

    def buffer_updated(self, nbytes: int) -> None:
        self.filled += nbytes
        if self._waiter is None:
            return
        if self.tags:
            if not tail_is_tagged(self.data, self.filled, self.tags):
                return
            self.arrived = time.perf_counter()
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._wake()

    def give_back(self) -> None:
        """The buffer goes to the next connection (its client is done reading)."""
        if len(_spare) < _SPARE_BUFFERS and len(self.data) >= _FIRST_BUFFER:
            _spare.append(self.data)
        self.data = bytearray()
        self.filled = 0

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def more(self, patience: float | None = None) -> None:
        """Wait until more octets arrive (ending with an awaited tagged line, if ``tags`` are set), or
        ``patience`` seconds have passed; WrongAnswer once the server has closed the connection."""
        if self.closed:
            raise WrongAnswer("the server closed the connection")
        loop = asyncio.get_running_loop()
        self._waiter = loop.create_future()
        timer = loop.call_later(patience, self._wake) if patience is not None else None
        try:
            await self._waiter
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

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
    """One command at a time (or a pipelined batch), responses as bytes. After each command,
    ``answered_at`` is the perf_counter() moment its answer was all in (the clock of every IMAP workload
    stops there; checking and copying the answer come after) and ``answer`` what it held."""

    def __init__(self, inbox: _Inbox) -> None:
        self.inbox = inbox
        assert inbox.transport is not None
        self.transport = inbox.transport
        self.counter = 0
        self.last_tag = b""
        self.capabilities = b""
        self.answered_at = 0.0
        self.answer = Answer(0, 0, 0, 0, 0)

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
        self.last_tag = b"b%d" % self.counter
        return self.last_tag

    async def command(self, text: bytes) -> bytes:
        tag = self._tag()
        self.send(tag + b" " + text + b"\r\n")
        return await self.until_tagged(tag, text)

    async def until_tagged(self, tag: bytes, what: bytes = b"") -> bytes:
        """Every response up to and including the tagged one, as sent. The client wakes when a read ends
        with this tag's line or the last pipelined command's (whose answer comes after this one's), and
        only then walks the answer; see bench.imap_answer."""
        inbox = self.inbox
        inbox.tags = (tag + b" ", self.last_tag + b" ")
        inbox.arrived = 0.0
        try:
            while True:
                answer = locate(inbox.data, inbox.filled, tag)
                if answer is not None:
                    break
                inbox.arrived = 0.0
                # A server may follow the tagged line with something (an unsolicited update) in the
                # same read: now and then the answer is walked whatever its last line.
                await inbox.more(_RECHECK_SECONDS)
        finally:
            inbox.tags = ()
        self.answered_at = inbox.arrived or time.perf_counter()  # or it was in before the wait
        self.answer = answer
        if not inbox.data.startswith(tag + b" OK", answer.tagged_start):
            line = bytes(inbox.data[answer.tagged_start : answer.end]).decode("latin-1").strip()
            raise WrongAnswer(f"{what[:40].decode('latin-1')}: {line[:120]}")
        return inbox.take(answer.end)

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
        self.inbox.give_back()


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
