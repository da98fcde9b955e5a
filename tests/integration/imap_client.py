"""IMAP helpers for tests: a small raw client that sends exact bytes and reads responses (following
literals), and reading a whole INBOX with imaplib."""

from __future__ import annotations

import imaplib
import socket
import time
from collections.abc import Iterator
from types import TracebackType
from typing import Self

from tests.imap_wire import ResponseReader
from tests.servers import client_host

TIMEOUT = 5.0


class RawImap:
    def __init__(self, port: int, host: str | None = None) -> None:
        self.sock = socket.create_connection((host or client_host(), port), timeout=TIMEOUT)
        self.wire = ResponseReader()
        self.greeting = self.read_response()
        self._tag = 0

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _receive(self) -> bytes:
        return self.sock.recv(65536)

    def read_line(self) -> bytes:
        """One line as sent, without its CRLF (a literal it announces is left to be read)."""
        return self.wire.read(self.wire.line, self._receive)

    def read_response(self) -> bytes:
        """One response line with any literals it carries inlined (``{n}`` CRLF data ...)."""
        return self.wire.read(self.wire.response, self._receive)

    def next_tag(self) -> str:
        self._tag += 1
        return f"t{self._tag}"

    def command(self, text: str | bytes, tag: str | None = None) -> list[bytes]:
        """Send ``tag text`` and return every response up to and including the tagged one."""
        tag = tag or self.next_tag()
        data = text.encode() if isinstance(text, str) else text
        self.send(tag.encode() + b" " + data + b"\r\n")
        return self.until_tagged(tag)

    def until_tagged(self, tag: str) -> list[bytes]:
        lines = []
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            line = self.read_response()
            lines.append(line)
            if line.startswith(tag.encode() + b" "):
                return lines
        raise TimeoutError(f"no tagged response for {tag}")

    def login(self, user: str = "user", password: str = "pass") -> None:
        assert self.command(f"LOGIN {user} {password}")[-1].split()[1] == b"OK"


def status_of(lines: list[bytes]) -> bytes:
    """The status word (OK/NO/BAD) of the tagged line that ends ``lines``."""
    return lines[-1].split(b" ", 2)[1]


def inbox_over_imap(port: int, user: str, password: str) -> list[bytes]:
    """Every message in ``user``'s INBOX as IMAP serves it (works against any server, in-process or not)."""
    imap = imaplib.IMAP4(client_host(), port, timeout=10)
    try:
        imap.login(user, password)
        typ, data = imap.select("INBOX", readonly=True)
        assert typ == "OK", data
        if data[0] == b"0":
            return []
        typ, fetched = imap.fetch("1:*", "(BODY.PEEK[])")
        assert typ == "OK", fetched
        return [item[1] for item in fetched if isinstance(item, tuple)]
    finally:
        imap.logout()


def inbox_with(port: int, messages: list[tuple[str, bytes]]) -> Iterator[imaplib.IMAP4]:
    """A logged-in imaplib client with ``messages`` (internal date, bytes) APPENDed and INBOX selected;
    logged out when the generator is closed (for use as the body of a fixture)."""
    client = imaplib.IMAP4(client_host(), port, timeout=10)
    client.login("user", "pass")
    for date, message in messages:
        assert client.append("INBOX", None, date, message)[0] == "OK"
    client.select("INBOX")
    yield client
    client.logout()
