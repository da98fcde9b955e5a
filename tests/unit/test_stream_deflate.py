"""The deflate coding of event streams, on bytes: Accept-Encoding negotiation, the Adler-32 combination,
and pieces deflated once and shared by streams with different pasts, each a valid zlib stream."""

from __future__ import annotations

import random
import zlib

import pytest

from elektromail.http.stream_deflate import HEADER, DeflateStream, accepts_deflate, adler32_combine, deflated


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        (None, False),
        ("", False),
        ("identity", False),
        ("gzip", False),
        ("deflate", True),
        ("gzip, deflate", True),
        ("gzip, deflate, br, zstd", True),
        ("DEFLATE;Q=0.5", True),
        ("deflate;q=0", False),
        ("deflate ; q=0.000", False),
        ("deflate;q=bad", False),
        ("deflate;q=2", False),
        ("*", True),
        ("gzip;q=1, *;q=0.1", True),
        ("*;q=0", False),
        ("deflate;q=0, *", False),  # named refusal wins over the wildcard
        ("*;q=0, deflate", True),
    ],
)
def test_accept_encoding(value: str | None, accepted: bool) -> None:
    assert accepts_deflate(value) is accepted


def test_adler32_combine_matches_zlib() -> None:
    rng = random.Random(7)
    for _ in range(200):
        data = rng.randbytes(rng.randrange(0, 200_000))
        cut = rng.randrange(0, len(data) + 1)
        first, second = data[:cut], data[cut:]
        combined = adler32_combine(zlib.adler32(first), zlib.adler32(second), len(second))
        assert combined == zlib.adler32(data)
    # Long runs of 0xff push both sums to their largest values.
    high = b"\xff" * 5_552_000
    assert adler32_combine(zlib.adler32(high), zlib.adler32(high), len(high)) == zlib.adler32(high + high)


def frames(first: int, count: int) -> bytes:
    return b"".join(
        b'id: 0f8d-%d\nevent: message.stored\ndata: {"user":"user","mailbox":"INBOX","uid":%d}\n\n' % (n, n)
        for n in range(first, first + count)
    )


def test_shared_pieces_make_valid_streams_whatever_came_before() -> None:
    """Two streams opened at different moments write the same deflated octets for the pieces they share;
    each is one valid zlib stream whose checksum and end zlib itself verifies."""
    opening, keepalive = b"retry: 1000\n\n", b": keep-alive\n\n"
    early, late = DeflateStream(), DeflateStream()
    early_body = HEADER + early.encode(opening, constant=True) + early.encode(frames(1, 3))
    late_body = HEADER + late.encode(opening, constant=True)
    for piece in (frames(4, 1), keepalive, frames(5, 3000), b""):
        shared = early.encode(piece, constant=piece is keepalive)
        assert late.encode(piece, constant=piece is keepalive) is shared
        early_body += shared
        late_body += shared
    early_body += early.end()
    late_body += late.end()
    tail = frames(4, 1) + keepalive + frames(5, 3000)
    for body, expected in ((early_body, opening + frames(1, 3) + tail), (late_body, opening + tail)):
        inflater = zlib.decompressobj()
        assert inflater.decompress(body) == expected
        assert inflater.eof and inflater.unused_data == b""
    assert len(early_body) * 5 < len(opening + frames(1, 3) + tail)


def test_each_piece_inflates_as_soon_as_it_arrives() -> None:
    """A reader gets every event of a piece from that piece's octets alone: nothing waits in the
    compressor for more input, and no piece is final."""
    stream, inflater = DeflateStream(), zlib.decompressobj()
    assert inflater.decompress(HEADER) == b""
    for first in range(1, 50, 7):
        piece = frames(first, 7)
        assert inflater.decompress(stream.encode(piece)) == piece
        assert not inflater.eof
    assert inflater.decompress(stream.end()) == b"" and inflater.eof


def test_a_new_piece_of_equal_octets_is_deflated_anew() -> None:
    piece = frames(1, 2)
    again = bytes(bytearray(piece))  # equal, another object
    assert deflated(piece) is deflated(piece)
    assert deflated(again).octets == deflated(piece).octets


def test_pieces_of_interleaved_streams_are_deflated_once() -> None:
    """Streams of two filters, woken in any order, each write their filter's piece: deflating both once
    serves all of them."""
    first, second = frames(1, 50), frames(100, 50)
    made = deflated(first), deflated(second)
    for _ in range(10):
        assert (deflated(first), deflated(second)) == made
        assert deflated(first) is made[0] and deflated(second) is made[1]
