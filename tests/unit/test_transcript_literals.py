"""Literal contents left out of recorded server output: buffer by buffer, exactly as over the joined
output, however the output is cut into buffers (announcements cut in two included)."""

from __future__ import annotations

import random
from itertools import pairwise

from elektromail.transcripts.literals import without_literals


def _reference(data: bytes, skip: int) -> tuple[bytes, int]:
    """The definition, over the joined output: each ``{n}`` CRLF keeps its line and stands for n octets."""
    out = bytearray()
    position = min(skip, len(data))
    skip -= position
    while True:
        start = data.find(b"{", position)
        end = data.find(b"}\r\n", start) if start >= 0 else -1
        digits = data[start + 1 : end] if end >= 0 else b""
        if start < 0:
            break
        if not (digits.isdigit() and len(digits) <= 19 and digits.isascii()):
            out += data[position : start + 1]
            position = start + 1
            continue
        size = int(digits)
        out += data[position : end + 3] + b"<%d octets>" % size
        taken = min(size, len(data) - end - 3)
        position = end + 3 + taken
        skip = size - taken
    out += data[position:]
    return bytes(out), skip


def _answer(rng: random.Random) -> bytes:
    parts = []
    for number in range(1, rng.randint(1, 6)):
        content = bytes(rng.choice(b"ab{}0123\r\n ") for _ in range(rng.randint(0, 40)))
        parts.append(b"* %d FETCH (BODY[] {%d}\r\n" % (number, len(content)) + content + b")\r\n")
        if rng.random() < 0.3:
            parts.append(b"* OK text with {braces} and {12} but no CRLF\r\n")
    return b"".join(parts) + b"t1 OK FETCH completed\r\n"


def _cut(data: bytes, rng: random.Random) -> list[bytes]:
    cuts = sorted(rng.sample(range(len(data) + 1), min(len(data) + 1, rng.randint(0, 12))))
    edges = [0, *cuts, len(data)]
    return [data[low:high] for low, high in pairwise(edges)]


def test_any_cutting_gives_what_the_joined_output_gives() -> None:
    rng = random.Random(9051)
    for _ in range(3000):
        data = _answer(rng)
        skip = rng.choice([0, 0, 0, 3, 50])
        expected = _reference(data, skip)
        kept, left = without_literals(_cut(data, rng), skip)
        assert (b"".join(kept), left) == expected, (data, skip)


def test_a_literal_buffer_is_skipped_and_a_literal_may_run_on() -> None:
    content = b"x" * 4096
    kept, left = without_literals(
        [b"* 1 FETCH (BODY[] {4096}\r\n", content, b")\r\n* 2 FETCH (BODY[] {10}\r\n", b"abc"], 0
    )
    assert b"".join(kept) == b"* 1 FETCH (BODY[] {4096}\r\n<4096 octets>)\r\n* 2 FETCH (BODY[] {10}\r\n<10 octets>"
    assert left == 7
    kept, left = without_literals([b"defg", b"hij)\r\nt OK done\r\n"], left)
    assert (b"".join(kept), left) == (b")\r\nt OK done\r\n", 0)


def test_an_announcement_cut_in_two_is_found() -> None:
    kept, left = without_literals([b"* 1 FETCH (BODY[] {1", b"2}", b"\r\n", b"0123456789ab)\r\n"], 0)
    assert (b"".join(kept), left) == (b"* 1 FETCH (BODY[] {12}\r\n<12 octets>)\r\n", 0)


def _fetch_shaped(rng: random.Random) -> list[bytes]:
    """A FETCH answer's buffers as the one-pass answer makes them, sometimes with a shape it never has."""
    chunks: list[bytes] = []
    closing = b""
    for number in range(1, rng.randint(1, 8)):
        content = bytes(rng.choice(b"ab{}0123\r\n ") for _ in range(rng.randint(0, 30)))
        size = b"%d" % len(content)
        if rng.random() < 0.05:
            size = b"0" + size  # not written plainly
        head = closing + b"* %d FETCH (BODY[] {" % number + size + b"}\r\n"
        if rng.random() < 0.05:
            head = b"* OK {3}\r\nabc" + head  # a second literal inside a text
        chunks.append(head)
        if content or rng.random() < 0.5:
            chunks.append(content)
        closing = b")\r\n"
    if rng.random() < 0.7:
        chunks.append(closing + (b"* OK {2}\r\nxy" if rng.random() < 0.1 else b""))
    return chunks


def test_fetch_shaped_output_gives_what_the_joined_output_gives() -> None:
    rng = random.Random(3501)
    for _ in range(3000):
        chunks = _fetch_shaped(rng)
        skip = rng.choice([0, 0, 0, 2])
        kept, left = without_literals(chunks, skip)
        assert (b"".join(kept), left) == _reference(b"".join(chunks), skip), (chunks, skip)
