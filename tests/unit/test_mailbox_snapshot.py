"""The mailbox lists selected views share: an append or expunge never changes a list a view holds, and
what SELECT derives (UIDs, keywords, first unseen) follows every change."""

from __future__ import annotations

from datetime import UTC, datetime

from elektromail.mail.message import ParsedMessage
from elektromail.store.model import Account, Mailbox, Message, flag_set

RAW = ParsedMessage(b"Subject: x\r\n\r\nbody\r\n")
DATE = datetime(2026, 1, 1, tzinfo=UTC)


def mailbox_of(count: int) -> Mailbox:
    mailbox = Mailbox(1, Account(1, "user", "pass", None), "INBOX", 1)
    for uid in range(1, count + 1):
        add(mailbox, uid)
    return mailbox


def add(mailbox: Mailbox, uid: int, *flags: str) -> Message:
    message = Message(uid, flag_set(flags), DATE, RAW, mailbox.next_modseq())
    mailbox.uid_next = uid + 1
    mailbox.append(message)
    return message


def test_append_leaves_a_shared_list_as_it_was() -> None:
    mailbox = mailbox_of(3)
    held, held_uids = mailbox.messages, mailbox.uid_list()
    mailbox.messages_shared = True
    add(mailbox, 4)
    add(mailbox, 5)
    assert [message.uid for message in held] == [1, 2, 3]
    assert held_uids == [1, 2, 3]
    assert [message.uid for message in mailbox.messages] == [1, 2, 3, 4, 5]
    assert mailbox.uid_list() == [1, 2, 3, 4, 5]
    assert mailbox.by_uid[5] is mailbox.messages[-1]


def test_unshared_list_grows_in_place_with_its_uids() -> None:
    mailbox = mailbox_of(2)
    messages, uids = mailbox.messages, mailbox.uid_list()
    add(mailbox, 3)
    assert mailbox.messages is messages
    assert mailbox.uid_list() is uids
    assert uids == [1, 2, 3]


def test_replaced_list_gets_new_uids() -> None:
    mailbox = mailbox_of(4)
    held = mailbox.uid_list()
    mailbox.messages = [message for message in mailbox.messages if message.uid != 2]
    assert mailbox.uid_list() == [1, 3, 4]
    assert held == [1, 2, 3, 4]


def test_keywords_and_first_unseen_follow_changes() -> None:
    mailbox = mailbox_of(0)
    first = add(mailbox, 1, "\\Seen", "$Later")
    add(mailbox, 2)
    assert mailbox.keywords() == ("$Later",)
    assert mailbox.first_without("\\Seen") == 2
    first.flags = flag_set(["\\Seen"])
    first.modseq = mailbox.next_modseq()
    mailbox.messages[1].flags = flag_set(["\\Seen", "Done"])
    mailbox.messages[1].modseq = mailbox.next_modseq()
    assert mailbox.keywords() == ("Done",)
    assert mailbox.first_without("\\Seen") is None
    add(mailbox, 3)
    assert mailbox.first_without("\\Seen") == 3
    assert mailbox.first_without("\\Flagged") == 1
