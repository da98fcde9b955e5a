"""Server output as a transcript keeps it: each literal's content replaced by its size.

An answer is written as a list of buffers, and a large FETCH answer is mostly literal content, each
message's octets a buffer of their own. Those buffers are skipped by their length, never joined or
scanned: only the text between them is searched for the next literal announcement. The result is what
searching the joined buffers would give, because an announcement cut by a buffer boundary is carried over
and searched together with the next buffer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import chain, zip_longest
from operator import methodcaller

# A literal announcement at the end of a line of server output: {size} or literal8's ~{size}.
LITERAL = re.compile(rb"\{(\d{1,19})\}\r\n")
_ANNOUNCEMENT = b"{%d}\r\n"
_SIZE = b"<%d octets>"
_count_announcement_ends = methodcaller("count", b"}\r\n")
# The longest announcement less one octet: an announcement cut by a boundary starts this near the end.
_CUT_REACH = len(b"{" + b"9" * 19 + b"}\r\n") - 1


def without_literals(chunks: Sequence[bytes], skip: int) -> tuple[list[bytes], int]:
    """The pieces of ``chunks`` (one stream of output) with every literal's content replaced by
    ``<n octets>``, and how many octets of the last literal are still to come; ``skip`` is that number
    left over from the output before (the rest of a literal that ran on into these chunks)."""
    if not skip:
        whole = _alternating(chunks)
        if whole is not None:
            return [whole], 0
    kept: list[bytes] = []
    carry = b""
    for chunk in chunks:
        if skip:
            if skip >= len(chunk):  # wholly inside a literal
                skip -= len(chunk)
                continue
            chunk = chunk[skip:]
            skip = 0
        data = carry + chunk if carry else chunk
        carry = b""
        position = 0
        while (found := LITERAL.search(data, position)) is not None:
            size = int(found.group(1))
            kept.append(data[position : found.end()])
            kept.append(b"<%d octets>" % size)
            taken = min(size, len(data) - found.end())
            position = found.end() + taken
            skip = size - taken
        if skip:
            continue  # the literal runs on into the next chunks: nothing of this one is left
        cut = data.find(b"{", max(position, len(data) - _CUT_REACH))
        if cut >= 0:
            kept.append(data[position:cut])
            carry = data[cut:]
        else:
            kept.append(data[position:])
    if carry:
        kept.append(carry)
    return kept, skip


def _alternating(chunks: Sequence[bytes]) -> bytes | None:
    """The result for the shape a FETCH answer has, worked out in C: text and literal content alternate,
    each text before a content ends in that content's announcement (its size written plainly) and holds
    no other, and a last text holds none. Then the contents are exactly what the literals skip, and the
    texts, each followed by its content's size, are the result. None for any other shape."""
    texts, contents = chunks[0::2], chunks[1::2]
    if not contents or len(texts) > len(contents) + 1:
        return None
    sizes = list(map(len, contents))
    if not all(map(bytes.endswith, texts, map(_ANNOUNCEMENT.__mod__, sizes))):
        return None
    # Every announcement ends in "}" CRLF: as many of those as contents means no text holds another.
    if sum(map(_count_announcement_ends, texts)) != len(contents):
        return None
    return b"".join(chain.from_iterable(zip_longest(texts, map(_SIZE.__mod__, sizes), fillvalue=b"")))
