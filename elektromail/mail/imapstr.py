"""IMAP string encodings (RFC 9051 4.3): quoted strings where possible, literals otherwise, NIL for absent."""

from __future__ import annotations

import re

NIL = b"NIL"

# A quoted string cannot carry CR, LF or NUL; 8-bit bytes go in literals so IMAP4rev1 clients accept them.
_NEEDS_LITERAL = re.compile(rb"[\x00\r\n\x80-\xff]").search
# Quoted strings this long are legal but clients parse literals faster and some cap quoted length.
MAX_QUOTED = 1024


def string(value: bytes) -> bytes:
    """``value`` as a quoted string, or as a literal when quoting cannot carry it."""
    if len(value) > MAX_QUOTED or _NEEDS_LITERAL(value) is not None:
        if b"\x00" in value:  # a literal cannot carry NUL: U+FFFD stands in, as Dovecot sends it
            value = value.replace(b"\x00", "\ufffd".encode())
        return b"{%d}\r\n%b" % (len(value), value)
    if b"\\" in value or b'"' in value:
        value = value.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
    return b'"' + value + b'"'


def nstring(value: bytes | None) -> bytes:
    return NIL if value is None else string(value)


def literal(value: bytes) -> bytes:
    return b"{%d}\r\n%b" % (len(value), value)
