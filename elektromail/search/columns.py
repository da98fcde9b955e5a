"""Columns of searchable text, one per mailbox and field, so a selective query scans strings, not messages.

A query's first positive address or subject term (``from:``, ``to:``, ``cc:``, ``subject:``) picks the
candidates: the column holds each message's text for that field exactly as
:mod:`~elektromail.search.matching` reads it (the address text FROM/TO/CC match; the decoded subject
values SUBJECT matches, joined by NUL, which a needle never contains), so ``needle in text`` over a list of
strings answers that term as the matching code would, many times cheaper than a call per message. The
other terms of the query are then tested on the candidates.

A column grows with the mail appended to its mailbox and is rebuilt after an expunge. Few are kept
(least recently used).
"""

from __future__ import annotations

from collections import OrderedDict

from elektromail.mail.text import address_text, decoded_headers
from elektromail.search.evaluate import CompiledQuery
from elektromail.store.model import Mailbox, Message

ADDRESS_FIELDS = ("from", "to", "cc")
MAX_COLUMNS = 64
# Below this many messages a column costs more than it saves.
MIN_MESSAGES = 256


class _Column:
    __slots__ = ("mailbox", "texts", "last")

    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox
        self.texts: list[str] = []
        self.last: Message | None = None  # the message of the last text

    def still_valid(self, mailbox: Mailbox) -> bool:
        """Whether the column's messages are still the mailbox's first ones. Messages are only appended
        at the end (UIDs ascend) or removed, and a removal shifts every later message left: the column's
        last message still in its place means nothing before it moved."""
        count = len(self.texts)
        if mailbox is not self.mailbox:
            return False
        return count == 0 or (len(mailbox.messages) >= count and mailbox.messages[count - 1] is self.last)


_columns: OrderedDict[tuple[int, str], _Column] = OrderedDict()


def _text(message: Message, field: str) -> str:
    if field in ADDRESS_FIELDS:
        return address_text(message.parsed, field)
    values = decoded_headers(message.parsed).get(field)
    return "\x00".join(values) if values else ""


def column(mailbox: Mailbox, field: str) -> list[str]:
    """The field's text of every message of the mailbox, in its order; extended when mail was appended."""
    key = (id(mailbox), field)
    cached = _columns.get(key)
    if cached is None or not cached.still_valid(mailbox):
        cached = _columns[key] = _Column(mailbox)
        while len(_columns) > MAX_COLUMNS:
            _columns.popitem(last=False)
    _columns.move_to_end(key)
    messages = mailbox.messages
    if len(cached.texts) < len(messages):
        cached.texts.extend(_text(message, field) for message in messages[len(cached.texts) :])
        cached.last = messages[-1]
    return cached.texts


def matching_messages(mailbox: Mailbox, query: CompiledQuery) -> list[Message]:
    """The messages of the mailbox that the query matches (``mailbox_matches`` already holds)."""
    term = query.column_term
    messages = mailbox.messages
    if term is None and not query.tests_besides_column:
        return messages[:]  # the query names places only (user:, mailbox:): every message of this one
    if term is None or len(messages) < MIN_MESSAGES:
        return [message for message in messages if query.matches(mailbox, message)]
    field, needle = term
    texts = column(mailbox, field)
    found = [message for message, text in zip(messages, texts, strict=True) if needle in text]
    if not query.tests_besides_column:
        return found
    rest = query.matches_besides_column
    return [message for message in found if rest(mailbox, message)]


def forget() -> None:
    """Drop every column (tests; a reset store leaves its old mailboxes to be collected)."""
    _columns.clear()
