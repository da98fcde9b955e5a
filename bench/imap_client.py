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

from bench.model import Endpoint, WrongAnswer

_EXISTS = re.compile(rb"^\* (\d+) EXISTS", re.MULTILINE)
_LITERAL = re.compile(rb"~?\{(\d+)\+?\}\r\n")  # a literal's announcement ends its line


class Client:
    """One command at a time (or a pipelined batch), responses as bytes."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.counter = 0
        self.capabilities = b""
        self._leftover = bytearray()  # read past the last tagged response (pipelined commands)

    @classmethod
    async def connect(cls, port: int) -> Client:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 26)
        greeting = await reader.readline()
        if not greeting.startswith(b"* OK"):
            raise WrongAnswer(f"IMAP greeting {greeting[:60]!r}")
        return cls(reader, writer)

    def _tag(self) -> bytes:
        self.counter += 1
        return b"b%d" % self.counter

    async def command(self, text: bytes) -> bytes:
        tag = self._tag()
        self.writer.write(tag + b" " + text + b"\r\n")
        return await self.until_tagged(tag, text)

    async def until_tagged(self, tag: bytes, what: bytes = b"") -> bytes:
        """Every response up to and including the tagged one, as sent. The input is read in large blocks
        and scanned in C (the next literal announcement, the next line starting with the tag), not line
        by line: at 100,000 responses a line, a per-line read would cost more than the servers do."""
        buffer = self._leftover
        self._leftover = bytearray()
        marker = b"\r\n" + tag + b" "
        pos = 0  # everything before is scanned and outside any literal
        while True:
            found = self._tagged_line(buffer, pos, tag, marker)
            if isinstance(found, int):
                pos = found
            else:
                end = found[1]
                line = bytes(buffer[found[0] : end])
                if not line.startswith(tag + b" OK"):
                    raise WrongAnswer(f"{what[:40].decode('latin-1')}: {line[:120].decode('latin-1').strip()}")
                self._leftover = buffer[end:]
                return bytes(buffer[:end])
            chunk = await self.reader.read(1 << 20)
            if not chunk:
                raise WrongAnswer("the server closed the connection")
            buffer += chunk

    @staticmethod
    def _tagged_line(buffer: bytearray, pos: int, tag: bytes, marker: bytes) -> tuple[int, int] | int:
        """(start, end) of the tagged line once it is whole in ``buffer``; else how far the scan got."""
        while True:
            literal = _LITERAL.search(buffer, pos)
            limit = len(buffer) if literal is None else literal.start()
            if pos == 0 and buffer.startswith(tag + b" "):
                start = 0
            else:
                at = buffer.find(marker, max(pos - 2, 0), limit + 2)
                start = -1 if at < 0 else at + 2
            if start >= 0:
                eol = buffer.find(b"\r\n", start)
                return (start, eol + 2) if eol >= 0 else pos
            if literal is None:
                return max(pos, len(buffer) - len(marker) - 32)  # a marker may straddle the next read
            after = literal.end() + int(literal.group(1))
            if after > len(buffer):
                return pos
            pos = after

    async def append_many(self, messages: list[bytes], mailbox: bytes = b"INBOX") -> None:
        """APPEND every message; with LITERAL+ (or LITERAL- for small ones) as one pipelined batch."""
        if not self.capabilities:
            self.capabilities = (await self.command(b"CAPABILITY")).upper()
        plus = b"LITERAL+" in self.capabilities or b"LITERAL-" in self.capabilities
        if not plus:
            for message in messages:
                tag = self._tag()
                self.writer.write(tag + b" APPEND " + mailbox + b" {%d}\r\n" % len(message))
                line = await self._line()
                if not line.startswith(b"+"):
                    raise WrongAnswer(f"APPEND: {line[:120].decode('latin-1').strip()}")
                self.writer.write(message + b"\r\n")
                await self.until_tagged(tag, b"APPEND")
            return
        batch = 200
        for start in range(0, len(messages), batch):
            tags = []
            for message in messages[start : start + batch]:
                tag = self._tag()
                tags.append(tag)
                self.writer.write(tag + b" APPEND " + mailbox + b" {%d+}\r\n" % len(message) + message + b"\r\n")
            for tag in tags:
                await self.until_tagged(tag, b"APPEND")

    async def _line(self) -> bytes:
        if self._leftover:
            end = self._leftover.find(b"\n")
            if end >= 0:
                line = bytes(self._leftover[: end + 1])
                del self._leftover[: end + 1]
                return line
            return bytes(self._leftover) + await self.reader.readline()
        return await self.reader.readline()

    async def close(self) -> None:
        with suppress(ConnectionError):
            self.writer.write(b"z LOGOUT\r\n")
            await self.writer.drain()
        self.writer.close()
        with suppress(ConnectionError):
            await self.writer.wait_closed()


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
