"""Where an IMAP answer ends, and what it holds, found on raw bytes: the bench client's check of every
answer it is given.

The client notices that an answer may be complete by looking only at the last line in its buffer (does it
start with the tag?); that costs nothing per octet, so the clock stops when the last octet is in. This
module then walks the answer from its start, as a parser would: it skips every literal by its announced
length (never looking inside), finds the first line starting with the tag outside literals, and counts
the untagged responses and the literals' octets on the way, so a workload can check that every message
came back (and an answer that only looked complete at its tail is not taken for one).
"""

from __future__ import annotations

import re
from typing import NamedTuple

_ANNOUNCEMENT = re.compile(rb"\{(\d+)\+?\}\r\n")  # after an optional ~ (literal8), at the end of a line
_LONGEST_ANNOUNCEMENT = 24  # "{" 20 digits "+}" CRLF: a shorter unmatched tail may still be arriving


class Answer(NamedTuple):
    """One command's answer: where its tagged line is, and what came before it."""

    tagged_start: int
    end: int  # just after the tagged line's CRLF
    untagged: int  # lines starting with "* " outside literals
    literals: int
    literal_octets: int


def tail_is_tagged(buffer: bytearray, filled: int, tags: tuple[bytes, ...]) -> bool:
    """Whether ``buffer[:filled]`` ends with a whole line that starts with one of ``tags`` (each with its
    space): only the last line is looked at, so a large answer costs nothing per read."""
    if filled < 2 or buffer[filled - 1] != 0x0A:
        return False
    return buffer.startswith(tags, buffer.rfind(b"\n", 0, filled - 1) + 1)


def locate(buffer: bytes | bytearray, filled: int, tag: bytes) -> Answer | None:
    """The answer to ``tag`` at the start of ``buffer[:filled]``, or None while it is not all there."""
    tagged = tag + b" "
    marker = b"\r\n" + tagged
    untagged = 1 if buffer.startswith(b"* ") else 0
    literals = octets = 0
    pos = 0  # everything before is outside literals and counted
    while True:
        brace = buffer.find(b"{", pos, filled)
        limit = filled if brace < 0 else brace
        if pos == 0 and buffer.startswith(tagged):
            start = 0
        else:
            start = buffer.find(marker, pos, limit)
            start = -1 if start < 0 else start + 2
        if start >= 0:
            eol = buffer.find(b"\r\n", start, filled)
            if eol < 0:
                return None
            untagged += buffer.count(b"\n* ", pos, start)
            return Answer(start, eol + 2, untagged, literals, octets)
        if brace < 0:
            return None
        announced = _ANNOUNCEMENT.match(buffer, brace, filled)
        if announced is None:
            if filled - brace < _LONGEST_ANNOUNCEMENT and buffer.find(b"\n", brace, filled) < 0:
                return None  # an announcement still arriving
            untagged += buffer.count(b"\n* ", pos, brace)
            pos = brace + 1  # a brace in quoted text
            continue
        size = int(announced.group(1))
        after = announced.end() + size
        if after > filled:
            return None
        untagged += buffer.count(b"\n* ", pos, brace)
        literals += 1
        octets += size
        pos = after
