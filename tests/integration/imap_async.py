"""A small asyncio IMAP client: one response at a time (literals included), parsed into tokens.

Responses are parsed the way the grammar (RFC 9051 9) builds them: atoms (``str``, with any ``[...]``
section kept inside, as in ``BODY[HEADER.FIELDS (SUBJECT)]``), strings (``bytes``, quoted or literal)
and parenthesised lists. A status response keeps its response code apart from its text.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from tests.imap_wire import ResponseReader
from tests.servers import client_host

Token = str | bytes | list["Token"]

STATUS_WORDS = frozenset({"OK", "NO", "BAD", "BYE", "PREAUTH"})


class ProtocolViolation(Exception):
    """A response that does not parse."""


@dataclass
class Response:
    """One server response. ``kind`` is ``tagged``, ``untagged`` or ``continuation``.

    For status responses (OK/NO/BAD/BYE/PREAUTH) ``status`` is the word and ``code`` the tokens of the
    response code (``["PERMANENTFLAGS", [...]]``); otherwise ``tokens`` holds the data (``["3",
    "FETCH", [...]]``)."""

    kind: str
    tag: str = ""
    status: str = ""
    code: list[Token] = field(default_factory=list)
    tokens: list[Token] = field(default_factory=list)
    raw: bytes = b""


def _bracketed_end(data: bytes, pos: int) -> int:
    """The index after the ``]`` that closes the ``[`` at ``pos`` (brackets do not nest in IMAP)."""
    end = data.find(b"]", pos)
    if end < 0:
        raise ProtocolViolation(f"unclosed [ in {data[:200]!r}")
    return end + 1


def tokenize(data: bytes, pos: int = 0, nested: bool = False) -> tuple[list[Token], int]:
    """Tokens from ``pos`` to the end (or to the ``)`` closing a list when ``nested``)."""
    out: list[Token] = []
    size = len(data)
    while pos < size:
        byte = data[pos]
        if byte == 0x20:
            pos += 1
        elif byte == 0x28:
            inner, pos = tokenize(data, pos + 1, nested=True)
            out.append(inner)
        elif byte == 0x29:
            if not nested:
                raise ProtocolViolation(f"unbalanced ) in {data[:200]!r}")
            return out, pos + 1
        elif byte == 0x22:
            value = bytearray()
            pos += 1
            while True:
                if pos >= size:
                    raise ProtocolViolation(f"unterminated quoted string in {data[:200]!r}")
                if data[pos] == 0x5C:
                    value.append(data[pos + 1])
                    pos += 2
                elif data[pos] == 0x22:
                    pos += 1
                    break
                else:
                    value.append(data[pos])
                    pos += 1
            out.append(bytes(value))
        elif byte == 0x7B or (byte == 0x7E and data[pos + 1 : pos + 2] == b"{"):
            start = data.index(b"{", pos) + 1
            close = data.index(b"}", start)
            length = int(data[start:close])
            begin = close + 3  # "}" CRLF
            out.append(data[begin : begin + length])
            pos = begin + length
        else:
            start = pos
            while pos < size and data[pos] not in b" ()":
                pos = _bracketed_end(data, pos) if data[pos] == 0x5B else pos + 1
            out.append(data[start:pos].decode("utf-8", "replace"))
    if nested:
        raise ProtocolViolation(f"unclosed ( in {data[:200]!r}")
    return out, pos


def parse_response(raw: bytes) -> Response:
    if raw.startswith(b"+"):
        return Response("continuation", raw=raw)
    head, _, rest = raw.partition(b" ")
    kind = "untagged" if head == b"*" else "tagged"
    response = Response(kind, tag="" if kind == "untagged" else head.decode("ascii"), raw=raw)
    word, _, after = rest.partition(b" ")
    if word.upper().decode("ascii", "replace") in STATUS_WORDS:
        response.status = word.upper().decode("ascii")
        if after.startswith(b"["):
            end = _bracketed_end(after, 0)
            response.code, _ = tokenize(after[1 : end - 1])
        return response
    if kind == "tagged":
        raise ProtocolViolation(f"tagged response without a status: {raw[:200]!r}")
    response.tokens, _ = tokenize(rest)
    return response


class AsyncImap:
    """Commands with tags, responses read whole; ``on_untagged`` sees every untagged response in order."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.wire = ResponseReader()
        self._tag = 0

    @classmethod
    async def connect(cls, port: int) -> AsyncImap:
        reader, writer = await asyncio.open_connection(client_host(), port)
        return cls(reader, writer)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()

    def next_tag(self) -> str:
        self._tag += 1
        return f"c{self._tag}"

    async def read_raw(self) -> bytes:
        """One response with its literals inlined (``{n}`` CRLF octets ...), without the final CRLF."""
        return await self.wire.read_async(self.wire.response, self._receive)

    async def _receive(self) -> bytes:
        return await self.reader.read(65536)

    async def read(self) -> Response:
        return parse_response(await self.read_raw())

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()
