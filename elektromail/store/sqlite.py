"""SQLite persistence (``ELEKTROMAIL_DB``): the in-memory store, with every change made durable.

Memory stays the single source of truth while the server runs and serves every read. This module adds a
:class:`SqliteJournal`: the store records each change here synchronously, in memory order, as SQL
statements built from a snapshot of the values at that moment; one writer task writes everything recorded
so far in one transaction, and every ``commit()`` caller waits for the transaction that holds its changes.
While one transaction is being synced to disk the next one fills up, so many parallel sessions share
each fsync instead of queueing on it (group commit).

At start-up :func:`open_sqlite_store` checks the file, takes an exclusive lock on it (one server per
database), migrates the schema forward and loads everything into memory. Anything wrong with the file
stops start-up with a :class:`~elektromail.config.ConfigError`: the server never silently starts empty.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import groupby
from typing import Any

import aiosqlite
import msgspec

from elektromail.config import ConfigError
from elektromail.mail.message import ParsedMessage
from elektromail.store.memory import Store
from elektromail.store.model import Account, Mailbox, Message
from elektromail.store.schema import SchemaError, migrate

log = logging.getLogger("elektromail.store")

SETTING = "ELEKTROMAIL_DB"

# How long start-up waits on a lock another program holds briefly (a backup, an inspection) before it
# reports the database as in use.
LOCK_WAIT_MS = 1000

Statement = tuple[str, tuple[Any, ...]]

_encode_flags = msgspec.json.Encoder().encode
_decode_flags = msgspec.json.Decoder(list[str]).decode
NO_FLAGS_TEXT = "[]"

# Counter names the store journals (see Store._new_account / _new_mailbox).
ACCOUNT_ID = "account_id"
MAILBOX_ID = "mailbox_id"
UID_VALIDITY = "uid_validity"

INSERT_ACCOUNT = "INSERT INTO account (id, name, password, email) VALUES (?, ?, ?, ?)"
UPDATE_ACCOUNT = "UPDATE account SET password = ?, email = ? WHERE id = ?"
# A removed user takes everything it owns along; the tables have no foreign keys to cascade.
DELETE_ACCOUNT = (
    "DELETE FROM message WHERE mailbox_id IN (SELECT id FROM mailbox WHERE account_id = ?)",
    "DELETE FROM expunged WHERE mailbox_id IN (SELECT id FROM mailbox WHERE account_id = ?)",
    "DELETE FROM subscription WHERE account_id = ?",
    "DELETE FROM mailbox WHERE account_id = ?",
    "DELETE FROM account WHERE id = ?",
)
INSERT_MAILBOX = (
    "INSERT INTO mailbox (id, account_id, name, uid_validity, uid_next, highest_modseq, selectable)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
UPDATE_MAILBOX = (
    "UPDATE mailbox SET name = ?, uid_validity = ?, uid_next = ?, highest_modseq = ?, selectable = ? WHERE id = ?"
)
INSERT_SUBSCRIPTION = "INSERT OR IGNORE INTO subscription (account_id, name) VALUES (?, ?)"
DELETE_SUBSCRIPTION = "DELETE FROM subscription WHERE account_id = ? AND name = ?"
DELETE_MAILBOX_MESSAGES = "DELETE FROM message WHERE mailbox_id = ?"
DELETE_MAILBOX_EXPUNGED = "DELETE FROM expunged WHERE mailbox_id = ?"
DELETE_MAILBOX = "DELETE FROM mailbox WHERE id = ?"
INSERT_MESSAGE = "INSERT INTO message (mailbox_id, uid, flags, internal_date, raw, modseq) VALUES (?, ?, ?, ?, ?, ?)"
UPDATE_FLAGS = "UPDATE message SET flags = ?, modseq = ? WHERE mailbox_id = ? AND uid = ?"
DELETE_MESSAGE = "DELETE FROM message WHERE mailbox_id = ? AND uid = ?"
INSERT_EXPUNGED = "INSERT OR REPLACE INTO expunged (mailbox_id, uid, modseq) VALUES (?, ?, ?)"
# UIDNEXT only grows, so the latest value of a batch can be written last whatever came in between.
ADVANCE_UID_NEXT = "UPDATE mailbox SET uid_next = max(uid_next, ?) WHERE id = ?"
# HIGHESTMODSEQ only grows too: every message added, flag change and expunge of a batch moves it once.
ADVANCE_HIGHEST_MODSEQ = "UPDATE mailbox SET highest_modseq = max(highest_modseq, ?) WHERE id = ?"
SET_COUNTER = "INSERT INTO counter (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value"


class JournalError(Exception):
    """A change could not be written: it must not be acknowledged."""


def flags_text(flags: frozenset[str]) -> str:
    if not flags:
        return NO_FLAGS_TEXT
    return _encode_flags(sorted(flags)).decode()


class SqliteJournal:
    """Records store changes as SQL and writes them in group-committed transactions."""

    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self.path = path
        self._conn = conn
        self._loop = asyncio.get_running_loop()
        self._statements: list[Statement] = []
        self._uid_next: dict[int, int] = {}  # mailbox id -> latest UIDNEXT recorded in this batch
        self._highest_modseq: dict[int, int] = {}  # mailbox id -> latest HIGHESTMODSEQ recorded in this batch
        self._counters: dict[str, int] = {}
        self._pending: asyncio.Future[None] | None = None  # resolves when the batch being recorded is on disk
        self._writing: asyncio.Future[None] | None = None  # resolves when the batch being written is on disk
        self._wake = asyncio.Event()
        self._closing = False
        self._closed = False
        self._failure: BaseException | None = None
        self.transactions = 0  # committed write transactions: how well group commit groups
        self._writer = self._loop.create_task(self._write_batches(), name="elektromail-sqlite-writer")

    # ------------------------------------------------------------------ recording (synchronous)

    def account_added(self, account: Account) -> None:
        self._statements.append((INSERT_ACCOUNT, (account.id, account.name, account.password, account.email)))

    def account_updated(self, account: Account) -> None:
        self._statements.append((UPDATE_ACCOUNT, (account.password, account.email, account.id)))

    def account_removed(self, account: Account) -> None:
        self._statements.extend((sql, (account.id,)) for sql in DELETE_ACCOUNT)

    def mailbox_added(self, mailbox: Mailbox) -> None:
        row = (
            mailbox.id,
            mailbox.account.id,
            mailbox.name,
            mailbox.uid_validity,
            mailbox.uid_next,
            mailbox.highest_modseq,
            mailbox.selectable,
        )
        self._statements.append((INSERT_MAILBOX, row))

    def mailbox_updated(self, mailbox: Mailbox) -> None:
        row = (
            mailbox.name,
            mailbox.uid_validity,
            mailbox.uid_next,
            mailbox.highest_modseq,
            mailbox.selectable,
            mailbox.id,
        )
        self._statements.append((UPDATE_MAILBOX, row))

    def mailbox_removed(self, mailbox: Mailbox) -> None:
        self._statements.append((DELETE_MAILBOX_MESSAGES, (mailbox.id,)))
        self._statements.append((DELETE_MAILBOX_EXPUNGED, (mailbox.id,)))
        self._statements.append((DELETE_MAILBOX, (mailbox.id,)))

    def subscription_changed(self, account: Account, name: str, subscribed: bool) -> None:
        self._statements.append((INSERT_SUBSCRIPTION if subscribed else DELETE_SUBSCRIPTION, (account.id, name)))

    def message_added(self, mailbox: Mailbox, message: Message) -> None:
        row = (
            mailbox.id,
            message.uid,
            flags_text(message.flags),
            message.internal_date.isoformat(),
            message.source,
            message.modseq,
        )
        self._statements.append((INSERT_MESSAGE, row))
        self._uid_next[mailbox.id] = mailbox.uid_next
        self._highest_modseq[mailbox.id] = mailbox.highest_modseq

    def flags_changed(self, mailbox: Mailbox, messages: list[Message]) -> None:
        for message in messages:
            row = (flags_text(message.flags), message.modseq, mailbox.id, message.uid)
            self._statements.append((UPDATE_FLAGS, row))
        self._highest_modseq[mailbox.id] = mailbox.highest_modseq

    def messages_removed(self, mailbox: Mailbox, uids: list[int]) -> None:
        modseq = mailbox.highest_modseq
        for uid in uids:
            self._statements.append((DELETE_MESSAGE, (mailbox.id, uid)))
        for uid in uids:
            self._statements.append((INSERT_EXPUNGED, (mailbox.id, uid, modseq)))
        self._highest_modseq[mailbox.id] = modseq

    def counter_updated(self, name: str, value: int) -> None:
        self._counters[name] = value

    def cleared(self) -> None:
        for table in ("message", "expunged", "subscription", "mailbox", "account"):
            self._statements.append((f"DELETE FROM {table}", ()))

    # ------------------------------------------------------------------ committing

    def _has_changes(self) -> bool:
        return bool(self._statements or self._uid_next or self._highest_modseq or self._counters)

    async def commit(self) -> None:
        """Return once every change recorded so far is in a committed transaction."""
        if self._failure is not None:
            raise JournalError(f"the database {self.path} cannot be written: {self._failure}")
        if self._closed:
            raise JournalError(f"the database {self.path} is closed")
        if self._has_changes():
            if self._pending is None:
                self._pending = self._loop.create_future()
            waiter = self._pending
            self._wake.set()
        elif self._writing is not None:
            waiter = self._writing  # our changes were taken by the transaction now being written
        else:
            return
        # A session that goes away mid-commit must not cancel the transaction others wait on.
        await asyncio.shield(waiter)

    async def _write_batches(self) -> None:
        while True:
            if not self._has_changes():
                if self._closing:
                    return
                await self._wake.wait()
                self._wake.clear()
                continue
            statements, uid_next, counters = self._statements, self._uid_next, self._counters
            highest_modseq = self._highest_modseq
            self._statements, self._uid_next, self._highest_modseq, self._counters = [], {}, {}, {}
            done = self._pending if self._pending is not None else self._loop.create_future()
            self._pending = None
            self._writing = done
            try:
                if self._failure is not None:
                    raise JournalError(f"the database {self.path} cannot be written: {self._failure}")
                await self._write(statements, uid_next, highest_modseq, counters)
            except Exception as error:
                if self._failure is None:
                    # Memory now holds changes the file does not: refuse every later write rather than
                    # acknowledge changes on top of a gap.
                    log.error("writing to %s failed, no further changes will be acknowledged: %s", self.path, error)
                    self._failure = error
                done.set_exception(JournalError(f"the database {self.path} cannot be written: {error}"))
                done.exception()  # retrieved here: waiters get it; an unawaited batch is not an error
            else:
                self.transactions += 1
                done.set_result(None)
            finally:
                self._writing = None

    async def _write(
        self,
        statements: list[Statement],
        uid_next: dict[int, int],
        highest_modseq: dict[int, int],
        counters: dict[str, int],
    ) -> None:
        conn = self._conn
        await conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, rows in _runs(statements):
                if len(rows) == 1:
                    await conn.execute(sql, rows[0])
                else:
                    await conn.executemany(sql, rows)
            if uid_next:
                await conn.executemany(ADVANCE_UID_NEXT, [(value, key) for key, value in uid_next.items()])
            if highest_modseq:
                rows = [(value, key) for key, value in highest_modseq.items()]
                await conn.executemany(ADVANCE_HIGHEST_MODSEQ, rows)
            if counters:
                await conn.executemany(SET_COUNTER, list(counters.items()))
            await conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                await conn.execute("ROLLBACK")
            raise

    async def close(self) -> None:
        """Write what is still pending, then close the database (releasing its lock)."""
        if self._closed:
            return
        self._closing = True
        self._wake.set()
        with contextlib.suppress(Exception):
            await self._writer
        self._closed = True
        await self._conn.close()


def _runs(statements: list[Statement]) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """Consecutive statements with the same SQL, as one executemany each (order is kept)."""
    for sql, group in groupby(statements, key=lambda statement: statement[0]):
        yield sql, [params for _, params in group]


# ---------------------------------------------------------------------- opening and loading


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
    await migrate(conn)
    rows = list(await conn.execute_fetchall("PRAGMA quick_check"))
    problems = [str(row[0]) for row in rows if row[0] != "ok"]
    if problems:
        raise CorruptDatabase("; ".join(problems[:3]))


async def _load(conn: aiosqlite.Connection) -> tuple[list[Account], tuple[int, int, int]]:
    """Everything, into the memory model; returns the accounts and the next account id, mailbox id and
    UIDVALIDITY."""
    account_rows = await conn.execute_fetchall("SELECT id, name, password, email FROM account ORDER BY id")
    mailbox_rows = await conn.execute_fetchall(
        "SELECT id, account_id, name, uid_validity, uid_next, highest_modseq, expunges_known_from, selectable"
        " FROM mailbox ORDER BY id"
    )
    subscription_rows = await conn.execute_fetchall("SELECT account_id, name FROM subscription")
    message_rows = await conn.execute_fetchall(
        "SELECT mailbox_id, uid, flags, internal_date, raw, modseq FROM message ORDER BY mailbox_id, uid"
    )
    expunged_rows = await conn.execute_fetchall("SELECT mailbox_id, uid, modseq FROM expunged")
    counter_rows = await conn.execute_fetchall("SELECT name, value FROM counter")

    accounts: dict[int, Account] = {}
    names: set[str] = set()
    for account_id, name, password, email in account_rows:
        if name.lower() in names:
            raise CorruptDatabase(f"user {name!r} is stored twice")
        names.add(name.lower())
        accounts[account_id] = Account(account_id, name, password, email)

    mailboxes: dict[int, Mailbox] = {}
    for mailbox_id, account_id, name, uid_validity, uid_next, highest_modseq, known_from, selectable in mailbox_rows:
        owner = accounts.get(account_id)
        if owner is None:
            raise CorruptDatabase(f"mailbox {name!r} belongs to no stored user")
        if name in owner.mailboxes:
            raise CorruptDatabase(f"mailbox {name!r} of {owner.name!r} is stored twice")
        mailbox = Mailbox(mailbox_id, owner, name, uid_validity)
        mailbox.uid_next = uid_next
        mailbox.highest_modseq = highest_modseq
        mailbox.expunges_known_from = known_from
        mailbox.selectable = bool(selectable)
        owner.mailboxes[name] = mailbox
        mailboxes[mailbox_id] = mailbox
    for account_id, name in subscription_rows:
        owner = accounts.get(account_id)
        if owner is None:
            raise CorruptDatabase(f"subscription {name!r} belongs to no stored user")
        owner.subscriptions.add(name)
    for account in accounts.values():
        if "INBOX" not in account.mailboxes:
            raise CorruptDatabase(f"user {account.name!r} has no INBOX")

    _load_messages(message_rows, mailboxes)
    _load_expunged(expunged_rows, mailboxes)

    stored = {str(name): int(value) for name, value in counter_rows}
    # A counter is never behind what is stored, even if the counter row itself was lost.
    next_account_id = max(stored.get(ACCOUNT_ID, 1), max(accounts, default=0) + 1)
    next_mailbox_id = max(stored.get(MAILBOX_ID, 1), max(mailboxes, default=0) + 1)
    highest_validity = max((mailbox.uid_validity for mailbox in mailboxes.values()), default=0)
    next_uid_validity = max(stored.get(UID_VALIDITY, 1), highest_validity + 1)
    return list(accounts.values()), (next_account_id, next_mailbox_id, next_uid_validity)


def _load_messages(rows: Iterable[Any], mailboxes: dict[int, Mailbox]) -> None:
    flag_sets: dict[str, frozenset[str]] = {NO_FLAGS_TEXT: frozenset()}  # one object per distinct set
    from_iso = datetime.fromisoformat
    current_id = -1
    mailbox: Mailbox | None = None
    for mailbox_id, uid, flags, internal_date, raw, modseq in rows:
        if mailbox_id != current_id:
            current_id = mailbox_id
            mailbox = mailboxes.get(mailbox_id)
            if mailbox is None:
                raise CorruptDatabase(f"message {uid} belongs to no stored mailbox")
        assert mailbox is not None
        if uid >= mailbox.uid_next:
            raise CorruptDatabase(f"message {uid} of {mailbox.name!r} is not below UIDNEXT {mailbox.uid_next}")
        flag_set = flag_sets.get(flags)
        if flag_set is None:
            try:
                flag_set = flag_sets[flags] = frozenset(_decode_flags(flags))
            except msgspec.DecodeError:
                raise CorruptDatabase(f"message {uid} of {mailbox.name!r} has unreadable flags") from None
        try:
            date = from_iso(internal_date)
        except (TypeError, ValueError):
            raise CorruptDatabase(f"message {uid} of {mailbox.name!r} has an unreadable date") from None
        message = Message(uid, flag_set, date, ParsedMessage(bytes(raw)), modseq)
        if modseq > mailbox.highest_modseq:
            # HIGHESTMODSEQ is never behind a message, even if the mailbox row's value was lost.
            mailbox.highest_modseq = modseq
        mailbox.messages.append(message)
        mailbox.by_uid[uid] = message


def _load_expunged(rows: Iterable[Any], mailboxes: dict[int, Mailbox]) -> None:
    for mailbox_id, uid, modseq in rows:
        mailbox = mailboxes.get(mailbox_id)
        if mailbox is None:
            raise CorruptDatabase(f"expunged message {uid} belongs to no stored mailbox")
        if uid in mailbox.by_uid:
            raise CorruptDatabase(f"message {uid} of {mailbox.name!r} is both stored and expunged")
        mailbox.expunged[uid] = modseq
        # An expunge moved HIGHESTMODSEQ, so it is never behind one either.
        mailbox.highest_modseq = max(mailbox.highest_modseq, modseq)
