"""What the inbox lists: messages of every user (or one user, or one mailbox), newest first, a page at a time.

Paging is by cursor, the sort key of the last row shown, so a page costs one pass over the candidates
(``heapq.nlargest``) however deep it is, and the page never holds more than :data:`PAGE_SIZE` rows.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from operator import itemgetter
from typing import NamedTuple

from elektromail.http import views
from elektromail.http.schemas import Summary
from elektromail.mail.envelope import message_headers
from elektromail.mail.headers import decode_words
from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import MimePart, mime_tree
from elektromail.mail.preview import preview
from elektromail.store import Store
from elektromail.store.model import Account, Mailbox, Message

PAGE_SIZE = 50
_ATTACHMENT_CACHE_KEY = "web.has_attachment"
_SEARCH_CACHE_KEY = "web.search_text"
SEARCHED_FIELDS = frozenset({"from", "to", "cc", "subject"})

SortKey = tuple[float, int, int]  # internal date (POSIX seconds), mailbox id, UID: unique and stable


class Scope(NamedTuple):
    """Which mailboxes a list covers: every one, one user's, or one."""

    user: str | None = None
    mailbox: str | None = None

    def mailboxes(self, store: Store) -> list[Mailbox]:
        if self.user is None:
            return [mailbox for account in store.accounts() for mailbox in account.mailboxes.values()]
        account = store.account(self.user)
        if account is None:
            return []
        if self.mailbox is None:
            return list(account.mailboxes.values())
        mailbox = account.mailbox(self.mailbox)
        return [] if mailbox is None else [mailbox]


class Row(NamedTuple):
    summary: Summary
    preview: str
    has_attachment: bool

    @property
    def unread(self) -> bool:
        return "\\Seen" not in self.summary.flags

    @property
    def flagged(self) -> bool:
        return "\\Flagged" in self.summary.flags

    @property
    def answered(self) -> bool:
        return "\\Answered" in self.summary.flags


class Page(NamedTuple):
    rows: list[Row]
    total: int
    next_cursor: str | None


def sort_key(mailbox: Mailbox, message: Message) -> SortKey:
    return (message.internal_date.timestamp(), mailbox.id, message.uid)


def format_cursor(key: SortKey) -> str:
    return f"{key[0]!r}_{key[1]}_{key[2]}"


def parse_cursor(text: str | None) -> SortKey | None:
    if not text:
        return None
    try:
        seconds, mailbox_id, uid = text.split("_")
        return (float(seconds), int(mailbox_id), int(uid))
    except ValueError:
        return None


def _is_attachment(part: MimePart) -> bool:
    disposition = (part.headers.get("content-disposition") or b"").split(b";", 1)[0].strip().lower()
    return disposition == b"attachment" or (part.param(b"name") is not None and not part.children)


def _any_attachment(part: MimePart) -> bool:
    if part.children:
        return any(_any_attachment(child) for child in part.children)
    return _is_attachment(part)


def has_attachment(parsed: ParsedMessage) -> bool:
    cached = parsed.cache.get(_ATTACHMENT_CACHE_KEY)
    if cached is None:
        cached = parsed.cache[_ATTACHMENT_CACHE_KEY] = _any_attachment(mime_tree(parsed))
    return bool(cached)


class TextMatch:
    """Free words, each of which must appear in the sender, a recipient or the subject (any case)."""

    def __init__(self, text: str) -> None:
        self.words = [word.casefold() for word in text.split()]

    def __bool__(self) -> bool:
        return bool(self.words)

    def matches(self, message: Message) -> bool:
        text = searchable_text(message.parsed)
        return all(word in text for word in self.words)


def searchable_text(parsed: ParsedMessage) -> str:
    """From, To, Cc and Subject, RFC 2047 words decoded, case-folded, in one string (cached)."""
    cached = parsed.cache.get(_SEARCH_CACHE_KEY)
    if cached is None:
        fields = message_headers(parsed).fields
        cached = "\n".join(decode_words(field.value) for field in fields if field.name in SEARCHED_FIELDS).casefold()
        parsed.cache[_SEARCH_CACHE_KEY] = cached
    return str(cached)


def candidates(store: Store, scope: Scope, text: TextMatch) -> Iterator[tuple[Mailbox, Message]]:
    for mailbox in scope.mailboxes(store):
        for message in mailbox.messages:
            if not text or text.matches(message):
                yield mailbox, message


def page(store: Store, scope: Scope, query: str = "", cursor: str | None = None, size: int = PAGE_SIZE) -> Page:
    """One page of the list: the ``size`` newest matches older than ``cursor``, and how many match in all."""
    text = TextMatch(query)
    below = parse_cursor(cursor)
    if text:
        matches = list(candidates(store, scope, text))
        total = len(matches)
    else:
        matches = None
        total = sum(len(mailbox.messages) for mailbox in scope.mailboxes(store))

    def keyed() -> Iterator[tuple[SortKey, Mailbox, Message]]:
        for mailbox, message in matches if matches is not None else candidates(store, scope, text):
            key = (message.internal_date.timestamp(), mailbox.id, message.uid)
            if below is None or key < below:
                yield key, mailbox, message

    newest = heapq.nlargest(size + 1, keyed(), key=itemgetter(0))
    shown = newest[:size]
    rows = [
        Row(views.summary(mailbox, message), preview(message.parsed), has_attachment(message.parsed))
        for _, mailbox, message in shown
    ]
    more = len(newest) > size
    return Page(rows, total, format_cursor(shown[-1][0]) if more and shown else None)


def newest(store: Store, scope: Scope, query: str = "") -> tuple[Mailbox, Message] | None:
    found = max(candidates(store, scope, TextMatch(query)), key=lambda pair: sort_key(*pair), default=None)
    return found


class Folder(NamedTuple):
    user: str
    name: str
    special_use: str | None
    unread: int
    total: int

    @property
    def kind(self) -> str:
        """inbox, sent, drafts, trash, junk, archive or folder: which icon the side panel shows."""
        if self.name == "INBOX":
            return "inbox"
        return self.special_use[1:].lower() if self.special_use else "folder"


def folders(account: Account) -> list[Folder]:
    return [
        Folder(account.name, mailbox.name, mailbox.special_use, mailbox.count_without("\\Seen"), len(mailbox.messages))
        for mailbox in account.mailboxes.values()
    ]


def unread_total(store: Store) -> int:
    return sum(
        mailbox.count_without("\\Seen") for account in store.accounts() for mailbox in account.mailboxes.values()
    )
