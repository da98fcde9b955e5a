"""Reading message content: the DATA section (RFC 5321 4.1.1.4, 4.5.2: terminator, dot-unstuffing and
limits) and BDAT chunks (RFC 3030: a counted run of octets).

The section ends only at ``CRLF . CRLF``. A bare LF never ends it and never starts a line for
unstuffing, so ``LF . LF`` and ``LF . CRLF`` stay inside the message (no SMTP smuggling). Once the message
is known to exceed the size limit its bytes are dropped as they arrive, keeping only enough to find the
terminator, so an oversized message costs no memory and the connection stays in step.
"""

from __future__ import annotations

from elektromail.smtp import replies
from elektromail.smtp.limits import TEXT_LINE_MAX
from elektromail.smtp.replies import Reply

TERMINATOR = b"\r\n.\r\n"
EMPTY_MESSAGE_TERMINATOR = b".\r\n"  # the terminator right after the DATA reply: an empty message
_STUFFED_LINE_START = b"\r\n."
# Bytes of possible terminator kept at the end when an oversized message's bytes are dropped.
_TAIL = len(TERMINATOR) - 1


class DataReader:
    """Collects one message from the session's input buffer; one reader per DATA command."""

    __slots__ = ("max_size", "oversized", "_scan", "_dots", "_dot_scan")

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self.oversized = False
        self._scan = 0  # where the terminator search resumes
        self._dots = 0  # stuffing dots seen so far, so the unstuffed size is known while reading
        self._dot_scan = 0  # where counting stuffing dots resumes

    def feed(self, buffer: bytearray) -> bytes | Reply | None:
        """Take the message and its terminator off the front of ``buffer`` once it is complete.

        Returns the unstuffed message (ending in CRLF unless empty), or the error reply when the message
        broke a limit, or None while more input is needed. Bytes after the terminator (pipelined commands)
        stay in ``buffer``.
        """
        if not self.oversized and buffer[:3] == EMPTY_MESSAGE_TERMINATOR:
            del buffer[:3]
            return b""
        end = buffer.find(TERMINATOR, self._scan)
        if end < 0:
            self._scan = max(0, len(buffer) - _TAIL)
            if not self.oversized:
                self._count_dots(buffer)
                # At most one more dot (the first line's) and a partial terminator are still to be removed.
                if len(buffer) - self._dots - 2 > self.max_size:
                    self.oversized = True
            if self.oversized and len(buffer) > _TAIL:
                del buffer[:-_TAIL]
                self._scan = 0
            return None
        if self.oversized:
            del buffer[: end + len(TERMINATOR)]
            return replies.MESSAGE_TOO_BIG
        raw = bytes(buffer[: end + 2])  # the message keeps the CRLF that precedes the terminator
        del buffer[: end + len(TERMINATOR)]
        if len(raw) >= TEXT_LINE_MAX and longest_line(raw) > TEXT_LINE_MAX:
            return replies.TEXT_LINE_TOO_LONG
        message = unstuff(raw)
        if len(message) > self.max_size:
            return replies.MESSAGE_TOO_BIG
        return message

    def _count_dots(self, buffer: bytearray) -> None:
        self._dots += buffer.count(_STUFFED_LINE_START, self._dot_scan)
        # A match may start in the last two bytes without being complete yet: look there again next time.
        self._dot_scan = max(self._dot_scan, len(buffer) - 2)


def unstuff(raw: bytes) -> bytes:
    """RFC 5321 4.5.2: drop the leading dot of every line that starts with one."""
    if raw[:1] == b".":
        raw = raw[1:]
    if _STUFFED_LINE_START in raw:
        raw = raw.replace(_STUFFED_LINE_START, b"\r\n")
    return raw


def longest_line(raw: bytes) -> int:
    """Length of the longest line including its line end (any LF ends a line for this count)."""
    return max(map(len, raw.split(b"\n"))) + 1


class ChunkReader:
    """The octets of one BDAT chunk (RFC 3030 2), taken off the input as they arrive: exactly ``size`` of
    them, with no terminator and no dot-stuffing. A refused chunk is read all the same and dropped, so the
    octets are never taken for commands."""

    __slots__ = ("size", "last", "refusal", "_sink", "_remaining")

    def __init__(self, size: int, last: bool, sink: bytearray | None, refusal: Reply | None) -> None:
        self.size = size
        self.last = last
        self.refusal = refusal  # the reply once the chunk is read, when the chunk cannot be accepted
        self._sink = sink  # the transaction's message so far, or None to drop the octets
        self._remaining = size

    def feed(self, buffer: bytearray) -> bool:
        """Move what ``buffer`` holds of the chunk into the message; True once the chunk is complete."""
        take = min(self._remaining, len(buffer))
        if take:
            if self._sink is not None:
                self._sink += buffer[:take]
            del buffer[:take]
            self._remaining -= take
        return self._remaining == 0
