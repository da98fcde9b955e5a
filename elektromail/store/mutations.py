"""The message changes every store write is built from: change the model, record it in the journal.

Kept apart from :class:`~elektromail.store.store.Store` so each write (append, copy, move, rename,
expunge, purge) adds and removes messages the same way, with UIDs and mod-sequences moved on as RFC 9051
and RFC 7162 require.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from elektromail.mail.message import ParsedMessage
from elektromail.store.arrival import StoredProvenance
from elektromail.store.errors import StoreError, StoreErrorCode
from elektromail.store.journal import Journal
from elektromail.store.model import (
    HIERARCHY_SEPARATOR,
    NO_FLAGS,
    Account,
    Mailbox,
    Message,
    canonical_mailbox_name,
    flag_set,
    now,
)
from elektromail.store.provenance import Provenance


def require_live(account: Account) -> None:
    if account.removed:
        raise StoreError(StoreErrorCode.USER_REMOVED, f"user {account.name!r} was removed")


def add_message(
    journal: Journal,
    mailbox: Mailbox,
    content: bytes | ParsedMessage,
    flags: Iterable[str],
    internal_date: datetime | None,
    provenance: Provenance | StoredProvenance | None = None,
) -> Message:
    if mailbox.account.removed:
        require_live(mailbox.account)  # raises
    message = Message(
        mailbox.uid_next,
        flag_set(flags) if flags else NO_FLAGS,
        internal_date if internal_date is not None else now(),
        content,
        mailbox.next_modseq(),
        provenance,
    )
    mailbox.uid_next += 1
    mailbox.append(message)
    journal.message_added(mailbox, message)
    return message


def copy_message(journal: Journal, target: Mailbox, message: Message) -> Message:
    """A copy of ``message`` in ``target``: same content, flags, internal date and provenance, a new UID."""
    return add_message(journal, target, message.parsed, message.flags, message.internal_date, message.stored_provenance)


def remove_messages(journal: Journal, mailbox: Mailbox, uids: Sequence[int]) -> None:
    require_live(mailbox.account)
    gone = set(uids)
    modseq = mailbox.next_modseq()  # RFC 7162 3.1: an expunge changes the mailbox, so HIGHESTMODSEQ moves on
    expunged = mailbox.expunged
    for uid in gone:
        del mailbox.by_uid[uid]
        expunged[uid] = modseq  # for VANISHED (EARLIER), RFC 7162 3.2
    mailbox.messages = [message for message in mailbox.messages if message.uid not in gone]
    mailbox.messages_shared = False
    journal.messages_removed(mailbox, list(uids))


def valid_mailbox_name(name: str) -> str:
    name = canonical_mailbox_name(name.rstrip(HIERARCHY_SEPARATOR))
    if not name or any(not part for part in name.split(HIERARCHY_SEPARATOR)):
        raise StoreError(StoreErrorCode.INVALID_NAME, "invalid mailbox name")
    return name


def require_selectable(mailbox: Mailbox) -> None:
    if not mailbox.selectable:
        raise StoreError(StoreErrorCode.NOT_SELECTABLE, "mailbox is \\Noselect")
