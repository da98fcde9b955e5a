"""The ``deflate`` content coding of an event stream (RFC 9110 8.4.1.2: a zlib stream, RFC 1950), made
once for every stream alike.

A thousand streams that hear every delivery each write every event's frame, and the kernel's copying of
those octets is most of what they cost the server. Frames repeat the same names and values and deflate
about twelve to one. Each piece of frames is deflated on its own, by a fresh compressor ended with a sync
flush: it ends on a byte boundary and refers to nothing written before it, so the same deflated octets
continue any stream, whatever that stream carried before, and the streams woken together share them.
Only the Adler-32 checksum of each stream's zlib trailer is its own; it is combined from the pieces'
checksums in constant time (as zlib's ``adler32_combine``), not computed over each stream's octets.

``deflate`` and not ``gzip``: gzip's trailer is a CRC-32, whose combination costs a matrix product per
piece. Browsers, httpx and curl's ``--compressed`` all accept ``deflate``.
"""

from __future__ import annotations

import zlib
from functools import cache
from typing import NamedTuple

from elektromail.http.piece_memo import PieceMemo

CODING = "deflate"
# A zlib stream's header (RFC 1950 2.2): deflate with a 32 KiB window, the fastest level, no dictionary.
HEADER = b"\x78\x01"
# An empty final block with fixed codes: where the deflate data ends and the trailer begins.
_FINAL_BLOCK = b"\x03\x00"
_ADLER_BASE = 65521  # the largest prime below 2**16 (RFC 1950 8.2)


def accepts_deflate(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` field value (RFC 9110 12.5.3) accepts ``deflate``: named with a
    weight above 0, or not named while ``*`` is. No field means the identity coding is sent: a client
    that did not ask (curl without ``--compressed``) gets what it can read."""
    if not accept_encoding:
        return False
    wildcard: bool | None = None
    for member in accept_encoding.split(","):
        coding, _, parameters = member.partition(";")
        coding = coding.strip().lower()
        if coding not in (CODING, "*"):
            continue
        accepted = _weight(parameters) > 0
        if coding == CODING:
            return accepted
        wildcard = accepted
    return bool(wildcard)


def _weight(parameters: str) -> float:
    """The ``q`` of a member's parameters (1 when absent); an unreadable weight counts as 0."""
    for parameter in parameters.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                weight = float(value.strip())
            except ValueError:
                return 0.0
            return weight if 0 <= weight <= 1 else 0.0
    return 1.0


def adler32_combine(first: int, second: int, second_length: int) -> int:
    """The Adler-32 of two pieces of data one after the other, from the checksum of each and the
    length of the second."""
    remainder = second_length % _ADLER_BASE
    low = (first & 0xFFFF) + (second & 0xFFFF) + _ADLER_BASE - 1
    high = (remainder * (first & 0xFFFF)) % _ADLER_BASE
    high += (first >> 16) + (second >> 16) + _ADLER_BASE - remainder
    return (low % _ADLER_BASE) | ((high % _ADLER_BASE) << 16)


class Deflated(NamedTuple):
    octets: bytes  # the piece's deflate blocks, ending on a byte boundary, not final
    adler: int  # the Adler-32 of the piece itself
    length: int  # its length before deflating


def _deflate(piece: bytes) -> Deflated:
    compressor = zlib.compressobj(zlib.Z_BEST_SPEED, zlib.DEFLATED, -zlib.MAX_WBITS)
    octets = compressor.compress(piece) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return Deflated(octets, zlib.adler32(piece), len(piece))


_constant = cache(_deflate)  # the opening and the keep-alive, the same on every stream
_recent = PieceMemo(_deflate)  # the pieces of frames deflated lately


def deflated(piece: bytes, constant: bool = False) -> Deflated:
    """``piece`` deflated on its own, once for every stream that writes the same piece."""
    return _constant(piece) if constant else _recent(piece)


class DeflateStream:
    """One response body in the ``deflate`` coding: :data:`HEADER`, then each piece's shared deflated
    octets from :meth:`encode`, then :meth:`end`."""

    __slots__ = ("_adler",)

    def __init__(self) -> None:
        self._adler = 1  # the Adler-32 of nothing

    def encode(self, piece: bytes, constant: bool = False) -> bytes:
        made = deflated(piece, constant)
        self._adler = adler32_combine(self._adler, made.adler, made.length)
        return made.octets

    def end(self) -> bytes:
        """The end of the deflate data and the zlib trailer: the Adler-32 of everything encoded."""
        return _FINAL_BLOCK + self._adler.to_bytes(4, "big")
