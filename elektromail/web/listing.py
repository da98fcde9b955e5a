"""What the inbox lists: messages of every user (or one user, or one mailbox), newest first, a page at a time.

A list is a query of the language ``GET /messages?q=`` takes, run by the same code: the scope becomes its
user and mailbox terms, the search box is ``q``, and paging uses the API's cursors, so a page never holds
more than :data:`PAGE_SIZE` rows however deep it is.
"""

from __future__ import annotations

from typing import NamedTuple

from elektromail.http import views
from elektromail.http.filters import MessageFilter
from elektromail.http.schemas import MessagesQuery, Summary
from elektromail.mail.attachments import has_attachments
from elektromail.mail.preview import preview
from elektromail.store import Store
from elektromail.store.model import Account, Mailbox, Message

PAGE_SIZE = 50


class Scope(NamedTuple):
    """Which mailboxes a list covers: every one, one user's, or one."""

    user: str | None = None
    mailbox: str | None = None


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

    @property
    def blind_recipients(self) -> list[str]:
        """Envelope recipients that no To or Cc field names (Bcc, or a list's members)."""
        envelope = self.summary.envelope
        if envelope is None:
            return []
        shown = {address.lower() for address in self.summary.to}
        return [address for address in envelope.rcpt_to if address.lower() not in shown]


class Page(NamedTuple):
    rows: list[Row]
    total: int
    next_cursor: str | None


def message_filter(scope: Scope, query: str) -> MessageFilter:
    """The scope and the search as one query of the language ``GET /messages?q=`` takes; a malformed
    search raises :class:`~elektromail.search.query.QueryError` naming the term."""
    return MessageFilter(MessagesQuery(user=scope.user, mailbox=scope.mailbox, q=query or None))


def page(store: Store, scope: Scope, query: str = "", cursor: str | None = None, size: int = PAGE_SIZE) -> Page:
    """One page of the list, newest first, as ``GET /messages`` pages it (the same code and cursor)."""
    found = message_filter(scope, query).page(store, size, cursor)
    rows = [
        Row(views.summary(mailbox, message), preview(message.parsed), has_attachments(message.parsed))
        for mailbox, message in found.found
    ]
    return Page(rows, found.total, found.cursor)


def newest(store: Store, scope: Scope, query: str = "") -> tuple[Mailbox, Message] | None:
    found = message_filter(scope, query).page(store, 1, None).found
    return found[0] if found else None


def matches(store: Store, scope: Scope, query: str) -> list[tuple[Mailbox, Message]]:
    return list(message_filter(scope, query).matches(store))


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


class _Unread(NamedTuple):
    mailbox: Mailbox
    modseq: int
    unread: int


# Every page shows each mailbox's unread count: counting a 100,000-message mailbox takes milliseconds, so
# a count is kept until the mailbox's HIGHESTMODSEQ moves (every append, flag change and expunge moves it).
_unread: dict[int, _Unread] = {}
MAX_UNREAD_KEPT = 1024


def unread(mailbox: Mailbox) -> int:
    kept = _unread.get(id(mailbox))
    if kept is not None and kept.mailbox is mailbox and kept.modseq == mailbox.highest_modseq:
        return kept.unread
    if len(_unread) >= MAX_UNREAD_KEPT:
        _unread.clear()
    count = mailbox.count_without("\\Seen")
    _unread[id(mailbox)] = _Unread(mailbox, mailbox.highest_modseq, count)
    return count


def folders(account: Account) -> list[Folder]:
    return [
        Folder(account.name, mailbox.name, mailbox.special_use, unread(mailbox), len(mailbox.messages))
        for mailbox in account.mailboxes.values()
    ]


def unread_total(store: Store) -> int:
    """Every page asks for this: counts of mailboxes the store no longer has (deleted, reset) go here."""
    mailboxes = [mailbox for account in store.accounts() for mailbox in account.mailboxes.values()]
    total = sum(unread(mailbox) for mailbox in mailboxes)
    current = {id(mailbox) for mailbox in mailboxes}
    for gone in [key for key in _unread if key not in current]:
        del _unread[gone]
    return total
