"""``FETCH <set> (FLAGS)``, the answer clients ask for most and of every message: built in one pass.

The answer for 100,000 messages is mostly constant text around the sequence numbers. Messages that follow
each other with the same flags (and the same \\Recent) form a run, and a run's lines are one ``join`` of
its numbers with the constant text between them, done in C; Python looks at each message only to see
where a run ends (a few attribute reads, no allocation). The text goes out in chunks of a few hundred
kilobytes, never as one small buffer per message, and nothing per message is kept (no list of pairs).
"""

from __future__ import annotations

from collections.abc import Iterator, Set

from elektromail.imap.engine.selected import SelectedView, flags_item
from elektromail.store.model import Message

# Messages per written chunk: about 300 KB of answer, few enough buffers for any size of mailbox.
CHUNK_MESSAGES = 8192
_EMPTY: frozenset[int] = frozenset()


def flags_answer(view: SelectedView, spans: list[range], rev1: bool, with_uid: bool = False) -> Iterator[bytes]:
    """``* n FETCH (FLAGS (...))`` CRLF for every message at the positions in ``spans``, in chunks; with
    ``with_uid``, ``* n FETCH (UID u FLAGS (...))`` (UID FETCH, which clients syncing flags send)."""
    messages = view.messages
    recent: Set[int] = view.recent if rev1 and view.recent else _EMPTY
    chunk = _chunk_with_uids if with_uid else _chunk
    for span in spans:
        for start in range(span.start, span.stop, CHUNK_MESSAGES):
            yield chunk(messages, start, min(start + CHUNK_MESSAGES, span.stop), recent)


def _chunk_with_uids(messages: list[Message], start: int, stop: int, recent: Set[int]) -> bytes:
    """Every line carries its own UID, so each is formatted; the flag sets' text is still made once."""
    lines = [
        b"* %d FETCH (UID %d %b)\r\n" % (index + 1, message.uid, flags_item(message.flags, message.uid in recent))
        for index, message in enumerate(messages[start:stop], start)
    ]
    return b"".join(lines)


def _chunk(messages: list[Message], start: int, stop: int, recent: Set[int]) -> bytes:
    pieces: list[str] = []
    first = messages[start]
    run_start, run_flags, run_recent = start, first.flags, first.uid in recent
    for index in range(start + 1, stop):
        message = messages[index]
        flags = message.flags
        is_recent = message.uid in recent
        # Flag sets are shared objects, so identity settles most comparisons.
        if is_recent is not run_recent or (flags is not run_flags and flags != run_flags):
            pieces.append(_run(run_start, index, run_flags, run_recent))
            run_start, run_flags, run_recent = index, flags, is_recent
    pieces.append(_run(run_start, stop, run_flags, run_recent))
    return "".join(pieces).encode("utf-8")


def _run(start: int, stop: int, flags: frozenset[str], recent: bool) -> str:
    """The lines of positions ``start`` to ``stop - 1`` (sequence numbers one higher), which share flags."""
    tail = " FETCH (" + flags_item(flags, recent).decode("utf-8") + ")\r\n"
    return "* " + (tail + "* ").join(map(str, range(start + 1, stop + 1))) + tail
