"""The SQLite journal: every change of the in-memory store, made durable in group-committed transactions.

Memory stays the single source of truth while the server runs and serves every read. The store records
each change here synchronously, in memory order, as SQL statements built from a snapshot of the values at
that moment (the rows of ``schema.py``); one writer task writes everything recorded so far in one
transaction, and every ``commit()`` caller waits for the transaction that holds its changes. While one
transaction is being synced to disk the next one fills up, so many parallel sessions share each fsync
instead of queueing on it (group commit).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from itertools import groupby
from typing import Any

import aiosqlite
import msgspec

from elektromail.store.errors import JournalError
from elektromail.store.journal import Journal
from elektromail.store.model import Account, Mailbox, Message
from elektromail.store.provenance import encode_provenance
from elektromail.store.sqlite.schema import (
    ACCOUNT,
    ALL_TABLES,
    COUNTER,
    EXPUNGED,
    MAILBOX,
    MESSAGE,
    SUBSCRIPTION,
    AccountRow,
    MailboxRow,
    MessageRow,
)

log = logging.getLogger("elektromail.store")

Statement = tuple[str, tuple[Any, ...]]

_encode_flags = msgspec.json.Encoder().encode
NO_FLAGS_TEXT = "[]"

# A removed user takes everything it owns along; the tables have no foreign keys to cascade.
OWNED_BY_ACCOUNT = "mailbox_id IN (SELECT id FROM mailbox WHERE account_id = ?)"
DELETE_ACCOUNT = (
    f"DELETE FROM {MESSAGE.name} WHERE {OWNED_BY_ACCOUNT}",
    f"DELETE FROM {EXPUNGED.name} WHERE {OWNED_BY_ACCOUNT}",
    SUBSCRIPTION.delete_where("account_id"),
    MAILBOX.delete_where("account_id"),
    ACCOUNT.delete,
)
DELETE_MAILBOX = (MESSAGE.delete_where("mailbox_id"), EXPUNGED.delete_where("mailbox_id"), MAILBOX.delete)
UPDATE_FLAGS = MESSAGE.update_columns("flags", "modseq")
# UIDNEXT only grows, so the latest value of a batch can be written last whatever came in between.
ADVANCE_UID_NEXT = "UPDATE mailbox SET uid_next = max(uid_next, ?) WHERE id = ?"
# HIGHESTMODSEQ only grows too: every message added, flag change and expunge of a batch moves it once.
ADVANCE_HIGHEST_MODSEQ = "UPDATE mailbox SET highest_modseq = max(highest_modseq, ?) WHERE id = ?"
CLEAR = tuple(table.delete_where() for table in ALL_TABLES if table is not COUNTER)


def flags_text(flags: frozenset[str]) -> str:
    if not flags:
        return NO_FLAGS_TEXT
    return _encode_flags(sorted(flags)).decode()


def account_row(account: Account) -> AccountRow:
    return AccountRow(id=account.id, name=account.name, password=account.password, email=account.email)


def mailbox_row(mailbox: Mailbox) -> MailboxRow:
    return MailboxRow(
        id=mailbox.id,
        account_id=mailbox.account.id,
        name=mailbox.name,
        uid_validity=mailbox.uid_validity,
        uid_next=mailbox.uid_next,
        highest_modseq=mailbox.highest_modseq,
        expunges_known_from=mailbox.expunges_known_from,
        selectable=mailbox.selectable,
    )


def message_row(mailbox: Mailbox, message: Message) -> MessageRow:
    provenance = message.provenance
    return MessageRow(
        mailbox_id=mailbox.id,
        uid=message.uid,
        flags=flags_text(message.flags),
        internal_date=message.internal_date.isoformat(),
        raw=message.source,
        modseq=message.modseq,
        provenance=encode_provenance(provenance) if provenance is not None else None,
    )


class SqliteJournal(Journal):
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
        self._statements.append((ACCOUNT.insert, account_row(account)))

    def account_updated(self, account: Account) -> None:
        self._statements.append((ACCOUNT.update, account_row(account)))

    def account_removed(self, account: Account) -> None:
        self._statements.extend((sql, (account.id,)) for sql in DELETE_ACCOUNT)

    def mailbox_added(self, mailbox: Mailbox) -> None:
        self._statements.append((MAILBOX.insert, mailbox_row(mailbox)))

    def mailbox_updated(self, mailbox: Mailbox) -> None:
        self._statements.append((MAILBOX.update, mailbox_row(mailbox)))

    def mailbox_removed(self, mailbox: Mailbox) -> None:
        self._statements.extend((sql, (mailbox.id,)) for sql in DELETE_MAILBOX)

    def subscription_changed(self, account: Account, name: str, subscribed: bool) -> None:
        self._statements.append((SUBSCRIPTION.insert_new if subscribed else SUBSCRIPTION.delete, (account.id, name)))

    def message_added(self, mailbox: Mailbox, message: Message) -> None:
        self._statements.append((MESSAGE.insert, message_row(mailbox, message)))
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
            self._statements.append((MESSAGE.delete, (mailbox.id, uid)))
        for uid in uids:
            self._statements.append((EXPUNGED.replace, (mailbox.id, uid, modseq)))
        self._highest_modseq[mailbox.id] = modseq

    def counter_updated(self, name: str, value: int) -> None:
        self._counters[name] = value

    def cleared(self) -> None:
        self._statements.extend((sql, ()) for sql in CLEAR)

    # ------------------------------------------------------------------ committing

    def _has_changes(self) -> bool:
        return bool(self._statements or self._uid_next or self._highest_modseq or self._counters)

    async def commit(self) -> None:
        """Return once every change recorded so far is in a committed transaction."""
        if self._failure is not None:
            raise JournalError(self.path, str(self._failure))
        if self._closed:
            raise JournalError(self.path, "it is closed")
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
                    raise JournalError(self.path, str(self._failure))
                await self._write(statements, uid_next, highest_modseq, counters)
            except Exception as error:
                if self._failure is None:
                    # Memory now holds changes the file does not: refuse every later write rather than
                    # acknowledge changes on top of a gap.
                    log.error("writing to %s failed, no further changes will be acknowledged: %s", self.path, error)
                    self._failure = error
                done.set_exception(JournalError(self.path, str(error)))
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
                await conn.executemany(COUNTER.replace, list(counters.items()))
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
