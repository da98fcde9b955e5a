"""What the store keeps in memory: removed mailboxes let go of their messages, flag sets and envelopes are
shared, and a message is stored without being parsed."""

from __future__ import annotations

import asyncio

from elektromail.mail.message import ParsedMessage
from elektromail.store import Store, provenance
from elektromail.store.provenance import SHARED_ENVELOPES_MAX, Envelope, shared_envelope

MESSAGE = b"Subject: hi\r\n\r\nbody\r\n"


async def _store_with_mail() -> Store:
    store = Store()
    await store.add_user("alice", "pw")
    await store.deliver(["alice"], MESSAGE)
    return store


def test_a_reset_empties_the_removed_mailboxes_at_once() -> None:
    async def scenario() -> tuple[int, int, int]:
        store = await _store_with_mail()
        account = store.account("alice")
        assert account is not None
        inbox = account.inbox
        before = len(inbox.messages)
        await store.clear()
        return before, len(inbox.messages), len(inbox.by_uid)

    assert asyncio.run(scenario()) == (1, 0, 0)


def test_removing_a_user_empties_its_mailboxes() -> None:
    async def scenario() -> int:
        store = await _store_with_mail()
        account = store.account("alice")
        assert account is not None
        await store.remove_user(account)
        return len(account.inbox.messages)

    assert asyncio.run(scenario()) == 0


def test_messages_with_the_same_flags_share_one_set() -> None:
    async def scenario() -> bool:
        store = await _store_with_mail()
        account = store.account("alice")
        assert account is not None
        first = await store.append(account.inbox, MESSAGE, ["\\Seen", "$Label"])
        second = await store.append(account.inbox, MESSAGE, ["$Label", "\\seen"])
        delivered = account.inbox.messages[0]
        return first.flags is second.flags and first.flags == {"\\Seen", "$Label"} and not delivered.flags

    assert asyncio.run(scenario())


def test_a_stored_message_is_read_on_first_need() -> None:
    parsed = ParsedMessage(b"Subject: x\n\nline\nzero\x00\n")
    assert parsed.source == b"Subject: x\n\nline\nzero\x00\n"
    assert parsed.raw == b"Subject: x\r\n\r\nline\r\nzero\x00\r\n"
    assert parsed.size == len(parsed.raw)
    assert parsed.header == b"Subject: x\r\n\r\n"
    assert parsed.served == b"Subject: x\r\n\r\nline\r\nzero\x80\r\n"
    crlf = ParsedMessage(MESSAGE)
    assert crlf.raw is crlf.source and crlf.served is crlf.source


def test_copies_with_equal_envelopes_share_one_record() -> None:
    first = Envelope(mail_from="a@example.com", rcpt_to=("b@example.com",), size=10)
    same = Envelope(mail_from="a@example.com", rcpt_to=("b@example.com",), size=10)
    other = Envelope(mail_from="a@example.com", rcpt_to=("c@example.com",), size=10)
    assert shared_envelope(first) is first
    assert shared_envelope(same) is first
    assert shared_envelope(other) is other


def test_the_shared_envelopes_are_bounded() -> None:
    for n in range(SHARED_ENVELOPES_MAX * 2 + 1):
        shared_envelope(Envelope(mail_from=f"{n}@example.com", rcpt_to=("b@example.com",)))
    assert 0 < len(provenance._envelopes) <= SHARED_ENVELOPES_MAX
