"""A query's results, newest first, one page at a time: ``limit`` messages, the ``total`` that match, and
an opaque ``cursor`` for the page after.

Messages are ordered by internal date, then mailbox id and UID, so the order is total and a cursor (the
position of a page's last message) stays valid while mail arrives or is expunged: the next page starts
right after it, and every message that matched is listed exactly once over the pages.
"""

from __future__ import annotations

import base64
import binascii
import heapq
import operator
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import NamedTuple

from elektromail.search.columns import matching_messages
from elektromail.search.evaluate import CompiledQuery
from elektromail.store.model import Account, Mailbox, Message

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000

SortKey = tuple[datetime, int, int]  # internal date, mailbox id, UID


class CursorError(ValueError):
    """A cursor this server did not write."""


class Page(NamedTuple):
    found: list[tuple[Mailbox, Message]]
    total: int
    cursor: str | None  # None: this is the last page


def sort_key(mailbox: Mailbox, message: Message) -> SortKey:
    return (message.internal_date, mailbox.id, message.uid)


def encode_cursor(key: SortKey) -> str:
    text = f"{key[0].isoformat()}|{key[1]}|{key[2]}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> SortKey:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, mailbox_id, uid = text.split("|")
        when = datetime.fromisoformat(moment)
        key = (when, int(mailbox_id), int(uid))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorError(f"not a cursor of this server: {cursor!r}") from None
    if when.tzinfo is None:
        raise CursorError(f"not a cursor of this server: {cursor!r}")
    return key


def matching(accounts: Iterable[Account], query: CompiledQuery) -> Iterator[tuple[Mailbox, list[Message]]]:
    """Every mailbox the query may match, with the messages it matches there (in UID order)."""
    for account in accounts:
        for mailbox in account.mailboxes.values():
            if query.mailbox_matches(mailbox):
                yield mailbox, matching_messages(mailbox, query)


def _in_date_order(messages: list[Message]) -> bool:
    """Whether internal dates never go down along the list (UID order), as when mail arrives by SMTP; an
    APPEND or inject with an older date breaks it. Checked with C-level comparisons, no call per message."""
    dates = [message.internal_date for message in messages]
    return all(map(operator.le, dates, dates[1:]))


def newest_first(
    accounts: Iterable[Account], query: CompiledQuery, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> Page:
    """The page of ``limit`` matches that follows ``cursor`` (the first page without one)."""
    after = decode_cursor(cursor) if cursor is not None else None
    total = 0
    wanted = limit + 1  # one more than the page: is there a next page?
    # A heap of the newest matches so far. Keys are unique (mailbox id, UID), so a Mailbox is never compared.
    heap: list[tuple[SortKey, Mailbox, Message]] = []
    for mailbox, found in matching(accounts, query):
        total += len(found)
        mailbox_id = mailbox.id
        if _in_date_order(found):
            # Keys ascend along the list: only the ``wanted`` messages just before the cursor can be on the page.
            end = (
                len(found)
                if after is None
                else bisect_left(found, after, key=lambda m: (m.internal_date, mailbox_id, m.uid))
            )
            found = found[max(0, end - wanted) : end]
        for message in reversed(found):  # newest last, as a rule: the heap then fills and stays put
            key = (message.internal_date, mailbox_id, message.uid)
            if after is not None and not key < after:
                continue
            if len(heap) < wanted:
                heapq.heappush(heap, (key, mailbox, message))
            elif key > heap[0][0]:
                heapq.heapreplace(heap, (key, mailbox, message))
    page = sorted(heap, key=lambda item: item[0], reverse=True)
    more = len(page) > limit
    page = page[:limit]
    next_cursor = encode_cursor(page[-1][0]) if more else None
    return Page([(mailbox, message) for _, mailbox, message in page], total, next_cursor)
