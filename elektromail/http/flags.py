"""Flags changed over HTTP exactly as IMAP STORE changes them (RFC 9051 6.4.6).

Names are read by the IMAP parser's own ``flag`` rule, so HTTP accepts what STORE accepts (system flags
case-insensitively, keyword atoms) and refuses what it refuses (``\\Recent``, invented system flags). The
change goes through the store like a STORE from no session: the message's MODSEQ advances once, and
every IMAP session with the mailbox selected hears an untagged FETCH (and ``* FLAGS`` for a new keyword),
IDLE included.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import msgspec

from elektromail.imap.engine.parser import ParseError, Reader
from elektromail.store import Store
from elektromail.store.model import FlagMode, Mailbox, Message

RECENT = "\\Recent"  # RFC 3501 2.3.2: set by the server only
FlagNames = Annotated[list[str], msgspec.Meta(max_length=64, description="system flags (\\Seen, ...) or keywords")]


class FlagChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """``PATCH /messages/by-id/{id}``: flags to add and to remove, in one change."""

    add: FlagNames = []
    remove: FlagNames = []


class QueryFlagChange(FlagChange, forbid_unknown_fields=True, kw_only=True):
    """``POST /messages/flags``: the same change for every message the query matches."""

    q: Annotated[str, msgspec.Meta(description="a query as GET /messages takes it; empty: every message")]


class FlagsChanged(msgspec.Struct, kw_only=True):
    matched: Annotated[int, msgspec.Meta(description="messages the query matched")]
    changed: Annotated[int, msgspec.Meta(description="messages whose flags changed")]


class InvalidFlag(ValueError):
    def __init__(self, field: str, flag: str, reason: str) -> None:
        super().__init__(f"{field}: {flag!r}: {reason}")
        self.field = field


def _checked(field: str, names: Sequence[str]) -> frozenset[str]:
    flags: set[str] = set()
    for name in names:
        try:
            reader = Reader(name.encode("utf-8"))
            flag = reader.flag()
            if not reader.at_end():
                raise InvalidFlag(field, name, "a flag is one atom")
        except ParseError as error:
            raise InvalidFlag(field, name, str(error.reason)) from None
        if flag == RECENT:
            raise InvalidFlag(field, name, "\\Recent is set by the server only")
        flags.add(flag)
    return frozenset(flags)


def checked_change(change: FlagChange) -> tuple[frozenset[str], frozenset[str]]:
    """The flags to add and to remove, as STORE reads them; a flag in both is a contradiction."""
    add, remove = _checked("add", change.add), _checked("remove", change.remove)
    both = add & remove
    if both:
        raise InvalidFlag("remove", sorted(both)[0], "is also in add")
    return add, remove


async def change_flags(
    store: Store, mailbox: Mailbox, messages: Sequence[Message], add: frozenset[str], remove: frozenset[str]
) -> list[Message]:
    """Add and remove in one change per message (one MODSEQ step); returns the messages changed.

    Messages that end with the same flags are changed together, as one STORE would change them."""
    groups: dict[frozenset[str], list[Message]] = {}
    for message in messages:
        groups.setdefault((message.flags | add) - remove, []).append(message)
    changed: list[Message] = []
    for flags, members in groups.items():
        still_there = [message for message in members if mailbox.by_uid.get(message.uid) is message]
        changed += await store.set_flags(mailbox, still_there, flags, FlagMode.REPLACE)
    return changed
