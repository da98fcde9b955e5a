"""``FETCH <set> (FLAGS)``, the answer clients ask for most and of every message: built from runs.

The answer for 100,000 messages is mostly constant text around the sequence numbers. Messages that follow
each other with the same flags (and the same \\Recent) form a run, which the mailbox keeps until it
changes (found in C passes over the messages, see Mailbox.flag_runs). A run's lines are made a thousand at
a time by one ``join`` of ready-made three-digit endings with the constant text between them (the lines
of 41,000 to 41,999 are ``* 41`` + ``000`` + `` FETCH (...)`` CRLF + ``* 41`` + ``001`` ...), so no
number is formatted per message. The text goes out in chunks of a few hundred kilobytes, and nothing per
message is kept.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence, Set
from typing import TypeVar

from elektromail.imap.engine.selected import SelectedView, flags_item
from elektromail.store.model import FlagRuns, runs_of

# Messages per written chunk: about 300 KB of answer, few enough buffers for any size of mailbox.
CHUNK_MESSAGES = 8192
_EMPTY: frozenset[int] = frozenset()
T = TypeVar("T")
_SHORT = 16  # messages in a run made line by line
_SHORT_UID_RUN = 4  # UID FETCH (FLAGS) with runs shorter than this on average: formatted message by message
_BELOW_THOUSAND = [b"%d" % number for number in range(1000)]
_ENDINGS = [b"%03d" % number for number in range(1000)]


def flags_answer(view: SelectedView, spans: list[range], rev1: bool, with_uid: bool = False) -> Iterator[bytes]:
    """``* n FETCH (FLAGS (...))`` CRLF for every message at the positions in ``spans``, in chunks; with
    ``with_uid``, ``* n FETCH (UID u FLAGS (...))`` (UID FETCH, which clients syncing flags send)."""
    recent: Set[int] = view.recent if rev1 and view.recent else _EMPTY
    runs = view.flag_runs()
    recent_runs = _recent_runs(view.uids, recent) if recent else None
    for span in spans:
        for start in range(span.start, span.stop, CHUNK_MESSAGES):
            stop = min(start + CHUNK_MESSAGES, span.stop)
            if with_uid and _runs_between(runs.starts, start, stop) * _SHORT_UID_RUN > stop - start:
                yield _uid_lines_one_by_one(view, start, stop, recent)  # runs too short to pay
            elif with_uid:
                yield b"".join(_chunk_with_uids(runs, recent_runs, view.uids, start, stop))
            else:
                yield b"".join(_chunk(runs, recent_runs, start, stop))


def _recent_runs(uids: list[int], recent: Set[int]) -> tuple[list[int], list[bool]]:
    """Where the messages' \\Recent changes (positions, the first 0) and whether each stretch is recent."""
    return runs_of(list(map(recent.__contains__, uids)))


def _stretches(
    runs: FlagRuns, recent_runs: tuple[list[int], list[bool]] | None, start: int, stop: int
) -> Iterator[tuple[int, int, frozenset[str], bool]]:
    """(first, last, flags, recent) for the stretches of positions ``start`` to ``stop - 1`` that share a
    flag set and a \\Recent."""
    for low, high, flags in _within(runs.starts, runs.sets, start, stop):
        for first, last, recent in _within(*recent_runs, low, high) if recent_runs else ((low, high, False),):
            yield first, last, flags, recent


def _chunk(runs: FlagRuns, recent_runs: tuple[list[int], list[bool]] | None, start: int, stop: int) -> Iterator[bytes]:
    """The lines of positions ``start`` to ``stop - 1``, a run (and a stretch of one \\Recent) at a time."""
    tails: dict[tuple[frozenset[str], bool], bytes] = {}
    for first, last, flags, recent in _stretches(runs, recent_runs, start, stop):
        tail = tails.get((flags, recent))
        if tail is None:
            tail = tails[flags, recent] = b" FETCH (" + flags_item(flags, recent) + b")\r\n"
        if last - first > _SHORT:
            yield from _lines(first, last, tail)
        else:  # a short run: formatting each line costs less than cutting the run into thousands
            yield b"".join([b"* %d%b" % (number, tail) for number in range(first + 1, last + 1)])


def _within(starts: list[int], values: Sequence[T], start: int, stop: int) -> Iterator[tuple[int, int, T]]:
    """(low, high, value) for the stretches (beginning at ``starts``, each with its value) cut to the
    positions ``start`` to ``stop - 1``."""
    stretch = bisect_right(starts, start) - 1
    while start < stop:
        stretch += 1
        end = min(stop, starts[stretch]) if stretch < len(starts) else stop
        yield start, end, values[stretch - 1]
        start = end


def _lines(start: int, stop: int, tail: bytes) -> Iterator[bytes]:
    """``* n`` + ``tail`` for the sequence numbers of positions ``start`` to ``stop - 1`` (one higher)."""
    number, last = start + 1, stop  # sequence numbers, inclusive
    if number < 1000:
        below = min(last, 999)
        yield b"* " + (tail + b"* ").join(_BELOW_THOUSAND[number : below + 1]) + tail
        number = below + 1
    while number <= last:
        thousands, first = divmod(number, 1000)
        final = min(last, thousands * 1000 + 999)
        head = b"* %d" % thousands
        yield head + (tail + head).join(_ENDINGS[first : final - thousands * 1000 + 1]) + tail
        number = final + 1


def _chunk_with_uids(
    runs: FlagRuns, recent_runs: tuple[list[int], list[bool]] | None, uids: list[int], start: int, stop: int
) -> Iterator[bytes]:
    """``* n FETCH (UID u FLAGS (...))`` for positions ``start`` to ``stop - 1``: every line carries its
    own UID, so each is formatted, from one template per flag set and the view's UIDs (no message is
    read)."""
    templates: dict[tuple[frozenset[str], bool], bytes] = {}
    for first, last, flags, recent in _stretches(runs, recent_runs, start, stop):
        template = templates.get((flags, recent))
        if template is None:
            item = flags_item(flags, recent).replace(b"%", b"%%")
            template = templates[flags, recent] = b"* %d FETCH (UID %d " + item + b")\r\n"
        if last - first == 1:
            yield template % (last, uids[first])
        else:
            yield b"".join(map(template.__mod__, zip(range(first + 1, last + 1), uids[first:last], strict=True)))


def _runs_between(starts: list[int], start: int, stop: int) -> int:
    return bisect_right(starts, stop - 1) - bisect_right(starts, start) + 1


def _uid_lines_one_by_one(view: SelectedView, start: int, stop: int, recent: Set[int]) -> bytes:
    lines = [
        b"* %d FETCH (UID %d %b)\r\n" % (index + 1, message.uid, flags_item(message.flags, message.uid in recent))
        for index, message in enumerate(view.messages[start:stop], start)
    ]
    return b"".join(lines)
