"""Reading IMAP server responses off the wire, without I/O: feed bytes, take complete responses.

A server response is one line plus, for each literal it announces at a line's end (``{n}`` or the
literal8 ``~{n}``), exactly n octets and the rest of the line after them (RFC 9051 4.3, 7). The test
clients differ in how they talk (blocking sockets, asyncio streams, TLS) and in what they make of a
response; they all take responses from a :class:`ResponseReader`:

    reader = ResponseReader()
    reader.feed(sock.recv(65536))
    response = reader.response()  # b"* 1 FETCH (BODY[] {5}\\r\\nhello)", or None until it is complete

A response comes out as sent, without its final CRLF (the CRLF after each ``{n}`` stays inside it).
:meth:`ResponseReader.read` and :meth:`ResponseReader.read_async` loop over a receive function until one
is complete, so a client only says how it receives.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

# A line that ends with a literal announcement: {n}, ~{n} (literal8, RFC 3516) or {n+} (some servers echo
# LITERAL+ forms; the octets follow at once all the same).
_LITERAL_AT_END = re.compile(rb"\{(\d+)\+?\}\Z")
# Far longer than any line a test expects to see; a runaway answer fails the test instead of eating memory.
MAX_RESPONSE_BYTES = 64 * 1024 * 1024


class ResponseTooLarge(ValueError):
    """More than ``max_bytes`` buffered without a complete response."""


class ResponseReader:
    """Splits the server's bytes into responses, lines or counted octets; holds what is not taken yet."""

    def __init__(self, max_bytes: int = MAX_RESPONSE_BYTES) -> None:
        self.buffer = bytearray()
        self.max_bytes = max_bytes
        # Where the last response() call stopped: the start of the line it had not seen the end of, so
        # feeding a large literal in small pieces does not rescan it from the start every time.
        self._line_start = 0

    def feed(self, data: bytes) -> None:
        self.buffer += data

    @property
    def pending(self) -> bool:
        """Whether bytes were fed that are not taken yet."""
        return bool(self.buffer)

    def response(self) -> bytes | None:
        """The next complete response, literals included, without the final CRLF; None until it is all here."""
        buffer = self.buffer
        line_start = self._line_start
        while True:
            eol = buffer.find(b"\r\n", line_start)
            if eol < 0:
                self._incomplete(line_start)
                return None
            size = self._literal_size(line_start, eol)
            if size is None:
                response = bytes(buffer[:eol])
                del buffer[: eol + 2]
                self._line_start = 0
                return response
            literal_end = eol + 2 + size
            if len(buffer) < literal_end:
                self._incomplete(line_start)
                return None
            line_start = literal_end

    def line(self) -> bytes | None:
        """The next line as it is, without its CRLF and without following any literal it announces."""
        eol = self.buffer.find(b"\r\n")
        if eol < 0:
            self._incomplete(0)
            return None
        self._line_start = 0
        line = bytes(self.buffer[:eol])
        del self.buffer[: eol + 2]
        return line

    def exactly(self, count: int) -> bytes | None:
        """The next ``count`` octets, or None until there are that many."""
        if len(self.buffer) < count:
            self._incomplete(0)
            return None
        self._line_start = 0
        data = bytes(self.buffer[:count])
        del self.buffer[:count]
        return data

    def read(self, take: Callable[[], bytes | None], receive: Callable[[], bytes]) -> bytes:
        """``take()`` (say :meth:`response`), receiving more with ``receive()`` until it has an answer.
        ``receive`` returns b"" when the server closed the connection."""
        while (found := take()) is None:
            self._feed_received(receive())
        return found

    async def read_async(self, take: Callable[[], bytes | None], receive: Callable[[], Awaitable[bytes]]) -> bytes:
        """:meth:`read` for asyncio clients."""
        while (found := take()) is None:
            self._feed_received(await receive())
        return found

    def _feed_received(self, data: bytes) -> None:
        if not data:
            raise ConnectionError(f"server closed the connection; pending {bytes(self.buffer[:200])!r}")
        self.feed(data)

    def _literal_size(self, line_start: int, eol: int) -> int | None:
        # A continuation request ("+ ...") is text or base64, never a literal (RFC 9051 7.5).
        if self.buffer.startswith(b"+"):
            return None
        match = _LITERAL_AT_END.search(self.buffer, max(line_start, eol - 24), eol)
        return int(match.group(1)) if match is not None else None

    def _incomplete(self, line_start: int) -> None:
        """Remember where to resume, and refuse a runaway answer."""
        self._line_start = line_start
        if len(self.buffer) > self.max_bytes:
            raise ResponseTooLarge(f"more than {self.max_bytes} bytes without a complete response")
