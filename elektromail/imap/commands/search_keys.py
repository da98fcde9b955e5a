"""SEARCH keys (RFC 9051 6.4.4) parsed into predicates over (sequence number, message).

Parsing is pure: it returns a :data:`Predicate` closure tree built once per command. What a key means for
one message is decided by :mod:`elektromail.search.matching`, which the HTTP query language uses too.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import NamedTuple

from elektromail.imap.commands.condstore import mod_sequence
from elektromail.imap.engine.parser import Reader
from elektromail.search import matching
from elektromail.store.model import Message


class SearchContext(NamedTuple):
    """What keys need besides the message: mailbox size and \\Recent, for the current view."""

    exists: int
    largest_uid: int
    recent: set[int]
    saved: frozenset[int]  # the UIDs "$" stands for (RFC 5182)


Predicate = Callable[[SearchContext, int, Message], bool]


def _in_saved_result(ctx: SearchContext, seq: int, message: Message) -> bool:
    return message.uid in ctx.saved


# RFC 9051 6.4.4: nesting of NOT/OR/parentheses is bounded to keep recursion safe on hostile input.
MAX_SEARCH_DEPTH = 64

_FLAG_KEYS = {
    "ANSWERED": ("\\Answered", True),
    "DELETED": ("\\Deleted", True),
    "DRAFT": ("\\Draft", True),
    "FLAGGED": ("\\Flagged", True),
    "SEEN": ("\\Seen", True),
    "UNANSWERED": ("\\Answered", False),
    "UNDELETED": ("\\Deleted", False),
    "UNDRAFT": ("\\Draft", False),
    "UNFLAGGED": ("\\Flagged", False),
    "UNSEEN": ("\\Seen", False),
}
_ADDRESS_KEYS = {"BCC": "bcc", "CC": "cc", "FROM": "from", "TO": "to"}


def _header_contains(name: str, needle: str) -> Predicate:
    test = matching.header_test(name, needle)
    return lambda ctx, seq, message: test(message)


def _address_contains(name: str, needle: str) -> Predicate:
    test = matching.address_test(name, needle)
    return lambda ctx, seq, message: test(message)


def _flag(flag: str, present: bool) -> Predicate:
    return lambda ctx, seq, message: matching.has_flag(message, flag) is present


def _compare(of: Callable[[Message], date], comparison: str, day: date) -> Predicate:
    return lambda ctx, seq, message: matching.day_matches(of(message), comparison, day)


def _text(reader: Reader) -> str:
    return matching.fold(reader.astring().decode("utf-8", "replace"))


MODSEQ = "MODSEQ"
# RFC 7162 3.1.5: the optional metadata entry of SEARCH MODSEQ; it names a flag's entry and its type.
_ENTRY_PREFIX = b"/flags/"
_ENTRY_TYPES = frozenset({"PRIV", "SHARED", "ALL"})


def _modseq_key(reader: Reader) -> Predicate:
    """``MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer`` (RFC 7162 3.1.5). Every flag
    shares its message's mod-sequence here, so the entry is checked and then does not narrow the match."""
    reader.sp()
    if reader.peek_is(b'"'):
        entry = reader.quoted()
        if not entry.lower().startswith(_ENTRY_PREFIX) or len(entry) == len(_ENTRY_PREFIX):
            raise reader.error("MODSEQ entry name must be /flags/<flag>")
        reader.sp()
        entry_type = reader.keyword()
        if entry_type not in _ENTRY_TYPES:
            raise reader.error(f"unknown MODSEQ entry type {entry_type}")
        reader.sp()
    least = mod_sequence(reader)
    return lambda ctx, seq, message: message.modseq >= least


def parse_key(reader: Reader, depth: int = 0, used: set[str] | None = None) -> Predicate:
    """One search-key (a parenthesised list counts as one). ``used`` collects the names of keys whose
    use changes the response (MODSEQ)."""
    if depth > MAX_SEARCH_DEPTH:
        raise reader.error("search keys nested too deeply")
    if reader.take(b"("):
        keys = parse_keys(reader, depth + 1, closing=True, used=used)
        return _all_of(keys)
    first = reader.peek()
    if first is not None and (0x30 <= first <= 0x39 or first in (0x2A, 0x24)):
        sequence = reader.sequence_set()
        if sequence.saved:
            return _in_saved_result
        return lambda ctx, seq, message: sequence.contains(seq, ctx.exists)
    name = reader.atom().upper()
    if name == "ALL":
        return lambda ctx, seq, message: True
    if name in _FLAG_KEYS:
        return _flag(*_FLAG_KEYS[name])
    if name in ("KEYWORD", "UNKEYWORD"):
        reader.sp()
        return _flag(reader.flag(), name == "KEYWORD")
    if name in _ADDRESS_KEYS:
        reader.sp()
        return _address_contains(_ADDRESS_KEYS[name], _text(reader))
    if name == "SUBJECT":
        reader.sp()
        return _header_contains("subject", _text(reader))
    if name == "HEADER":
        reader.sp()
        field = reader.astring().decode("utf-8", "replace").lower()
        reader.sp()
        return _header_contains(field, _text(reader))
    if name == "BODY":
        reader.sp()
        needle = _text(reader)
        return lambda ctx, seq, message: matching.body_contains(message, needle)
    if name == "TEXT":
        reader.sp()
        needle = _text(reader)
        return lambda ctx, seq, message: matching.text_contains(message, needle)
    if name in ("BEFORE", "ON", "SINCE"):
        reader.sp()
        return _compare(matching.internal_day, name, reader.date())
    if name in ("SENTBEFORE", "SENTON", "SENTSINCE"):
        reader.sp()
        return _compare(matching.sent_day, name[4:], reader.date())
    if name in ("LARGER", "SMALLER"):
        reader.sp()
        size = reader.number64()
        if name == "LARGER":
            return lambda ctx, seq, message: matching.larger_than(message, size)
        return lambda ctx, seq, message: matching.smaller_than(message, size)
    if name == "UID":
        reader.sp()
        uids = reader.sequence_set()
        if uids.saved:
            return _in_saved_result
        return lambda ctx, seq, message: uids.contains(message.uid, ctx.largest_uid)
    if name == MODSEQ:
        if used is not None:
            used.add(MODSEQ)
        return _modseq_key(reader)
    if name == "NOT":
        reader.sp()
        inner = parse_key(reader, depth + 1, used)
        return lambda ctx, seq, message: not inner(ctx, seq, message)
    if name == "OR":
        reader.sp()
        left = parse_key(reader, depth + 1, used)
        reader.sp()
        right = parse_key(reader, depth + 1, used)
        return lambda ctx, seq, message: left(ctx, seq, message) or right(ctx, seq, message)
    # RFC 3501 6.4.4 (IMAP4rev1 only): \Recent-based keys.
    if name == "RECENT":
        return lambda ctx, seq, message: message.uid in ctx.recent
    if name == "OLD":
        return lambda ctx, seq, message: message.uid not in ctx.recent
    if name == "NEW":
        return lambda ctx, seq, message: message.uid in ctx.recent and "\\Seen" not in message.flags
    raise reader.error(f"unknown search key {name}")


def _all_of(keys: list[Predicate]) -> Predicate:
    if len(keys) == 1:
        return keys[0]
    if len(keys) == 2:  # the common case, without a generator per message
        first, second = keys
        return lambda ctx, seq, message: first(ctx, seq, message) and second(ctx, seq, message)
    return lambda ctx, seq, message: all(key(ctx, seq, message) for key in keys)


def parse_keys(reader: Reader, depth: int = 0, closing: bool = False, used: set[str] | None = None) -> list[Predicate]:
    """``key *(SP key)``, up to the end of the command or the matching ``)``."""
    keys = [parse_key(reader, depth, used)]
    while True:
        if closing and reader.close_paren():
            return keys
        if not closing and reader.at_end():
            return keys
        reader.sp()
        keys.append(parse_key(reader, depth, used))


def search_all(keys: list[Predicate]) -> Predicate:
    return _all_of(keys)
