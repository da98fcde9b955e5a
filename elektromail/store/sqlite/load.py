"""Opening a database (``ELEKTROMAIL_DB``): check the file, lock it, bring its schema up to date, and load
everything into a fresh in-memory store that then journals to it.

Start-up takes an exclusive lock on the file (one server per database). Anything wrong with the file
stops start-up with a :class:`~elektromail.config.ConfigError`: the server never silently starts empty.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from datetime import datetime

import aiosqlite
import msgspec

from elektromail.config import ConfigError
from elektromail.store.model import INBOX, Account, Mailbox, Message
from elektromail.store.provenance import decode_provenance
from elektromail.store.sqlite import schema
from elektromail.store.sqlite.journal import NO_FLAGS_TEXT, SqliteJournal
from elektromail.store.sqlite.migrations import SchemaError, create_or_migrate
from elektromail.store.store import Store

SETTING = "ELEKTROMAIL_DB"

# How long start-up waits on a lock another program holds briefly (a backup, an inspection) before it
# reports the database as in use.
LOCK_WAIT_MS = 1000

_decode_flags = msgspec.json.Decoder(list[str]).decode

# Counter names the store journals (see Store._new_account / _new_mailbox).
ACCOUNT_ID = "account_id"
MAILBOX_ID = "mailbox_id"
UID_VALIDITY = "uid_validity"


class CorruptDatabase(Exception):
    """The file is a database of ours whose content does not hold together."""


async def open_sqlite_store(path: str) -> Store:
    """Open (or create) the database at ``path`` and return a store loaded from it, journalling to it."""
    _check_path(path)
    try:
        conn = await aiosqlite.connect(path, isolation_level=None)
    except sqlite3.Error as error:
        raise _config_error(path, error) from None
    try:
        await _prepare(conn)
        accounts, counters = await _load(conn)
        store = Store(SqliteJournal(conn, path))
    except BaseException as error:
        await conn.close()
        if isinstance(error, sqlite3.Error):
            raise _config_error(path, error) from None
        if isinstance(error, SchemaError):
            raise ConfigError(f"{SETTING}: {path} {error}") from None
        if isinstance(error, CorruptDatabase):
            raise ConfigError(f"{SETTING}: {path} is corrupt: {error}") from None
        raise
    store.restore(accounts, *counters)
    return store


def _check_path(path: str) -> None:
    """The failures SQLite would report vaguely (or, as root, not at all), named plainly."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise ConfigError(f"{SETTING}: the directory {directory} does not exist")
    if os.path.isdir(path):
        raise ConfigError(f"{SETTING}: {path} is a directory, not a database file")
    if os.path.exists(path):
        try:
            os.close(os.open(path, os.O_RDWR))
        except OSError as error:
            raise ConfigError(
                f"{SETTING}: {path} is read-only ({error.strerror}); the server must write to it"
            ) from None


def _config_error(path: str, error: sqlite3.Error) -> ConfigError:
    name = getattr(error, "sqlite_errorname", "") or ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return ConfigError(f"{SETTING}: {path} is locked by another process (is another server using it?)")
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        return ConfigError(f"{SETTING}: {path} is corrupt or not a database ({error})")
    if name.startswith(("SQLITE_READONLY", "SQLITE_PERM", "SQLITE_CANTOPEN")):
        return ConfigError(f"{SETTING}: cannot open {path} for writing ({error})")
    return ConfigError(f"{SETTING}: cannot use {path} ({error})")


async def _prepare(conn: aiosqlite.Connection) -> None:
    """Lock the file for this process, switch to WAL and bring the schema up to date."""
    await conn.execute(f"PRAGMA busy_timeout = {LOCK_WAIT_MS}")
    # One server per file: the lock taken below is kept until close, so a second server fails fast
    # instead of both writing from diverging memories. Exclusive mode also lets WAL work without a
    # shared-memory file.
    await conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    rows = list(await conn.execute_fetchall("PRAGMA journal_mode = WAL"))
    if not rows or str(rows[0][0]).lower() != "wal":
        raise SchemaError(f"cannot be switched to WAL mode (journal mode is {rows[0][0] if rows else 'unknown'})")
    # FULL: a committed transaction survives power loss too, not only a crash of the process.
    await conn.execute("PRAGMA synchronous = FULL")
    await conn.execute("BEGIN IMMEDIATE")  # takes the write lock now, so "in use" is reported at start-up
    await conn.execute("COMMIT")
    await create_or_migrate(conn, schema.current_schema())
    rows = list(await conn.execute_fetchall("PRAGMA quick_check"))
    problems = [str(row[0]) for row in rows if row[0] != "ok"]
    if problems:
        raise CorruptDatabase("; ".join(problems[:3]))


async def _load(conn: aiosqlite.Connection) -> tuple[list[Account], tuple[int, int, int]]:
    """Everything, into the memory model; returns the accounts and the next account id, mailbox id and
    UIDVALIDITY."""
    account_rows = await conn.execute_fetchall(f"{schema.ACCOUNT.select} ORDER BY id")
    mailbox_rows = await conn.execute_fetchall(f"{schema.MAILBOX.select} ORDER BY id")
    subscription_rows = await conn.execute_fetchall(schema.SUBSCRIPTION.select)
    message_rows = await conn.execute_fetchall(f"{schema.MESSAGE.select} ORDER BY mailbox_id, uid")
    expunged_rows = await conn.execute_fetchall(schema.EXPUNGED.select)
    counter_rows = await conn.execute_fetchall(schema.COUNTER.select)

    accounts: dict[int, Account] = {}
    names: set[str] = set()
    for user in map(schema.AccountRow._make, account_rows):
        if user.name.lower() in names:
            raise CorruptDatabase(f"user {user.name!r} is stored twice")
        names.add(user.name.lower())
        accounts[user.id] = Account(user.id, user.name, user.password, user.email)

    mailboxes: dict[int, Mailbox] = {}
    for row in map(schema.MailboxRow._make, mailbox_rows):
        owner = accounts.get(row.account_id)
        if owner is None:
            raise CorruptDatabase(f"mailbox {row.name!r} belongs to no stored user")
        if row.name in owner.mailboxes:
            raise CorruptDatabase(f"mailbox {row.name!r} of {owner.name!r} is stored twice")
        mailbox = Mailbox(row.id, owner, row.name, row.uid_validity)
        mailbox.uid_next = row.uid_next
        mailbox.highest_modseq = row.highest_modseq
        mailbox.expunges_known_from = row.expunges_known_from
        mailbox.selectable = bool(row.selectable)
        owner.mailboxes[row.name] = mailbox
        mailboxes[row.id] = mailbox
    for subscription in map(schema.SubscriptionRow._make, subscription_rows):
        owner = accounts.get(subscription.account_id)
        if owner is None:
            raise CorruptDatabase(f"subscription {subscription.name!r} belongs to no stored user")
        owner.subscriptions.add(subscription.name)
    for account in accounts.values():
        if INBOX not in account.mailboxes:
            raise CorruptDatabase(f"user {account.name!r} has no INBOX")

    _load_messages(map(schema.MessageRow._make, message_rows), mailboxes)
    _load_expunged(map(schema.ExpungedRow._make, expunged_rows), mailboxes)

    stored = {str(counter.name): int(counter.value) for counter in map(schema.CounterRow._make, counter_rows)}
    # A counter is never behind what is stored, even if the counter row itself was lost.
    next_account_id = max(stored.get(ACCOUNT_ID, 1), max(accounts, default=0) + 1)
    next_mailbox_id = max(stored.get(MAILBOX_ID, 1), max(mailboxes, default=0) + 1)
    highest_validity = max((mailbox.uid_validity for mailbox in mailboxes.values()), default=0)
    next_uid_validity = max(stored.get(UID_VALIDITY, 1), highest_validity + 1)
    return list(accounts.values()), (next_account_id, next_mailbox_id, next_uid_validity)


def _load_messages(rows: Iterable[schema.MessageRow], mailboxes: dict[int, Mailbox]) -> None:
    flag_sets: dict[str, frozenset[str]] = {NO_FLAGS_TEXT: frozenset()}  # one object per distinct set
    from_iso = datetime.fromisoformat
    current_id = -1
    mailbox: Mailbox | None = None
    for row in rows:
        uid = row.uid
        if row.mailbox_id != current_id:
            current_id = row.mailbox_id
            mailbox = mailboxes.get(current_id)
            if mailbox is None:
                raise CorruptDatabase(f"message {uid} belongs to no stored mailbox")
        assert mailbox is not None
        if uid >= mailbox.uid_next:
            raise CorruptDatabase(f"message {uid} of {mailbox.name!r} is not below UIDNEXT {mailbox.uid_next}")
        flag_set = flag_sets.get(row.flags)
        if flag_set is None:
            try:
                flag_set = flag_sets[row.flags] = frozenset(_decode_flags(row.flags))
            except msgspec.DecodeError:
                raise CorruptDatabase(f"message {uid} of {mailbox.name!r} has unreadable flags") from None
        try:
            date = from_iso(row.internal_date)
        except (TypeError, ValueError):
            raise CorruptDatabase(f"message {uid} of {mailbox.name!r} has an unreadable date") from None
        modseq = row.modseq
        provenance = None
        if row.provenance is not None:
            try:
                provenance = decode_provenance(row.provenance)
            except msgspec.DecodeError:
                raise CorruptDatabase(f"message {uid} of {mailbox.name!r} has unreadable provenance") from None
        message = Message(uid, flag_set, date, bytes(row.raw), modseq, provenance)
        if modseq > mailbox.highest_modseq:
            # HIGHESTMODSEQ is never behind a message, even if the mailbox row's value was lost.
            mailbox.highest_modseq = modseq
        mailbox.append(message)


def _load_expunged(rows: Iterable[schema.ExpungedRow], mailboxes: dict[int, Mailbox]) -> None:
    for mailbox_id, uid, modseq in rows:
        mailbox = mailboxes.get(mailbox_id)
        if mailbox is None:
            raise CorruptDatabase(f"expunged message {uid} belongs to no stored mailbox")
        if uid in mailbox.by_uid:
            raise CorruptDatabase(f"message {uid} of {mailbox.name!r} is both stored and expunged")
        mailbox.expunged[uid] = modseq
        # An expunge moved HIGHESTMODSEQ, so it is never behind one either.
        mailbox.highest_modseq = max(mailbox.highest_modseq, modseq)
