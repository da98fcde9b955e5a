"""The store: accounts, mailboxes and messages in memory, with every change journalled and published.

Both backends are this one store; they differ only in the journal behind it (none, or SQLite).

Reads are plain attribute access on the model (``store.account(name).inbox.messages``). Every write is a
coroutine that changes memory, records the change in the journal, publishes an event to the mailbox's
listeners and then waits for the journal to commit. With the default :class:`Journal` that wait is
free; the SQLite journal makes it durable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from elektromail.mail.message import ParsedMessage
from elektromail.store import mutations
from elektromail.store.directory import Directory
from elektromail.store.model import (
    FlagMode,
    FlagsChanged,
    Mailbox,
    MailboxRemoved,
    Message,
    MessagesAdded,
    MessagesExpunged,
    canonical_flag,
    shared_flags,
)
from elektromail.store.provenance import Provenance


class Store(Directory):
    """The one store of a server process: :class:`Directory`'s accounts and mailboxes, and their messages.
    Not thread-safe: used from the event loop only."""

    # ------------------------------------------------------------------ messages

    async def append(
        self,
        mailbox: Mailbox,
        raw: bytes | ParsedMessage,
        flags: Iterable[str] = (),
        internal_date: datetime | None = None,
        origin: object | None = None,
        provenance: Provenance | None = None,
    ) -> Message:
        (message,) = await self.append_many(mailbox, [(raw, flags, internal_date)], origin, provenance)
        return message

    async def append_many(
        self,
        mailbox: Mailbox,
        items: Sequence[tuple[bytes | ParsedMessage, Iterable[str], datetime | None]],
        origin: object | None = None,
        provenance: Provenance | None = None,
    ) -> list[Message]:
        """Append messages (raw, flags, internal date) that arrived as ``provenance`` says in one write: one
        commit, so a persistent store keeps all of them or none (MULTIAPPEND, RFC 3502)."""
        mutations.require_selectable(mailbox)
        messages = [
            mutations.add_message(self.journal, mailbox, raw, flags, date, provenance) for raw, flags, date in items
        ]
        self._publish(mailbox, MessagesAdded(mailbox, messages, origin))
        self._notify_delivery(mailbox, messages)
        await self.journal.commit()
        return messages

    async def deliver(
        self,
        user_names: Iterable[str],
        raw: bytes | ParsedMessage,
        provenance: Provenance | Mapping[str, Provenance] | None = None,
    ) -> list[Message]:
        """Store one copy of ``raw`` in the INBOX of each user, creating users as needed; one commit.
        ``provenance``: how they arrived, for all or by lower-case user (each has its own recipients)."""
        stored = self._add_to_inboxes(user_names, raw, provenance)
        await self.journal.commit()
        return stored

    def deliver_at_once(
        self,
        user_names: Iterable[str],
        raw: bytes | ParsedMessage,
        provenance: Provenance | Mapping[str, Provenance] | None = None,
    ) -> list[Message]:
        """:meth:`deliver` in one synchronous step, for a journal that commits at once (the in-memory store's):
        the caller answers in the same step, with no coroutine to run."""
        assert self.journal.commits_at_once, "a journal that waits must be awaited: use deliver()"
        return self._add_to_inboxes(user_names, raw, provenance)

    def _add_to_inboxes(
        self,
        user_names: Iterable[str],
        raw: bytes | ParsedMessage,
        provenance: Provenance | Mapping[str, Provenance] | None,
    ) -> list[Message]:
        content: bytes | ParsedMessage = raw
        # One record for every copy, or one per user. Provenance is asked first: an isinstance against the
        # Mapping ABC costs more than the rest of a delivery's setup.
        if provenance is None or isinstance(provenance, Provenance):
            by_user, shared = None, provenance
        else:
            by_user, shared = provenance, None
        stored: list[Message] = []
        names = dict.fromkeys(map(str.lower, user_names))  # map: no generator to run
        if len(names) > 1:  # the copies hold one CRLF form: work it out once, for all of them
            content = raw if isinstance(raw, ParsedMessage) else ParsedMessage(raw)
            content.raw  # noqa: B018 (the property keeps what it works out)
        for name in names:
            account = self._accounts.get(name) or self._new_account(name, name, None)
            inbox = account.inbox
            facts = by_user.get(name) if by_user is not None else shared
            message = mutations.add_message(self.journal, inbox, content, (), None, facts)
            self._publish(inbox, MessagesAdded(inbox, [message]))
            if self.delivery_listeners:
                self._notify_delivery(inbox, [message])
            stored.append(message)
        return stored

    async def set_flags(
        self,
        mailbox: Mailbox,
        messages: Sequence[Message],
        flags: Iterable[str],
        mode: FlagMode,
        origin: object | None = None,
    ) -> list[Message]:
        """Change flags; returns the messages whose flags actually changed."""
        wanted = frozenset(canonical_flag(flag) for flag in flags)
        changed: list[Message] = []
        for message in messages:
            if mode is FlagMode.REPLACE:
                new = wanted
            elif mode is FlagMode.ADD:
                new = message.flags | wanted
            else:
                new = message.flags - wanted
            if new != message.flags:
                message.flags = shared_flags(new)
                mailbox.highest_modseq += 1  # Mailbox.next_modseq, inlined: this loop is STORE's hot path
                message.modseq = mailbox.highest_modseq
                changed.append(message)
        if changed:
            self.journal.flags_changed(mailbox, changed)
            self._publish(mailbox, FlagsChanged(mailbox, changed, origin))
            await self.journal.commit()
        return changed

    async def expunge(self, mailbox: Mailbox, uids: Iterable[int], origin: object | None = None) -> list[int]:
        """Remove the messages with these UIDs; returns the UIDs removed, ascending."""
        gone = sorted(uid for uid in set(uids) if uid in mailbox.by_uid)
        if gone:
            mutations.remove_messages(self.journal, mailbox, gone)
            self._publish(mailbox, MessagesExpunged(mailbox, gone, origin))
            await self.journal.commit()
        return gone

    async def copy(self, messages: Sequence[Message], target: Mailbox) -> list[Message]:
        """Copy into ``target`` keeping flags and internal dates; returns the new messages in order."""
        mutations.require_selectable(target)
        copies = [mutations.copy_message(self.journal, target, message) for message in messages]
        if copies:
            self._publish(target, MessagesAdded(target, copies))
            self._notify_delivery(target, copies)
            await self.journal.commit()
        return copies

    async def move(
        self, source: Mailbox, messages: Sequence[Message], target: Mailbox, origin: object | None = None
    ) -> list[Message]:
        """RFC 6851: copy then expunge, committed together."""
        mutations.require_selectable(target)
        copies = [mutations.copy_message(self.journal, target, message) for message in messages]
        if copies:
            uids = [message.uid for message in messages]
            mutations.remove_messages(self.journal, source, uids)
            self._publish(target, MessagesAdded(target, copies))
            self._notify_delivery(target, copies)
            self._publish(source, MessagesExpunged(source, sorted(uids), origin))
            await self.journal.commit()
        return copies

    # ------------------------------------------------------------------ whole-store operations

    async def purge(self) -> None:
        """Remove every message; users and mailboxes stay."""
        for account in self._accounts.values():
            for mailbox in account.mailboxes.values():
                self._empty(mailbox)
        await self.journal.commit()

    async def remove_messages(self, mailboxes: Iterable[Mailbox]) -> int:
        """Remove every message of these mailboxes (one user's mail); returns how many went."""
        removed = sum(self._empty(mailbox) for mailbox in mailboxes)
        await self.journal.commit()
        return removed

    def _empty(self, mailbox: Mailbox) -> int:
        uids = [message.uid for message in mailbox.messages]
        if uids:
            mutations.remove_messages(self.journal, mailbox, uids)
            self._publish(mailbox, MessagesExpunged(mailbox, uids))
        return len(uids)

    async def clear(self) -> None:
        """Remove everything (the first half of a reset: the caller then adds the seed back)."""
        for account in self._accounts.values():
            account.removed = True
            for mailbox in account.mailboxes.values():
                self._publish(mailbox, MailboxRemoved(mailbox, None))
                # An account and its mailboxes refer to each other, so only the cycle collector would free
                # them, and it looks at old objects rarely: let go of the messages now, by reference count,
                # so the next messages reuse their memory.
                mailbox.release_messages()
        self._accounts.clear()
        self._by_email.clear()
        self._mailboxes.clear()
        self.journal.cleared()
        await self.journal.commit()
