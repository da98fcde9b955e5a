"""Encoding of IMAP response data (RFC 9051 4 and 7): strings, lists, flags, mailbox names, status lines."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from elektromail.imap.engine import mutf7
from elektromail.imap.engine.parser import ATOM_CHARS, MONTHS

_QUOTABLE = frozenset(range(0x20, 0x7F)) | frozenset(range(0x80, 0x100))
_ATOM_CHARS = ATOM_CHARS


def quoted(text: bytes) -> bytes:
    return b'"' + text.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'


def literal(data: bytes) -> bytes:
    return b"{%d}\r\n" % len(data) + data


def string(data: bytes) -> bytes:
    """A quoted string when the bytes allow it (no CR, LF, NUL, short), a literal otherwise."""
    if len(data) <= 1024 and all(byte in _QUOTABLE for byte in data):
        return quoted(data)
    return literal(data)


def nstring(data: bytes | None) -> bytes:
    return b"NIL" if data is None else string(data)


def astring(data: bytes) -> bytes:
    if data and all(byte in _ATOM_CHARS for byte in data) and data.upper() != b"NIL":
        return data
    return string(data)


def text(value: str) -> bytes:
    """Human-readable resp-text: one line, no CR/LF."""
    return value.replace("\r", " ").replace("\n", " ").encode("utf-8")


def flag_list(flags: Iterable[str]) -> bytes:
    return b"(" + " ".join(flags).encode("utf-8") + b")"


def mailbox_name(name: str, utf8: bool) -> bytes:
    """How a mailbox name goes on the wire: UTF-8 after ENABLE, modified UTF-7 for rev1 clients."""
    wire = name.encode("utf-8") if utf8 else mutf7.encode(name).encode("ascii")
    return string(wire)


def date_time(value: datetime) -> bytes:
    """RFC 9051 9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz"."""
    offset = value.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return (
        f'"{value.day:02d}-{MONTHS[value.month - 1]}-{value.year:04d} '
        f'{value.hour:02d}:{value.minute:02d}:{value.second:02d} {sign}{hours:02d}{mins:02d}"'
    ).encode("ascii")


def code(name: str, *args: str | int) -> str:
    """A response code with its arguments, e.g. ``code(UIDNEXT, 5)`` -> ``UIDNEXT 5``."""
    return " ".join([name, *(str(arg) for arg in args)])


def sequence_text(numbers: list[int]) -> bytes:
    """Ascending numbers as a compact sequence set: 1:3,5,7:8."""
    out: list[bytes] = []
    start = previous = numbers[0]
    for number in numbers[1:]:
        if number == previous + 1:
            previous = number
            continue
        out.append(b"%d" % start if start == previous else b"%d:%d" % (start, previous))
        start = previous = number
    out.append(b"%d" % start if start == previous else b"%d:%d" % (start, previous))
    return b",".join(out)
