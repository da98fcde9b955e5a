"""A small raw IMAP client for the compliance harness: blocking sockets, exact bytes, every response kept.

It sends commands exactly as written, handles synchronizing literals (waits for ``+``), reads responses
with their literals, and returns every untagged response a command produced with its tagged completion.
"""

from __future__ import annotations

import itertools
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.imap_wire import ResponseReader
from tests.rfc9051.response import Response, fetch_items, parse_response, parse_sequence_set


class ImapError(AssertionError):
    """A command did not complete with the expected status; carries the whole exchange for the report."""


class Literal:
    """A synchronizing literal argument (RFC 9051 4.3): sent after the server's continuation request."""

    def __init__(self, data: bytes, *, binary: bool = False) -> None:
        self.data = data
        self.binary = binary


def quote(text: str) -> str:
    """An IMAP quoted string (RFC 9051 4.3) for text without CR/LF."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Result:
    """A tagged completion and the untagged responses that came before it."""

    command: bytes
    tagged: Response
    untagged: list[Response] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.tagged.status or ""

    def check(self, status: str = "OK") -> Result:
        if self.tagged.status != status:
            raise ImapError(f"expected {status}, got: {self.tagged.raw!r}\ncommand: {self.command!r}")
        return self

    def of_kind(self, kind: str) -> list[Response]:
        return [response for response in self.untagged if response.kind == kind.upper()]

    def one(self, kind: str) -> Response:
        found = self.of_kind(kind)
        if len(found) != 1:
            raise ImapError(f"expected one {kind} response, got {found!r}")
        return found[0]

    def numbered(self, kind: str) -> list[int]:
        return [response.number for response in self.of_kind(kind) if response.number is not None]

    def fetches(self) -> dict[int, dict[str, object]]:
        """FETCH responses merged per sequence number (a server may split one message's items)."""
        merged: dict[int, dict[str, object]] = {}
        for response in self.of_kind("FETCH"):
            assert response.number is not None
            merged.setdefault(response.number, {}).update(fetch_items(response))
        return merged

    def codes(self) -> set[str]:
        return {response.code for response in [*self.untagged, self.tagged] if response.code}

    def code_response(self, code: str) -> Response | None:
        for response in [self.tagged, *self.untagged]:
            if response.code == code:
                return response
        return None


class ImapClient:
    """One IMAP connection. Not thread-safe; one command at a time unless a test pipelines on purpose."""

    def __init__(self, host: str, port: int, *, tls: bool = False, timeout: float = 10.0) -> None:
        self.host = host
        self.timeout = timeout
        raw = socket.create_connection((host, port), timeout=timeout)
        self.sock: socket.socket = raw
        if tls:
            self.sock = _client_context().wrap_socket(raw, server_hostname=host)
        self.wire = ResponseReader()
        self._tags = (f"h{number:04d}" for number in itertools.count(1))
        self.capabilities: set[str] = set()
        self.greeting = self.read_response()
        self._note_capabilities(self.greeting)
        self.closed = False
        self.rev2_enabled = False

    # ---------------------------------------------------------------- low level

    def next_tag(self) -> str:
        return next(self._tags)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _receiver(self, deadline: float) -> Callable[[], bytes]:
        def receive() -> bytes:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pending = bytes(self.wire.buffer[:200])
                raise TimeoutError(f"no complete response within {self.timeout}s; have {pending!r}")
            self.sock.settimeout(remaining)
            return self.sock.recv(65536)

        return receive

    def read_raw_response(self, timeout: float | None = None) -> bytes:
        """One response's bytes: the line, and for each literal it announces, the literal and the rest."""
        deadline = time.monotonic() + (timeout if timeout is not None else self.timeout)
        return self.wire.read(self.wire.response, self._receiver(deadline))

    def read_response(self, timeout: float | None = None) -> Response:
        return parse_response(self.read_raw_response(timeout))

    def has_pending(self, wait: float = 0.0) -> bool:
        """Whether the server sent anything not yet read (waiting up to ``wait`` seconds)."""
        if self.wire.pending:
            return True
        self.sock.settimeout(wait if wait > 0 else 0.001)
        try:
            chunk = self.sock.recv(65536)
        except (TimeoutError, BlockingIOError, ssl.SSLWantReadError):
            return False
        finally:
            self.sock.settimeout(self.timeout)
        if not chunk:
            return False
        self.wire.feed(chunk)
        return True

    # ---------------------------------------------------------------- commands

    def command(self, *parts: str | bytes | Literal, tag: str | None = None) -> Result:
        """Send ``tag parts...`` (joined by spaces; Literal parts as synchronizing literals), await completion."""
        tag = tag or self.next_tag()
        pending = tag.encode()
        sent = bytearray()
        for part in parts:
            if isinstance(part, Literal):
                prefix = b"~" if part.binary else b""
                pending += b" " + prefix + b"{%d}\r\n" % len(part.data)
                self.send(pending)
                sent += pending
                continuation = self._await_continuation(tag, bytes(sent))
                if isinstance(continuation, Result):
                    return continuation
                pending = part.data
            else:
                pending += b" " + (part.encode() if isinstance(part, str) else part)
        pending += b"\r\n"
        self.send(pending)
        sent += pending
        return self.complete(tag, bytes(sent))

    def _await_continuation(self, tag: str, sent: bytes) -> Result | None:
        untagged: list[Response] = []
        while True:
            response = self.read_response()
            if response.tag == "+":
                return None
            if response.tag == tag:
                return Result(sent, response, untagged)
            self._note_capabilities(response)
            untagged.append(response)

    def complete(self, tag: str, sent: bytes = b"", timeout: float | None = None) -> Result:
        """Read responses until the tagged completion of ``tag``."""
        untagged: list[Response] = []
        while True:
            response = self.read_response(timeout)
            if response.tag == tag:
                self._note_capabilities(response)
                return Result(sent, response, untagged)
            if response.untagged and response.status == "BAD":
                # RFC 9051 7.1.3: an untagged BAD means the server could not tell which command it
                # belongs to, so this command's tagged completion will never come.
                raise ImapError(f"untagged BAD instead of a completion: {response.raw!r}\ncommand: {sent!r}")
            self._note_capabilities(response)
            untagged.append(response)

    def ok(self, *parts: str | bytes | Literal) -> Result:
        return self.command(*parts).check("OK")

    def _note_capabilities(self, response: Response) -> None:
        if response.kind == "CAPABILITY":
            self.capabilities = {str(item).upper() for item in response.data}
        elif response.code == "CAPABILITY":
            self.capabilities = {str(item).upper() for item in response.code_args}

    # ---------------------------------------------------------------- conveniences used by many tests

    def refresh_capabilities(self) -> set[str]:
        self.ok("CAPABILITY")
        return self.capabilities

    def login(self, user: str, password: str) -> Result:
        return self.ok("LOGIN", quote(user), quote(password))

    def enable_rev2(self) -> None:
        if "IMAP4REV2" in self.capabilities:
            result = self.ok("ENABLE", "IMAP4rev2")
            enabled = {str(item).upper() for response in result.of_kind("ENABLED") for item in response.data}
            self.rev2_enabled = "IMAP4REV2" in enabled

    def append(self, mailbox: str, message: bytes, flags: str = "", date: str = "") -> Result:
        parts: list[str | bytes | Literal] = ["APPEND", quote(mailbox)]
        if flags:
            parts.append(f"({flags})")
        if date:
            parts.append(quote(date))
        parts.append(Literal(message))
        return self.command(*parts).check("OK")

    def search(self, criteria: str, *, uid: bool = False) -> list[int]:
        """The matching numbers, read from ESEARCH ALL or a plain SEARCH response, whichever the server sent."""
        prefix = "UID SEARCH" if uid else "SEARCH"
        result = self.ok(prefix, "RETURN (ALL)", criteria)
        return search_numbers(result)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            self.sock.settimeout(2.0)
            self.sock.sendall(b"zz LOGOUT\r\n")
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline:
                if not self.sock.recv(65536):
                    break
        except OSError:
            pass
        finally:
            self.sock.close()


def search_numbers(result: Result) -> list[int]:
    numbers: list[int] = []
    for response in result.untagged:
        if response.kind == "SEARCH":
            numbers.extend(item for item in response.data if isinstance(item, int))
        elif response.kind == "ESEARCH":
            numbers.extend(esearch_all(response))
    return sorted(numbers)


def esearch_all(response: Response) -> list[int]:
    """The ALL set of an ESEARCH response (RFC 9051 7.3.4), or no numbers when it has none."""
    data = list(response.data)
    if data and isinstance(data[0], list):  # (TAG "x")
        data = data[1:]
    if data and isinstance(data[0], str) and data[0].upper() == "UID":
        data = data[1:]
    for index in range(0, len(data) - 1, 2):
        name = data[index]
        if isinstance(name, str) and name.upper() == "ALL":
            return parse_sequence_set(str(data[index + 1]))
    return []


def esearch_items(response: Response) -> dict[str, object]:
    """The return items of an ESEARCH response keyed by upper-cased name (MIN, MAX, COUNT, ALL)."""
    data = list(response.data)
    if data and isinstance(data[0], list):
        data = data[1:]
    if data and isinstance(data[0], str) and data[0].upper() == "UID":
        data = data[1:]
    return {str(data[index]).upper(): data[index + 1] for index in range(0, len(data) - 1, 2)}


def _client_context() -> ssl.SSLContext:
    # The harness checks protocol behaviour, not certificates: test servers use self-signed ones.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def starttls(client: ImapClient) -> None:
    """Wrap an open connection in TLS after a successful STARTTLS (RFC 9051 6.2.1)."""
    client.sock = _client_context().wrap_socket(client.sock, server_hostname=client.host)
