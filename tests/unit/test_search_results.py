"""Result pages without sockets: newest first, every match exactly once over the pages while mail arrives,
an exact total, cursors this server did not write refused, and text columns that narrow without changing
what matches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from elektromail.mail.message import ParsedMessage
from elektromail.search import columns
from elektromail.search.evaluate import compile_query
from elektromail.search.query import parse_query
from elektromail.search.results import CursorError, decode_cursor, encode_cursor, matching, newest_first
from elektromail.store.model import Account, Mailbox, Message

START = datetime(2024, 1, 1, tzinfo=UTC)


def message(uid: int, minutes: int) -> Message:
    raw = b"From: sender%d@example.com\r\nTo: r%d@example.org\r\nSubject: Number %d\r\n\r\nbody %d\r\n" % (
        uid % 10,
        uid % 3,
        uid,
        uid,
    )
    return Message(uid, frozenset(), START + timedelta(minutes=minutes), ParsedMessage(raw))


def store(sizes: dict[str, int]) -> list[Account]:
    account = Account(1, "alice", "pw", None)
    for number, (name, size) in enumerate(sizes.items(), 1):
        mailbox = Mailbox(number, account, name, 1)
        # Internal dates interleave between mailboxes and repeat, so ties are broken by mailbox and UID.
        mailbox.messages = [message(uid, uid // 3) for uid in range(1, size + 1)]
        mailbox.by_uid = {m.uid: m for m in mailbox.messages}
        mailbox.uid_next = size + 1
        account.mailboxes[name] = mailbox
    return [account]


def test_pages_list_every_match_once_newest_first_while_mail_arrives() -> None:
    accounts = store({"INBOX": 1500, "Archive": 1000})
    query = compile_query(parse_query(""))
    seen: list[tuple[int, int]] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = newest_first(accounts, query, limit=97, cursor=cursor)
        assert page.total >= 2500
        keys = [(m.internal_date, b.id, m.uid) for b, m in page.found]
        assert keys == sorted(keys, reverse=True)
        seen += [(b.id, m.uid) for b, m in page.found]
        pages += 1
        inbox = accounts[0].mailboxes["INBOX"]
        newer = message(inbox.uid_next, 100_000)  # arrives between pages: newer than every page
        inbox.messages.append(newer)
        inbox.uid_next += 1
        cursor = page.cursor
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 2500
    assert pages == 26


@pytest.mark.parametrize("query", ["", "mailbox:INBOX", "from:sender3"])
def test_pages_follow_dates_not_uids_when_mail_came_with_older_dates(query: str) -> None:
    """Mailboxes whose dates rise with their UIDs are paged from their newest end; one with mail appended
    under older dates (APPEND, inject) must still be paged in date order."""
    accounts = store({"INBOX": 400, "Archive": 300})
    inbox = accounts[0].mailboxes["INBOX"]
    inbox.messages = [message(uid, (uid * 37) % 500) for uid in range(1, 401)]
    inbox.by_uid = {m.uid: m for m in inbox.messages}
    compiled = compile_query(parse_query(query))
    expected = sorted(
        ((m.internal_date, b.id, m.uid) for b, found in matching(accounts, compiled) for m in found), reverse=True
    )
    listed: list[tuple[datetime, int, int]] = []
    cursor: str | None = None
    while True:
        page = newest_first(accounts, compiled, limit=50, cursor=cursor)
        assert page.total == len(expected)
        listed += [(m.internal_date, b.id, m.uid) for b, m in page.found]
        cursor = page.cursor
        if cursor is None:
            break
    assert listed == expected


def test_total_and_limit() -> None:
    accounts = store({"INBOX": 300})
    page = newest_first(accounts, compile_query(parse_query("from:sender3")), limit=5)
    assert page.total == 30 and len(page.found) == 5 and page.cursor is not None
    assert [m.uid for _, m in page.found] == [293, 283, 273, 263, 253]
    last = newest_first(accounts, compile_query(parse_query("from:sender3")), limit=30)
    assert last.cursor is None and len(last.found) == 30


def test_cursors() -> None:
    key = (START, 3, 17)
    assert decode_cursor(encode_cursor(key)) == key
    for bad in ("", "!!!", encode_cursor(key)[:-3], "bm90fGF8Y3Vyc29y"):
        with pytest.raises(CursorError):
            decode_cursor(bad)


@pytest.mark.parametrize("text", ["from:sender7", "to:r2@", "subject:number 12", "-from:sender1 subject:1", "x"])
def test_columns_narrow_without_changing_matches(text: str) -> None:
    accounts = store({"INBOX": 1200})
    inbox = accounts[0].mailboxes["INBOX"]
    query = compile_query(parse_query(text))
    expected = [m.uid for m in inbox.messages if query.matches(inbox, m)]
    assert [m.uid for _, found in matching(accounts, query) for m in found] == expected
    del inbox.messages[5:10]  # an expunge: the column is rebuilt
    columns.column(inbox, "from")
    expected = [m.uid for m in inbox.messages if query.matches(inbox, m)]
    assert [m.uid for _, found in matching(accounts, query) for m in found] == expected
    columns.forget()


def test_a_column_grows_with_appends_and_is_rebuilt_after_expunges() -> None:
    accounts = store({"INBOX": 400})
    inbox = accounts[0].mailboxes["INBOX"]
    texts = columns.column(inbox, "from")
    assert len(texts) == 400 and texts[0] == "sender1@example.com"
    inbox.messages.append(message(401, 500))
    grown = columns.column(inbox, "from")
    assert grown is texts and len(grown) == 401 and grown[-1] == "sender1@example.com"
    del inbox.messages[0]
    inbox.messages.append(message(402, 501))  # as many messages as before, but not the same ones
    rebuilt = columns.column(inbox, "from")
    assert rebuilt is not texts and rebuilt[0] == "sender2@example.com" and len(rebuilt) == 401
    columns.forget()
