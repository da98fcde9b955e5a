"""The SQLite store keeps everything across a restart, exactly as memory had it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from elektromail.store import FlagMode, Store
from elektromail.store.model import INBOX
from elektromail.store.sqlite import SqliteJournal, open_sqlite_store

PLUS_TWO = timezone(timedelta(hours=2))


def snapshot(store: Store) -> list[Any]:
    """Everything a client can observe, in comparable form."""
    result: list[Any] = []
    for account in sorted(store.accounts(), key=lambda account: account.id):
        mailboxes = []
        for mailbox in sorted(account.mailboxes.values(), key=lambda mailbox: mailbox.name):
            messages = [
                (message.uid, sorted(message.flags), message.internal_date, message.raw, message.modseq)
                for message in mailbox.messages
            ]
            assert list(mailbox.by_uid) == [message.uid for message in mailbox.messages]
            mailboxes.append(
                (
                    mailbox.name,
                    mailbox.id,
                    mailbox.uid_validity,
                    mailbox.uid_next,
                    mailbox.highest_modseq,
                    mailbox.selectable,
                    messages,
                )
            )
        subscriptions = sorted(account.subscriptions)
        result.append((account.id, account.name, account.password, account.email, mailboxes, subscriptions))
    return result


async def reopen(store: Store, path: Path) -> Store:
    journal = store.journal
    assert isinstance(journal, SqliteJournal)
    await journal.close()
    return await open_sqlite_store(str(path))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "mail.db"


async def close(store: Store) -> None:
    journal = store.journal
    assert isinstance(journal, SqliteJournal)
    await journal.close()


async def test_a_new_database_starts_empty_and_is_created(db: Path) -> None:
    store = await open_sqlite_store(str(db))
    try:
        assert store.accounts() == []
    finally:
        await close(store)
    assert await asyncio.to_thread(db.exists)


async def test_users_mailboxes_and_messages_survive_exactly(db: Path) -> None:
    store = await open_sqlite_store(str(db))
    user = await store.add_user("User", "pass", "user@example.com")
    await store.add_user("alice", "wonderland")
    await store.update_user(user, password="changed", email="new@example.com")
    auto = await store.ensure_account("newbie")

    raw_binary = b"Subject: 8bit\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\xe9t\xe9 \x00\xff\r\nno final newline"
    raw_bare_lf = b"Subject: lf\n\nbare line feeds\n"
    first = await store.append(user.inbox, b"Subject: one\r\n\r\nbody\r\n", ["\\Seen", "$Label1"])
    await store.append(user.inbox, raw_binary, [], datetime(2001, 2, 3, 4, 5, 6, tzinfo=PLUS_TWO))
    await store.append(user.inbox, raw_bare_lf, ["\\flagged", "Custom"])
    await store.deliver(["user", "newbie", "brand-new"], b"Subject: to many\r\n\r\nhi\r\n")
    await store.set_flags(user.inbox, [first], ["\\Answered", "Work"], FlagMode.ADD)

    await store.create_mailbox(user, "Archive/2024/Q1")
    await store.set_subscribed(user, "Archive/2024/Q1", True)
    await store.set_subscribed(user, "Gone", True)
    await store.set_subscribed(user, "Never/Created", True)
    await store.set_subscribed(user, "Never/Created", False)
    work = await store.create_mailbox(user, "Work")
    copies = await store.copy(user.inbox.messages[:2], work)
    await store.move(user.inbox, [user.inbox.messages[-1]], work)
    await store.expunge(work, [copies[0].uid])
    await store.rename_mailbox(user, "Archive", "Old")
    await store.create_mailbox(user, "Trash/Sub")
    await store.delete_mailbox(user, "Trash")  # has a child: becomes \Noselect
    await store.create_mailbox(user, "Gone")
    await store.delete_mailbox(user, "Gone")
    await store.append(auto.inbox, b"Subject: auto\r\n\r\n", ["\\Deleted"])

    before = snapshot(store)
    store = await reopen(store, db)
    try:
        assert snapshot(store) == before
        restored = store.account("user")
        assert restored is not None
        assert restored.password == "changed"
        trash, archive, moved_to = restored.mailbox("Trash"), restored.mailbox("Old/2024/Q1"), restored.mailbox("Work")
        assert trash is not None
        assert not trash.selectable
        assert archive is not None
        # Subscriptions are names: they stay behind on RENAME and outlive DELETE (RFC 9051 6.3.7).
        assert not archive.subscribed
        assert restored.subscriptions == {"Archive/2024/Q1", "Gone"}
        assert moved_to is not None
        assert [m.raw for m in moved_to.messages] == [raw_binary, b"Subject: to many\r\n\r\nhi\r\n"]
        assert restored.mailbox("Gone") is None
        assert store.check_password("brand-new", "brand-new") is not None
    finally:
        await close(store)


async def test_restart_twice_changes_nothing(db: Path) -> None:
    store = await open_sqlite_store(str(db))
    user = await store.add_user("user", "pass")
    for n in range(5):
        await store.append(user.inbox, b"Subject: %d\r\n\r\n" % n, [f"k{n}"])
    first = snapshot(store)
    store = await reopen(store, db)
    store = await reopen(store, db)
    try:
        assert snapshot(store) == first
    finally:
        await close(store)


async def test_writes_after_a_restart_continue_the_counters(db: Path) -> None:
    store = await open_sqlite_store(str(db))
    user = await store.add_user("user", "pass")
    doomed = await store.create_mailbox(user, "Doomed")
    old_validity = doomed.uid_validity
    await store.append(doomed, b"Subject: a\r\n\r\n")
    await store.append(user.inbox, b"Subject: a\r\n\r\n")
    expunged = await store.append(user.inbox, b"Subject: b\r\n\r\n")
    await store.expunge(user.inbox, [expunged.uid])
    await store.delete_mailbox(user, "Doomed")
    validities = {mailbox.uid_validity for mailbox in user.mailboxes.values()} | {old_validity}

    store = await reopen(store, db)
    try:
        user2 = store.account("user")
        assert user2 is not None
        # UIDNEXT kept past the expunged message: its UID is never handed out again.
        assert user2.inbox.uid_next == expunged.uid + 1
        message = await store.append(user2.inbox, b"Subject: c\r\n\r\n")
        assert message.uid == expunged.uid + 1
        # A mailbox deleted and created again gets a UIDVALIDITY never used before.
        again = await store.create_mailbox(user2, "Doomed")
        assert again.uid_validity not in validities
        assert again.uid_validity > max(validities)
        other = await store.add_user("other", "x")
        assert other.id > user2.id
        assert other.inbox.uid_validity > again.uid_validity
    finally:
        await close(store)


async def test_renaming_inbox_survives(db: Path) -> None:
    store = await open_sqlite_store(str(db))
    user = await store.add_user("user", "pass")
    await store.append(user.inbox, b"Subject: 1\r\n\r\n", ["\\Seen"])
    await store.append(user.inbox, b"Subject: 2\r\n\r\n")
    await store.rename_mailbox(user, INBOX, "Saved")
    before = snapshot(store)
    store = await reopen(store, db)
    try:
        assert snapshot(store) == before
        restored = store.account("user")
        assert restored is not None
        assert restored.inbox.messages == []
        assert restored.inbox.uid_next == 3
        assert [m.raw for m in restored.mailboxes["Saved"].messages] == [b"Subject: 1\r\n\r\n", b"Subject: 2\r\n\r\n"]
    finally:
        await close(store)


async def test_purge_keeps_users_and_mailboxes(db: Path) -> None:
    store = await open_sqlite_store(str(db))
    user = await store.add_user("user", "pass")
    work = await store.create_mailbox(user, "Work")
    await store.append(user.inbox, b"Subject: 1\r\n\r\n")
    await store.append(work, b"Subject: 2\r\n\r\n")
    await store.purge()
    before = snapshot(store)
    store = await reopen(store, db)
    try:
        assert snapshot(store) == before
        restored = store.account("user")
        assert restored is not None
        assert set(restored.mailboxes) == {INBOX, "Work"}
        assert restored.inbox.messages == []
        assert restored.inbox.uid_next == 2
    finally:
        await close(store)


async def test_clear_removes_everything_and_new_ids_do_not_repeat(db: Path) -> None:
    store = await open_sqlite_store(str(db))
    user = await store.add_user("user", "pass")
    await store.append(user.inbox, b"Subject: 1\r\n\r\n")
    old_validity = user.inbox.uid_validity
    await store.clear()
    store = await reopen(store, db)
    try:
        assert store.accounts() == []
        again = await store.add_user("user", "pass")
        assert again.inbox.messages == []
        assert again.inbox.uid_validity > old_validity
    finally:
        await close(store)
    store = await open_sqlite_store(str(db))
    try:
        assert [account.name for account in store.accounts()] == ["user"]
    finally:
        await close(store)


async def test_concurrent_writers_share_transactions(db: Path) -> None:
    store = await open_sqlite_store(str(db))
    user = await store.add_user("user", "pass")
    journal = store.journal
    assert isinstance(journal, SqliteJournal)
    before = journal.transactions
    writers = 200
    await asyncio.wait_for(
        asyncio.gather(*(store.append(user.inbox, b"Subject: %d\r\n\r\n" % n) for n in range(writers))), 30
    )
    used = journal.transactions - before
    assert 1 <= used < writers // 10, f"{writers} parallel appends took {used} transactions"
    store = await reopen(store, db)
    try:
        restored = store.account("user")
        assert restored is not None
        assert [m.raw for m in restored.inbox.messages] == [b"Subject: %d\r\n\r\n" % n for n in range(writers)]
    finally:
        await close(store)


async def test_close_writes_what_is_still_pending(db: Path) -> None:
    store = await open_sqlite_store(str(db))
    user = await store.add_user("user", "pass")
    # Not awaited: the append records its change, and close must still write it.
    task = asyncio.ensure_future(store.append(user.inbox, b"Subject: late\r\n\r\n"))
    await asyncio.sleep(0)
    await close(store)
    await task
    store = await open_sqlite_store(str(db))
    try:
        restored = store.account("user")
        assert restored is not None
        assert [m.raw for m in restored.inbox.messages] == [b"Subject: late\r\n\r\n"]
    finally:
        await close(store)


async def test_internal_dates_keep_their_zone(db: Path) -> None:
    store = await open_sqlite_store(str(db))
    user = await store.add_user("user", "pass")
    dates = [
        datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(2024, 6, 1, 8, 0, 0, tzinfo=timezone(timedelta(hours=-7, minutes=-30))),
        datetime(2024, 6, 1, 8, 0, 0, tzinfo=PLUS_TWO),
    ]
    for date in dates:
        await store.append(user.inbox, b"Subject: d\r\n\r\n", [], date)
    store = await reopen(store, db)
    try:
        restored = store.account("user")
        assert restored is not None
        loaded = [m.internal_date for m in restored.inbox.messages]
        assert loaded == dates
        assert [d.utcoffset() for d in loaded] == [d.utcoffset() for d in dates]
    finally:
        await close(store)


async def test_mod_sequences_survive_and_keep_growing(db: Path) -> None:
    store = await open_sqlite_store(str(db))
    user = await store.add_user("user", "pass")
    inbox = user.inbox
    assert inbox.highest_modseq == 1
    first = await store.append(inbox, b"Subject: 1\r\n\r\n")
    second = await store.append(inbox, b"Subject: 2\r\n\r\n")
    third = await store.append(inbox, b"Subject: 3\r\n\r\n")
    assert [first.modseq, second.modseq, third.modseq] == [2, 3, 4]
    await store.set_flags(inbox, [first, second], ["\\Seen"], FlagMode.ADD)
    assert [first.modseq, second.modseq] == [5, 6]
    # A STORE that changes nothing gives no new mod-sequence.
    await store.set_flags(inbox, [first], ["\\Seen"], FlagMode.ADD)
    assert first.modseq == 5
    await store.expunge(inbox, [third.uid])
    assert inbox.highest_modseq == 7  # the expunge moved HIGHESTMODSEQ past every message
    before = snapshot(store)

    store = await reopen(store, db)
    try:
        assert snapshot(store) == before
        restored = store.account("user")
        assert restored is not None
        inbox = restored.inbox
        assert [m.modseq for m in inbox.messages] == [5, 6]
        assert inbox.highest_modseq == 7
        later = await store.append(inbox, b"Subject: 4\r\n\r\n")
        assert later.modseq == 8
    finally:
        await close(store)
