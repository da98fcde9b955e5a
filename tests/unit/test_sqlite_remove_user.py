"""A removed user is gone from the database too, and a session still holding it cannot write for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from elektromail.store import StoreError
from elektromail.store.sqlite import SqliteJournal, open_sqlite_store


async def test_removed_user_stays_removed_after_restart_and_others_keep_their_mail(tmp_path: Path) -> None:
    path = str(tmp_path / "mail.db")
    store = await open_sqlite_store(path)
    gone = await store.add_user("gone", "pw", "gone@example.com")
    await store.create_mailbox(gone, "Archive")
    await store.set_subscribed(gone, "Archive", True)
    await store.deliver(["gone", "kept"], b"Subject: both\r\n\r\nhi\r\n")
    archive = gone.mailbox("Archive")
    assert archive is not None
    await store.append(archive, b"Subject: old\r\n\r\n")
    await store.expunge(gone.inbox, [1])
    await store.remove_user(gone)

    # A session that still holds the account or its mailbox gets an error, not orphaned rows.
    with pytest.raises(StoreError):
        await store.append(archive, b"Subject: late\r\n\r\n")
    with pytest.raises(StoreError):
        await store.create_mailbox(gone, "Later")
    with pytest.raises(StoreError):
        await store.remove_user(gone)
    assert store.owner_of("gone@example.com") is None

    journal = store.journal
    assert isinstance(journal, SqliteJournal)
    await journal.close()
    store = await open_sqlite_store(path)
    try:
        assert [account.name for account in store.accounts()] == ["kept"]
        kept = store.account("kept")
        assert kept is not None
        assert [message.raw for message in kept.inbox.messages] == [b"Subject: both\r\n\r\nhi\r\n"]
        # The name is free again, and the new user starts empty.
        again = await store.add_user("gone", "new", "gone@example.com")
        assert again.inbox.messages == []
    finally:
        journal = store.journal
        assert isinstance(journal, SqliteJournal)
        await journal.close()
