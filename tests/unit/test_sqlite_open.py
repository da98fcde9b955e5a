"""Opening a database: schema migrations, and every file that must stop start-up instead of starting empty."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite
import pytest

from elektromail.config import ConfigError
from elektromail.store import FlagMode, Store
from elektromail.store.sqlite import SqliteJournal, open_sqlite_store
from elektromail.store.sqlite.migrations import MIGRATIONS, SCHEMA_V1, SCHEMA_V2, SCHEMA_V3, SCHEMA_VERSION, migrate
from elektromail.store.sqlite.schema import TABLES
from tests.persistence import damage, unwritable


async def close(store: Store) -> None:
    journal = store.journal
    assert isinstance(journal, SqliteJournal)
    await journal.close()


async def make_database(path: Path, messages: int = 0) -> None:
    store = await open_sqlite_store(str(path))
    user = await store.add_user("user", "pass")
    for n in range(messages):
        await store.append(user.inbox, b"Subject: %d\r\n\r\n" % n + b"x" * 3000 + b"\r\n")
    await close(store)


def sqlite_do(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def user_version(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        version: int = conn.execute("PRAGMA user_version").fetchone()[0]
        return version
    finally:
        conn.close()


async def expect_refusal(path: Path, *words: str) -> str:
    with pytest.raises(ConfigError) as caught:
        await open_sqlite_store(str(path))
    message = str(caught.value)
    assert message.startswith("ELEKTROMAIL_DB: "), message
    for word in words:
        assert word in message, message
    return message


# ---------------------------------------------------------------------- migrations


async def test_a_new_database_gets_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    await make_database(path)
    assert await asyncio.to_thread(user_version, path) == SCHEMA_VERSION
    conn = await aiosqlite.connect(path)
    try:
        rows = await conn.execute_fetchall("SELECT name FROM sqlite_schema WHERE type = 'table'")
        assert {row[0] for row in rows} == TABLES
        mode = list(await conn.execute_fetchall("PRAGMA journal_mode"))
        assert mode[0][0] == "wal"
    finally:
        await conn.close()


async def test_migrations_run_in_order_and_keep_data(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    await make_database(path, messages=2)
    added_column = "ALTER TABLE account ADD COLUMN note TEXT NOT NULL DEFAULT 'migrated'"
    steps = (*MIGRATIONS, added_column, "CREATE INDEX account_by_note ON account (note)")
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        assert await migrate(conn, steps) == SCHEMA_VERSION
        rows = list(await conn.execute_fetchall("SELECT name, note FROM account"))
        assert [tuple(row) for row in rows] == [("user", "migrated")]
        version = list(await conn.execute_fetchall("PRAGMA user_version"))
        assert version[0][0] == SCHEMA_VERSION + 2
        assert len(list(await conn.execute_fetchall("SELECT uid FROM message"))) == 2
        # Already current: nothing runs again.
        assert await migrate(conn, steps) == SCHEMA_VERSION + 2
    finally:
        await conn.close()


async def test_a_failing_migration_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    await make_database(path, messages=1)
    steps = (*MIGRATIONS, "ALTER TABLE account ADD COLUMN fine TEXT; ALTER TABLE no_such_table ADD COLUMN x TEXT")
    conn = await aiosqlite.connect(path, isolation_level=None)
    try:
        with pytest.raises(sqlite3.OperationalError):
            await migrate(conn, steps)
        columns = [row[1] for row in await conn.execute_fetchall("PRAGMA table_info(account)")]
        assert "fine" not in columns
    finally:
        await conn.close()
    assert await asyncio.to_thread(user_version, path) == SCHEMA_VERSION
    store = await open_sqlite_store(str(path))
    try:
        user = store.account("user")
        assert user is not None
        assert len(user.inbox.messages) == 1
    finally:
        await close(store)


def write_version_1_database(path: Path) -> None:
    """A database as elektromail with schema version 1 left it: subscriptions as a mailbox column."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(SCHEMA_V1)
        conn.execute("INSERT INTO account VALUES (1, 'user', 'pass', NULL), (2, 'alice', 'wonderland', NULL)")
        rows = [
            (1, 1, "INBOX", 1, 2, 1, 1),
            (2, 1, "Work", 2, 1, 1, 1),
            (3, 1, "Archive", 3, 1, 0, 1),
            (4, 2, "INBOX", 4, 1, 0, 1),
            (5, 2, "Lists/ietf", 5, 1, 1, 0),
        ]
        conn.executemany("INSERT INTO mailbox VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        conn.execute(
            "INSERT INTO message VALUES (1, 1, '[\"\\\\Seen\"]', '2024-01-02T03:04:05+00:00', ?)",
            (b"Subject: kept\r\n\r\nbody\r\n",),
        )
        counters = [("account_id", 3), ("mailbox_id", 6), ("uid_validity", 6)]
        conn.executemany("INSERT INTO counter VALUES (?, ?)", counters)
        conn.execute("PRAGMA user_version = 1")
    finally:
        conn.close()


async def test_a_version_1_database_keeps_its_subscriptions(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    await asyncio.to_thread(write_version_1_database, path)
    store = await open_sqlite_store(str(path))
    try:
        user, alice = store.account("user"), store.account("alice")
        assert user is not None and alice is not None
        assert user.subscriptions == {"INBOX", "Work"}
        assert alice.subscriptions == {"Lists/ietf"}
        assert [message.flags for message in user.inbox.messages] == [frozenset({"\\Seen"})]
        assert [message.modseq for message in user.inbox.messages] == [1]  # version 3 on the way
        work = user.mailbox("Work")
        assert work is not None and work.uid_validity == 2 and work.highest_modseq == 1
        # Migrated subscriptions behave as new ones: they survive DELETE and the next restart.
        await store.delete_mailbox(user, "Work")
        await store.set_subscribed(user, "INBOX", False)
    finally:
        await close(store)
    assert await asyncio.to_thread(user_version, path) == SCHEMA_VERSION
    store = await open_sqlite_store(str(path))
    try:
        user = store.account("user")
        assert user is not None
        assert user.subscriptions == {"Work"}
        assert user.mailbox("Work") is None
    finally:
        await close(store)


def write_version_2_database(path: Path) -> None:
    """A database as elektromail with schema version 2 left it: no mod-sequences yet."""
    write_version_1_database(path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(SCHEMA_V2)
        conn.execute(
            "INSERT INTO message VALUES (1, 2, '[]', '2024-01-02T03:04:05+00:00', ?)", (b"Subject: two\r\n\r\n",)
        )
        conn.execute("UPDATE mailbox SET uid_next = 3 WHERE id = 1")
        conn.execute("PRAGMA user_version = 2")
    finally:
        conn.close()


async def test_a_version_2_database_gets_mod_sequences(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    await asyncio.to_thread(write_version_2_database, path)
    store = await open_sqlite_store(str(path))
    try:
        user = store.account("user")
        assert user is not None
        inbox, work = user.inbox, user.mailbox("Work")
        assert work is not None
        # Mailboxes and messages from before start at the lowest mod-sequence.
        assert (inbox.highest_modseq, work.highest_modseq) == (1, 1)
        assert [(m.uid, m.modseq) for m in inbox.messages] == [(1, 1), (2, 1)]
        assert user.subscriptions == {"INBOX", "Work"}
        await store.set_flags(inbox, inbox.messages[1:], ["\\Flagged"], FlagMode.ADD)
        assert inbox.messages[1].modseq == 2
    finally:
        await close(store)
    assert await asyncio.to_thread(user_version, path) == SCHEMA_VERSION
    store = await open_sqlite_store(str(path))
    try:
        user = store.account("user")
        assert user is not None
        assert [(m.uid, m.modseq) for m in user.inbox.messages] == [(1, 1), (2, 2)]
        assert user.inbox.highest_modseq == 2
    finally:
        await close(store)


def write_version_3_database(path: Path) -> None:
    """A database as elektromail with schema version 3 left it: mod-sequences, but no record of expunges.

    UID 1 of INBOX was expunged then (HIGHESTMODSEQ 5); UID 2 is still there."""
    write_version_2_database(path)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.executescript(SCHEMA_V3)
        conn.execute("DELETE FROM message WHERE mailbox_id = 1 AND uid = 1")
        conn.execute("UPDATE message SET modseq = 4 WHERE mailbox_id = 1 AND uid = 2")
        conn.execute("UPDATE mailbox SET highest_modseq = 5 WHERE id = 1")
        conn.execute("PRAGMA user_version = 3")
    finally:
        conn.close()


def every_uid(uid: int) -> bool:
    return True


async def test_a_version_3_database_records_expunges_from_then_on(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    await asyncio.to_thread(write_version_3_database, path)
    store = await open_sqlite_store(str(path))
    try:
        user = store.account("user")
        assert user is not None
        inbox, work = user.inbox, user.mailbox("Work")
        assert work is not None
        assert (inbox.expunges_known_from, inbox.expunged, inbox.highest_modseq) == (5, {}, 5)
        # A client from before the migration may have missed the unrecorded expunge of UID 1; a client
        # that knows mod-sequence 5 saw it already.
        assert inbox.vanished_since(4, every_uid) == [1]
        assert inbox.vanished_since(5, every_uid) == []
        assert work.vanished_since(0, every_uid) == []
        assert await store.expunge(inbox, [2]) == [2]
        assert inbox.expunged == {2: 6}
    finally:
        await close(store)
    assert await asyncio.to_thread(user_version, path) == SCHEMA_VERSION
    store = await open_sqlite_store(str(path))
    try:
        user = store.account("user")
        assert user is not None
        inbox = user.inbox
        assert (inbox.expunges_known_from, inbox.expunged, inbox.highest_modseq) == (5, {2: 6}, 6)
        assert inbox.vanished_since(5, every_uid) == [2]
        assert inbox.vanished_since(0, every_uid) == [1, 2]
        assert inbox.vanished_since(0, lambda uid: uid != 1) == [2]
        assert inbox.vanished_since(6, every_uid) == []
    finally:
        await close(store)


async def test_expunges_of_a_new_database_are_kept_and_go_with_their_mailbox(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    store = await open_sqlite_store(str(path))
    try:
        user = await store.add_user("user", "pass")
        work = await store.create_mailbox(user, "Work")
        for mailbox in (user.inbox, work):
            for n in range(3):
                await store.append(mailbox, b"Subject: %d\r\n\r\n" % n)
        await store.expunge(user.inbox, [1, 3])  # mod-sequence 5
        await store.expunge(work, [2])
        await store.delete_mailbox(user, "Work")
        assert user.inbox.vanished_since(0, every_uid) == [1, 3]
    finally:
        await close(store)
    store = await open_sqlite_store(str(path))
    try:
        again = store.account("user")
        assert again is not None
        assert (again.inbox.expunges_known_from, user.inbox.expunged) == (0, {1: 5, 3: 5})
    finally:
        await close(store)
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT mailbox_id, uid, modseq FROM expunged ORDER BY uid").fetchall() == [
            (1, 1, 5),
            (1, 3, 5),
        ]
    finally:
        conn.close()


# ---------------------------------------------------------------------- files that stop start-up


async def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    await make_database(path, messages=1)
    await asyncio.to_thread(sqlite_do, path, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    await expect_refusal(path, "newer", f"schema version {SCHEMA_VERSION + 1}")
    # Refused means untouched: the version and the data are still there for the newer server.
    assert await asyncio.to_thread(user_version, path) == SCHEMA_VERSION + 1


async def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    await asyncio.to_thread(path.write_bytes, b"From: someone\r\n\r\nthis is a message, not a database\r\n" * 100)
    await expect_refusal(path, "corrupt")
    assert (await asyncio.to_thread(path.read_bytes)).startswith(b"From: someone")


async def test_a_damaged_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    await make_database(path, messages=40)
    size = (await asyncio.to_thread(path.stat)).st_size
    assert size > 20 * 4096
    await asyncio.to_thread(damage, path, 4096 * 2, 4096 * 8)
    await expect_refusal(path, "corrupt")


async def test_a_database_of_another_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    await asyncio.to_thread(sqlite_do, path, "CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    await expect_refusal(path, "another program", "invoices")


async def test_a_database_in_use_by_another_server_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    store = await open_sqlite_store(str(path))
    try:
        await store.add_user("user", "pass")
        await expect_refusal(path, "locked")
    finally:
        await close(store)
    # Released on close: the next server opens it.
    store = await open_sqlite_store(str(path))
    await close(store)


async def test_a_read_only_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mail.db"
    await make_database(path, messages=1)
    with unwritable(path):
        await expect_refusal(path, "read-only")


async def test_a_missing_directory_is_refused(tmp_path: Path) -> None:
    await expect_refusal(tmp_path / "nowhere" / "mail.db", "does not exist")


async def test_a_directory_is_refused(tmp_path: Path) -> None:
    await expect_refusal(tmp_path, "is a directory")
