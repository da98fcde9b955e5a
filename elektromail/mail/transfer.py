"""Content-Transfer-Encoding decoding (RFC 2045 6.7, 6.8) for BINARY (RFC 3516) and SEARCH text."""

from __future__ import annotations

import base64
import binascii
import re

IDENTITY_ENCODINGS = (b"", b"7bit", b"8bit", b"binary")
_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")
_QP_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")


class UnknownTransferEncoding(Exception):
    """BINARY of a part whose Content-Transfer-Encoding cannot be decoded (RFC 3516 4.3: [UNKNOWN-CTE])."""


def _unescape(match: re.Match[bytes]) -> bytes:
    return bytes((int(match.group(1), 16),))


def decode_quoted_printable(data: bytes) -> bytes:
    """RFC 2045 6.7: white space at the end of a line is transport padding and goes (rule 3); a line
    ending in ``=`` is a soft line break and joins the next (rule 5); ``=XX`` is an octet (rule 1).
    An ``=`` not followed by two hex digits is kept as it is, as note (1) asks of a robust decoder."""
    lines = data.split(b"\r\n")
    out = bytearray()
    last = len(lines) - 1
    for index, line in enumerate(lines):
        line = line.rstrip(b" \t")
        soft = line.endswith(b"=")
        if soft:
            line = line[:-1]
        out += _QP_ESCAPE.sub(_unescape, line) if b"=" in line else line
        if not soft and index < last:
            out += b"\r\n"
    return bytes(out)


def decode_base64(data: bytes) -> bytes:
    """RFC 2045 6.8: characters outside the alphabet are ignored and ``=`` ends the data."""
    cleaned = _NOT_BASE64.sub(b"", data.split(b"=", 1)[0])
    if len(cleaned) % 4 == 1:  # a lone last character carries no whole octet
        cleaned = cleaned[:-1]
    return base64.b64decode(cleaned + b"=" * (-len(cleaned) % 4))


def decode_transfer_encoding(encoding: bytes, data: bytes) -> bytes:
    """Undo base64 or quoted-printable; identity encodings pass through; others raise."""
    kind = encoding.lower().strip()
    if kind in IDENTITY_ENCODINGS:
        return data
    if kind == b"base64":
        try:
            return decode_base64(data)
        except binascii.Error as exc:  # pragma: no cover - cleaned input is always decodable
            raise UnknownTransferEncoding(str(exc)) from exc
    if kind == b"quoted-printable":
        return decode_quoted_printable(data)
    raise UnknownTransferEncoding(encoding.decode("latin-1"))
