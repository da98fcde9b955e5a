"""Who hears of every change the store makes, beside the listeners of one mailbox: the event stream.

Each change is told once, after memory has changed and before anyone waiting for mail is woken, so a
listener sees the change in the same event-loop turn as every other listener of it.
"""

from __future__ import annotations

from elektromail.store.model import Mailbox, MailboxEvent


class StoreObserver:
    """Does nothing; the event publisher overrides what it reports."""

    def mailbox_changed(self, event: MailboxEvent) -> None:
        pass

    def mailbox_created(self, mailbox: Mailbox) -> None:
        pass

    def mailbox_deleted(self, user: str, name: str) -> None:
        pass

    def mailbox_renamed(self, user: str, old_name: str, new_name: str) -> None:
        pass

    def user_created(self, user: str) -> None:
        pass

    def user_deleted(self, user: str) -> None:
        pass
