"""A small IMAP client that keeps every octet of the answers, and a parser of FETCH data items.

The differential suite compares answers item by item, so it needs the exact response bytes (imaplib
splits literals and hides tagged texts) and a reading of each item that treats a quoted string and a
literal with the same octets as the same string (servers may choose either, RFC 9051 4.3).
"""

from __future__ import annotations

import re
import socket
from typing import NamedTuple

from tests.imap_wire import ResponseReader

TIMEOUT = 30.0

# A parsed value: an atom (str), a string (bytes), NIL (None) or a parenthesised list.
Value = str | bytes | None | list["Value"]


class Reply(NamedTuple):
    untagged: list[bytes]  # each untagged response, literals inline, without the final CRLF
    status: str  # OK, NO or BAD
    text: bytes


class Client:
    """One connection: send a command, read every line up to its tagged response."""

    def __init__(self, port: int, user: str = "user", password: str = "pass") -> None:
        self.port, self.user, self.password = port, user, password
        self.counter = 0
        self._connect()

    def _connect(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT)
        self.wire = ResponseReader()
        self._line()  # greeting
        reply = self.command(b'LOGIN "%b" "%b"' % (self.user.encode(), self.password.encode()))
        if reply.status != "OK":
            raise RuntimeError(f"login refused: {reply.text!r}")

    def reconnect(self) -> None:
        """A new connection with INBOX selected, after the server closed the last one."""
        self.sock.close()
        self._connect()
        self.command(b"SELECT INBOX")

    def close(self) -> None:
        try:
            self.command(b"LOGOUT")
        finally:
            self.sock.close()

    def _receive(self) -> bytes:
        return self.sock.recv(1 << 20)

    def _line(self) -> bytes:
        """One response line with its literals, as sent (CRLF kept inside literals, dropped at the end)."""
        return self.wire.read(self.wire.response, self._receive)

    def command(self, text: bytes, literal: bytes | None = None, literal8: bool = False) -> Reply:
        """Send ``tag text`` (with ``literal`` after it, synchronising) and collect the answer."""
        self.counter += 1
        tag = b"d%d" % self.counter
        if literal is None:
            self.sock.sendall(tag + b" " + text + b"\r\n")
        else:
            self.sock.sendall(tag + b" " + text + (b" ~{%d}\r\n" if literal8 else b" {%d}\r\n") % len(literal))
            line = self._line()
            if not line.startswith(b"+"):
                return _tagged(line, [])
            self.sock.sendall(literal + b"\r\n")
        untagged: list[bytes] = []
        while True:
            line = self._line()
            if line.startswith(tag + b" "):
                return _tagged(line[len(tag) + 1 :], untagged)
            untagged.append(line)


def _tagged(rest: bytes, untagged: list[bytes]) -> Reply:
    status, _, text = rest.partition(b" ")
    return Reply(untagged, status.decode("ascii", "replace").upper(), text)


class Parser:
    """Reads IMAP values (RFC 9051 4) from one response line."""

    def __init__(self, data: bytes, pos: int = 0) -> None:
        self.data = data
        self.pos = pos

    def skip_space(self) -> None:
        while self.pos < len(self.data) and self.data[self.pos] == 0x20:
            self.pos += 1

    def value(self) -> Value:
        self.skip_space()
        data = self.data
        ch = data[self.pos : self.pos + 1]
        if ch == b"(":
            self.pos += 1
            items: list[Value] = []
            while True:
                self.skip_space()
                if self.data[self.pos : self.pos + 1] == b")":
                    self.pos += 1
                    return items
                if self.pos >= len(self.data):
                    raise ValueError("unterminated list")
                items.append(self.value())
        if ch == b'"':
            out = bytearray()
            self.pos += 1
            while data[self.pos : self.pos + 1] != b'"':
                if data[self.pos : self.pos + 1] == b"\\":
                    self.pos += 1
                out += data[self.pos : self.pos + 1]
                self.pos += 1
                if self.pos >= len(data):
                    raise ValueError("unterminated quoted string")
            self.pos += 1
            return bytes(out)
        if ch in (b"{", b"~"):
            match = re.compile(rb"~?\{(\d+)\}\r\n").match(data, self.pos)
            if match is None:
                raise ValueError(f"bad literal at {self.pos}")
            size = int(match.group(1))
            self.pos = match.end() + size
            return data[match.end() : self.pos]
        start = self.pos
        while self.pos < len(data) and data[self.pos : self.pos + 1] not in b" ()":
            if data[self.pos : self.pos + 1] == b"[":  # BODY[...] labels keep their brackets whole
                self.pos = data.index(b"]", self.pos)
            self.pos += 1
        atom = data[start : self.pos].decode("latin-1")
        return None if atom.upper() == "NIL" else atom


def fetch_items(line: bytes) -> tuple[int, dict[str, Value]]:
    """``* n FETCH (label value ...)`` -> (n, {LABEL: value}); labels upper-cased."""
    match = re.match(rb"\* (\d+) FETCH ", line)
    if match is None:
        raise ValueError(f"not a FETCH response: {line[:80]!r}")
    parsed = Parser(line, match.end()).value()
    if not isinstance(parsed, list) or len(parsed) % 2:
        raise ValueError(f"odd FETCH item list: {line[:200]!r}")
    items: dict[str, Value] = {}
    for label, value in zip(parsed[::2], parsed[1::2], strict=True):
        if not isinstance(label, str):
            raise ValueError(f"FETCH label is not an atom: {label!r}")
        items[label.upper()] = value
    return int(match.group(1)), items


def canonical(value: Value) -> str:
    """One text form per value: strings quoted with escapes (8-bit and controls as \\xNN), lists in parens."""
    if value is None:
        return "NIL"
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        return '"' + value.decode("latin-1").encode("unicode_escape").decode("ascii").replace('"', '\\"') + '"'
    return "(" + " ".join(canonical(item) for item in value) + ")"
