"""A raw SMTP client over a real socket, for tests that need exact bytes, pipelining or broken input."""

from __future__ import annotations

import socket
import time
from types import TracebackType
from typing import Self

from elektromail import ServerThread
from tests.servers import client_host

READ_TIMEOUT = 5.0


class Wire:
    """Sends bytes as given and reads replies one at a time (multi-line replies joined)."""

    def __init__(self, port: int, timeout: float = READ_TIMEOUT, read_greeting: bool = True) -> None:
        self.sock = socket.create_connection((client_host(), port), timeout=timeout)
        self.pending = b""
        self.greeting = self.reply() if read_greeting else (0, "")

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def line(self) -> bytes:
        while b"\r\n" not in self.pending:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed by server; unread: {self.pending!r}")
            self.pending += chunk
        line, _, self.pending = self.pending.partition(b"\r\n")
        return line

    def reply(self) -> tuple[int, str]:
        """One reply: its code and its text lines joined with newlines (without codes)."""
        texts = []
        while True:
            line = self.line()
            texts.append(line[4:].decode())
            if line[3:4] != b"-":
                return int(line[:3]), "\n".join(texts)

    def command(self, line: str | bytes) -> tuple[int, str]:
        self.send((line.encode() if isinstance(line, str) else line) + b"\r\n")
        return self.reply()

    def code(self, line: str | bytes) -> int:
        return self.command(line)[0]

    def at_eof(self, timeout: float = READ_TIMEOUT) -> bool:
        """True once the server has closed the connection (and sent nothing more)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                return True
            if not chunk:
                return True
            self.pending += chunk
        return False

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def stored(server: ServerThread, user: str) -> list[bytes]:
    """The raw bytes of every message in ``user``'s INBOX, read on the server's own loop."""

    async def read() -> list[bytes]:
        account = server.server.store.account(user)
        return [] if account is None else [message.source for message in account.inbox.messages]

    result: list[bytes] = server.call(read)
    return result


def user_names(server: ServerThread) -> set[str]:
    async def read() -> set[str]:
        return {account.name for account in server.server.store.accounts()}

    result: set[str] = server.call(read)
    return result
