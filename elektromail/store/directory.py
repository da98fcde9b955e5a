"""Who and where: the accounts of a store, their mailboxes and subscriptions, and how a change is published.

:class:`~elektromail.store.store.Store` builds on this with the writes that add, change and remove
messages. Every write here changes memory, records the change in the journal, publishes an event and
then waits for the journal to commit, as the store's writes do.
"""

from __future__ import annotations

from collections.abc import Iterable

from elektromail.store import mutations
from elektromail.store.errors import StoreError, StoreErrorCode
from elektromail.store.journal import Journal
from elektromail.store.model import (
    HIERARCHY_SEPARATOR,
    INBOX,
    Account,
    Listener,
    Mailbox,
    MailboxEvent,
    MailboxRemoved,
    Message,
    MessagesAdded,
    MessagesExpunged,
    canonical_mailbox_name,
)
from elektromail.store.observer import StoreObserver


class Directory:
    """Accounts and mailboxes of one server process. Not thread-safe: used from the event loop only."""

    def __init__(self, journal: Journal | None = None) -> None:
        self.journal = journal if journal is not None else Journal()
        self._accounts: dict[str, Account] = {}
        self._by_email: dict[str, Account] = {}  # lower-cased address -> the account that claims it
        self._mailboxes: dict[int, Mailbox] = {}  # by mailbox id, for server-wide message ids
        self._next_account_id = 1
        self._next_mailbox_id = 1
        self._next_uid_validity = 1
        # Store-wide listeners of new messages (the HTTP wait endpoint).
        self.delivery_listeners: set[Listener] = set()
        self.observer = StoreObserver()  # hears of every change (the event stream), before waits wake

    def restore(
        self, accounts: Iterable[Account], next_account_id: int, next_mailbox_id: int, next_uid_validity: int
    ) -> None:
        """Fill an empty store with state a persistent backend loaded: nothing is journalled or published."""
        assert not self._accounts, "restore() fills an empty store only"
        self._accounts = {account.name.lower(): account for account in accounts}
        self._by_email = {account.email.lower(): account for account in accounts if account.email}
        self._mailboxes = {mailbox.id: mailbox for account in accounts for mailbox in account.mailboxes.values()}
        self._next_account_id = next_account_id
        self._next_mailbox_id = next_mailbox_id
        self._next_uid_validity = next_uid_validity

    # ------------------------------------------------------------------ reads

    def accounts(self) -> list[Account]:
        return list(self._accounts.values())

    def account(self, name: str) -> Account | None:
        """User names are case-insensitive."""
        return self._accounts.get(name.lower())

    def message_by_id(self, message_id: str) -> tuple[Mailbox, Message] | None:
        """The message a :meth:`Mailbox.message_id` names, if it is still stored."""
        mailbox_id, _, uid = message_id.partition("-")
        if not (mailbox_id.isdigit() and uid.isdigit()):
            return None
        mailbox = self._mailboxes.get(int(mailbox_id))
        message = mailbox.by_uid.get(int(uid)) if mailbox is not None else None
        if mailbox is None or message is None:
            return None
        return mailbox, message

    def owner_of(self, address: str) -> str | None:
        """The name of the user whose email address ``address`` is (case-insensitively), if any."""
        account = self._by_email.get(address.lower())
        return None if account is None else account.name

    def _check_email_free(self, email: str | None, account: Account | None) -> None:
        owner = self._by_email.get(email.lower()) if email else None
        if owner is not None and owner is not account:
            raise StoreError(StoreErrorCode.ALREADY_EXISTS, f"email address {email!r} belongs to user {owner.name!r}")

    def check_password(self, name: str, password: str) -> Account | None:
        account = self.account(name)
        if account is None or account.password != password:
            return None
        return account

    # ------------------------------------------------------------------ accounts

    async def add_user(self, name: str, password: str, email: str | None = None) -> Account:
        if not name or any(ch in name for ch in ' \t\r\n"\\'):
            raise StoreError(StoreErrorCode.INVALID_NAME, f"invalid user name {name!r}")
        if self.account(name) is not None:
            raise StoreError(StoreErrorCode.ALREADY_EXISTS, f"user {name!r} already exists")
        self._check_email_free(email, None)
        account = self._new_account(name, password, email)
        await self.journal.commit()
        return account

    async def ensure_account(self, name: str) -> Account:
        """The account for a delivery, created on first use with the user name as its password."""
        account = self.account(name)
        if account is None:
            account = self._new_account(name, name, None)
            await self.journal.commit()
        return account

    async def update_user(self, account: Account, password: str | None = None, email: str | None = None) -> None:
        self._check_email_free(email, account)
        if password is not None:
            account.password = password
        if email is not None:
            if account.email:
                self._by_email.pop(account.email.lower(), None)
            account.email = email
            self._by_email[email.lower()] = account
        self.journal.account_updated(account)
        await self.journal.commit()

    async def remove_user(self, account: Account) -> None:
        """Delete a user with all its mailboxes and mail; sessions that have one of them selected end."""
        mutations.require_live(account)
        account.removed = True
        del self._accounts[account.name.lower()]
        if account.email:
            self._by_email.pop(account.email.lower(), None)
        for mailbox in account.mailboxes.values():
            del self._mailboxes[mailbox.id]
            self._publish(mailbox, MailboxRemoved(mailbox, None))
            mailbox.release_messages()  # freed now, not when the cycle collector finds the account
        self.journal.account_removed(account)
        self.observer.user_deleted(account.name)
        await self.journal.commit()

    def _new_account(self, name: str, password: str, email: str | None) -> Account:
        account = Account(self._next_account_id, name, password, email)
        self._next_account_id += 1
        self.journal.counter_updated("account_id", self._next_account_id)
        self._accounts[name.lower()] = account
        if email:
            self._by_email[email.lower()] = account
        self.journal.account_added(account)
        self.observer.user_created(account.name)
        self._new_mailbox(account, INBOX)
        return account

    # ------------------------------------------------------------------ mailboxes

    def _new_mailbox(self, account: Account, name: str) -> Mailbox:
        mutations.require_live(account)
        mailbox = Mailbox(self._next_mailbox_id, account, name, self._next_uid_validity)
        self._mailboxes[mailbox.id] = mailbox
        self._next_mailbox_id += 1
        self._next_uid_validity += 1
        self.journal.counter_updated("mailbox_id", self._next_mailbox_id)
        self.journal.counter_updated("uid_validity", self._next_uid_validity)
        account.mailboxes[name] = mailbox
        self.journal.mailbox_added(mailbox)
        self.observer.mailbox_created(mailbox)
        return mailbox

    def _add_superiors(self, account: Account, name: str) -> None:
        parts = name.split(HIERARCHY_SEPARATOR)
        for depth in range(1, len(parts)):
            superior = HIERARCHY_SEPARATOR.join(parts[:depth])
            if superior not in account.mailboxes:
                self._new_mailbox(account, superior)

    async def create_mailbox(self, account: Account, name: str) -> Mailbox:
        """Create ``name`` and any missing superior names (RFC 9051 6.3.4)."""
        name = mutations.valid_mailbox_name(name)
        existing = account.mailboxes.get(name)
        if existing is not None and existing.selectable:
            raise StoreError(StoreErrorCode.ALREADY_EXISTS, "mailbox already exists")
        self._add_superiors(account, name)
        if existing is not None:  # a \Noselect placeholder becomes a real mailbox again
            existing.selectable = True
            self.journal.mailbox_updated(existing)
            self.observer.mailbox_created(existing)
            mailbox = existing
        else:
            mailbox = self._new_mailbox(account, name)
        await self.journal.commit()
        return mailbox

    async def delete_mailbox(self, account: Account, name: str) -> None:
        """RFC 9051 6.3.5: a mailbox with children loses its messages and becomes \\Noselect."""
        mailbox = self._require_mailbox(account, name)
        if mailbox.name == INBOX:
            raise StoreError(StoreErrorCode.NOT_ALLOWED, "INBOX cannot be deleted")
        has_children = bool(account.children(mailbox.name))
        if has_children and not mailbox.selectable:
            raise StoreError(StoreErrorCode.HAS_CHILDREN, "mailbox has children and is already \\Noselect")
        uids = [message.uid for message in mailbox.messages]
        if has_children:
            if uids:  # the UIDs stay expunged: a later CREATE revives the mailbox with its UIDVALIDITY
                mutations.remove_messages(self.journal, mailbox, uids)
            mailbox.selectable = False
            self.journal.mailbox_updated(mailbox)
        else:
            del account.mailboxes[mailbox.name]
            del self._mailboxes[mailbox.id]
            self.journal.mailbox_removed(mailbox)
        self._publish(mailbox, MailboxRemoved(mailbox, None))
        if not has_children:
            mailbox.release_messages()
        self.observer.mailbox_deleted(account.name, mailbox.name)
        await self.journal.commit()

    async def rename_mailbox(self, account: Account, old: str, new: str) -> Mailbox:
        """RFC 9051 6.3.6: children move along; renaming INBOX moves its messages to a new mailbox."""
        source = self._require_mailbox(account, old)
        new = mutations.valid_mailbox_name(new)
        if new in account.mailboxes:
            raise StoreError(StoreErrorCode.ALREADY_EXISTS, "target mailbox already exists")
        if new == source.name or new.startswith(source.name + HIERARCHY_SEPARATOR):
            raise StoreError(StoreErrorCode.NOT_ALLOWED, "cannot rename a mailbox into itself")
        self._add_superiors(account, new)
        if source.name == INBOX:
            target = self._new_mailbox(account, new)
            moved = list(source.messages)
            for message in moved:
                mutations.copy_message(self.journal, target, message)
            uids = [message.uid for message in moved]
            mutations.remove_messages(self.journal, source, uids)
            self._publish(source, MessagesExpunged(source, uids))
            await self.journal.commit()
            return target
        renamed = [source, *account.children(source.name)]
        old_prefix = source.name
        for mailbox in renamed:
            del account.mailboxes[mailbox.name]
        for mailbox in renamed:
            self._publish(mailbox, MailboxRemoved(mailbox, None))
            old_name, mailbox.name = mailbox.name, new + mailbox.name[len(old_prefix) :]
            account.mailboxes[mailbox.name] = mailbox
            self.journal.mailbox_updated(mailbox)
            self.observer.mailbox_renamed(account.name, old_name, mailbox.name)
        await self.journal.commit()
        return source

    async def set_subscribed(self, account: Account, name: str, subscribed: bool) -> None:
        """Add or remove a name from the account's subscriptions; the mailbox need not exist.

        RFC 9051 6.3.7 lets a server subscribe a name that has no mailbox (it is then listed with
        \\NonExistent), and 6.3.8 makes unsubscribing a name that is not subscribed harmless.
        """
        name = canonical_mailbox_name(name.rstrip(HIERARCHY_SEPARATOR) or name)
        if not name:
            raise StoreError(StoreErrorCode.INVALID_NAME, "invalid mailbox name")
        mutations.require_live(account)
        if (name in account.subscriptions) == subscribed:
            return
        if subscribed:
            account.subscriptions.add(name)
        else:
            account.subscriptions.discard(name)
        self.journal.subscription_changed(account, name, subscribed)
        await self.journal.commit()

    def _require_mailbox(self, account: Account, name: str) -> Mailbox:
        mailbox = account.mailbox(name)
        if mailbox is None:
            raise StoreError(StoreErrorCode.NO_SUCH_MAILBOX, "no such mailbox")
        return mailbox

    def _publish(self, mailbox: Mailbox, event: MailboxEvent) -> None:
        mailbox.publish(event)
        self.observer.mailbox_changed(event)

    def _notify_delivery(self, mailbox: Mailbox, messages: list[Message]) -> None:
        for listener in tuple(self.delivery_listeners):
            listener(MessagesAdded(mailbox, messages))
