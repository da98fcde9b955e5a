"""The journal: how a persistent backend learns of every change the in-memory store makes.

The store applies a change to memory and records it in the journal in the same synchronous step, so the
journal sees changes in exactly the order memory does. It then awaits :meth:`Journal.commit` before it
returns, so a caller acknowledges a write (SMTP 250, IMAP OK, HTTP 2xx) only once it is durable.

This base class is the in-memory backend's journal: nothing to record, nothing to wait for. A persistent
backend overrides what it needs; ``commit`` raises :class:`~elektromail.store.errors.JournalError` when
the change could not be made durable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from elektromail.store.model import Account, Mailbox, Message


class Journal:
    # True when commit() has nothing to wait for (this in-memory journal): a caller may then change the
    # store and answer in one synchronous step. A journal that overrides commit() waits.
    commits_at_once = True

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.commits_at_once = cls.commit is Journal.commit

    def account_added(self, account: Account) -> None:
        pass

    def account_updated(self, account: Account) -> None:
        pass

    def account_removed(self, account: Account) -> None:
        """The user is gone with all its mailboxes, subscriptions and mail."""

    def mailbox_added(self, mailbox: Mailbox) -> None:
        pass

    def mailbox_updated(self, mailbox: Mailbox) -> None:
        """Name, selectability, UIDNEXT, UIDVALIDITY or HIGHESTMODSEQ changed."""

    def mailbox_removed(self, mailbox: Mailbox) -> None:
        pass

    def subscription_changed(self, account: Account, name: str, subscribed: bool) -> None:
        """A name was added to or removed from the account's subscriptions."""

    def message_added(self, mailbox: Mailbox, message: Message) -> None:
        """A message (with its mod-sequence) was added; the mailbox's HIGHESTMODSEQ moved with it."""

    def flags_changed(self, mailbox: Mailbox, messages: list[Message]) -> None:
        """The messages have new flags and mod-sequences; the mailbox's HIGHESTMODSEQ moved with them."""

    def messages_removed(self, mailbox: Mailbox, uids: list[int]) -> None:
        """The messages are gone; the mailbox's HIGHESTMODSEQ moved on (RFC 7162 3.1) and is the
        mod-sequence of their expunge (RFC 7162 3.2)."""

    def counter_updated(self, name: str, value: int) -> None:
        """A store-wide counter (next UIDVALIDITY, next ids) moved on."""

    def cleared(self) -> None:
        """Everything was removed (the start of a reset)."""

    async def commit(self) -> None:
        """Return once every change recorded so far is durable."""

    async def close(self) -> None:
        """Make what is pending durable and release the backend (a persistent one's file and lock)."""
