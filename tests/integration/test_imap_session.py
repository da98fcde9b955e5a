"""IMAP sessions through imaplib: login, selection, mailbox commands, APPEND and reading messages back."""

from __future__ import annotations

import contextlib
import imaplib
import re
from collections.abc import Iterator
from typing import Any

import pytest

from elektromail import ServerThread
from elektromail.imap.engine import codes
from tests.conftest import ServerFactory
from tests.servers import client_host

MESSAGE = b"From: a@example.com\r\nTo: user@example.com\r\nSubject: hello\r\n\r\nbody line\r\n.dot line\r\n"


@pytest.fixture
def imap(server: ServerThread) -> Iterator[imaplib.IMAP4]:
    client = imaplib.IMAP4(client_host(), server.imap_port, timeout=5)
    client.login("user", "pass")
    yield client
    with contextlib.suppress(imaplib.IMAP4.error, OSError):
        client.logout()


def as_bytes(item: object) -> bytes:
    assert isinstance(item, bytes), item
    return item


def literal_part(item: object) -> bytes:
    """The literal of an imaplib response item ``(head, literal)``."""
    assert isinstance(item, tuple), item
    return as_bytes(item[1])


def texts(items: list[Any]) -> list[str]:
    return [as_bytes(item).decode() for item in items]


def deliver(server: ServerThread, users: list[str], raw: bytes = MESSAGE) -> None:
    server.call(lambda: server.server.store.deliver(users, raw))


def test_stored_message_reads_back_byte_exact(server: ServerThread, imap: imaplib.IMAP4) -> None:
    deliver(server, ["user"])
    typ, data = imap.select("INBOX")
    assert (typ, data) == ("OK", [b"1"])
    typ, fetched = imap.fetch("1", "(BODY.PEEK[] FLAGS UID RFC822.SIZE)")
    assert typ == "OK"
    body = literal_part(fetched[0])
    assert body == MESSAGE
    trailer = fetched[1]
    assert isinstance(trailer, bytes)
    assert b"UID 1" in trailer
    assert f"RFC822.SIZE {len(MESSAGE)}".encode() in trailer
    assert b"\\Seen" not in trailer


def test_body_fetch_sets_seen_but_peek_and_examine_do_not(server: ServerThread, imap: imaplib.IMAP4) -> None:
    deliver(server, ["user"])
    imap.select("INBOX", readonly=True)
    imap.fetch("1", "(BODY[])")
    assert b"\\Seen" not in as_bytes(imap.fetch("1", "(FLAGS)")[1][0])
    imap.select("INBOX")
    _typ, data = imap.fetch("1", "(BODY[])")
    assert b"\\Seen" in as_bytes(data[1])
    assert b"\\Seen" in as_bytes(imap.fetch("1", "(FLAGS)")[1][0])


def test_delivery_to_unknown_user_creates_the_account(server: ServerThread) -> None:
    deliver(server, ["newbie"])
    client = imaplib.IMAP4(client_host(), server.imap_port, timeout=5)
    client.login("newbie", "newbie")
    assert client.select("INBOX") == ("OK", [b"1"])
    assert literal_part(client.fetch("1", "(BODY.PEEK[])")[1][0]) == MESSAGE
    client.logout()


def test_wrong_password_is_authenticationfailed(server: ServerThread) -> None:
    client = imaplib.IMAP4(client_host(), server.imap_port, timeout=5)
    with pytest.raises(imaplib.IMAP4.error, match=codes.AUTHENTICATIONFAILED):
        client.login("user", "wrong")
    client.login("user", "pass")  # the session stays usable
    client.logout()


def test_auth_disabled_accepts_any_credentials(make_server: ServerFactory) -> None:
    server = make_server(auth_disabled=True)
    client = imaplib.IMAP4(client_host(), server.imap_port, timeout=5)
    assert client.login("someone", "anything")[0] == "OK"
    assert client.select("INBOX")[0] == "OK"
    client.logout()


def test_capabilities_before_and_after_login(server: ServerThread) -> None:
    client = imaplib.IMAP4(client_host(), server.imap_port, timeout=5)
    before = set(client.capabilities)
    assert {
        "IMAP4REV2",
        "IMAP4REV1",
        "AUTH=PLAIN",
        "AUTH=LOGIN",
        "AUTH=CRAM-MD5",
        "AUTH=XOAUTH2",
        "AUTH=OAUTHBEARER",
        "SASL-IR",
        "LITERAL+",
        "ID",
        "ENABLE",
    } <= before
    client.login("user", "pass")
    after = set(client.capability()[1][0].decode().upper().split())
    assert "AUTH=PLAIN" not in after
    for name in ("IDLE", "NAMESPACE", "UIDPLUS", "UNSELECT", "SPECIAL-USE", "LIST-EXTENDED", "LIST-STATUS", "QUOTA"):
        assert name in after
    assert any(name.startswith("APPENDLIMIT=") for name in after)
    client.logout()


def test_select_reports_counters_and_read_write(server: ServerThread, imap: imaplib.IMAP4) -> None:
    deliver(server, ["user"])
    deliver(server, ["user"])
    _typ, data = imap.select("INBOX")
    assert data == [b"2"]
    assert imap.untagged_responses.get("RECENT") == [b"2"]
    assert imap.untagged_responses.get("UIDNEXT") == [b"3"]
    assert imap.untagged_responses.get("UNSEEN") == [b"1"]
    assert "READ-WRITE" in imap.untagged_responses
    assert b"\\Seen" in imap.untagged_responses["FLAGS"][0]
    imap.select("INBOX", readonly=True)
    assert "READ-ONLY" in imap.untagged_responses


def test_recent_belongs_to_the_first_session(server: ServerThread, imap: imaplib.IMAP4) -> None:
    deliver(server, ["user"])
    imap.select("INBOX")
    other = imaplib.IMAP4(client_host(), server.imap_port, timeout=5)
    other.login("user", "pass")
    other.select("INBOX")
    assert other.untagged_responses.get("RECENT") == [b"0"]
    other.logout()


def test_select_missing_mailbox_is_nonexistent_and_leaves_selected_state(imap: imaplib.IMAP4) -> None:
    imap.select("INBOX")
    typ, data = imap.select("Nope")
    assert typ == "NO"
    assert codes.NONEXISTENT.encode() in as_bytes(data[0])
    assert imap.state == "AUTH"
    imap.state = "SELECTED"  # let imaplib send CLOSE so the server's own state check answers
    with pytest.raises(imaplib.IMAP4.error, match=r"BAD.*not valid in the authenticated state"):
        imap._simple_command("CLOSE")


def test_create_list_rename_delete(imap: imaplib.IMAP4) -> None:
    assert imap.create("Projects/2024/Q1")[0] == "OK"
    typ, listed = imap.list()
    names = texts(listed)
    assert '(\\HasChildren) "/" "Projects"' in names
    assert '(\\HasNoChildren) "/" "Projects/2024/Q1"' in names
    typ, data = imap.create("Projects/2024/Q1")
    assert typ == "NO"
    assert codes.ALREADYEXISTS.encode() in data[0]
    assert imap.rename("Projects", "Archive/Projects")[0] == "OK"
    listed_names = texts(imap.list('""', "Archive/*")[1])
    assert '(\\HasNoChildren) "/" "Archive/Projects/2024/Q1"' in listed_names
    assert imap.delete("Archive/Projects/2024/Q1")[0] == "OK"
    typ, data = imap.delete("Archive/Projects/2024/Q1")
    assert typ == "NO"
    assert codes.NONEXISTENT.encode() in data[0]


def test_delete_inbox_is_refused_and_create_inbox_exists(imap: imaplib.IMAP4) -> None:
    typ, data = imap.delete("inbox")
    assert typ == "NO"
    typ, data = imap.create("INBOX")
    assert typ == "NO"
    assert codes.ALREADYEXISTS.encode() in data[0]


def test_delete_with_children_leaves_noselect(imap: imaplib.IMAP4) -> None:
    imap.create("Parent/Child")
    assert imap.delete("Parent")[0] == "OK"
    lines = texts(imap.list('""', "Parent")[1])
    assert lines == ['(\\Noselect \\HasChildren) "/" "Parent"']
    assert imap.select("Parent")[0] == "NO"


def test_rename_inbox_moves_messages_and_keeps_an_empty_inbox(server: ServerThread, imap: imaplib.IMAP4) -> None:
    deliver(server, ["user"])
    assert imap.rename("INBOX", "Old")[0] == "OK"
    assert imap.select("INBOX") == ("OK", [b"0"])
    assert imap.select("Old") == ("OK", [b"1"])
    assert literal_part(imap.fetch("1", "(BODY.PEEK[])")[1][0]) == MESSAGE


def test_special_use_mailboxes(imap: imaplib.IMAP4) -> None:
    for name in ("Sent", "Drafts", "Trash", "Junk", "Archive", "Other"):
        imap.create(name)
    _typ, _data = imap._simple_command("LIST", "(SPECIAL-USE)", '""', "*")
    lines = sorted(texts(imap.untagged_responses.pop("LIST")))
    assert lines == sorted(
        f'(\\HasNoChildren \\{name}) "/" "{name}"' for name in ("Sent", "Drafts", "Trash", "Junk", "Archive")
    )


def test_subscribe_lsub_and_list_subscribed(imap: imaplib.IMAP4) -> None:
    imap.create("News")
    imap.create("Lists/python")
    assert imap.subscribe("News")[0] == "OK"
    assert imap.subscribe("Lists/python")[0] == "OK"
    lsub = [line.decode() for line in imap.lsub()[1]]
    assert '(\\HasNoChildren) "/" "News"' in lsub
    assert len(lsub) == 2
    imap._simple_command("LIST", "(SUBSCRIBED RECURSIVEMATCH)", '""', "%")
    lines = texts(imap.untagged_responses.pop("LIST"))
    assert '(\\HasNoChildren \\Subscribed) "/" "News"' in lines
    assert '(\\HasChildren) "/" "Lists" ("CHILDINFO" ("SUBSCRIBED"))' in lines
    assert imap.unsubscribe("News")[0] == "OK"
    assert len(imap.lsub()[1]) == 1
    # RFC 9051 6.3.7: a name may be subscribed before its mailbox exists, and stays subscribed after DELETE.
    assert imap.subscribe("Missing")[0] == "OK"
    assert imap.delete("Lists/python")[0] == "OK"
    imap._simple_command("LIST", "(SUBSCRIBED)", '""', "*")
    lines = texts(imap.untagged_responses.pop("LIST"))
    assert '(\\NonExistent \\HasNoChildren \\Subscribed) "/" "Missing"' in lines
    assert '(\\NonExistent \\HasNoChildren \\Subscribed) "/" "Lists/python"' in lines
    assert '(\\Noselect \\HasNoChildren) "/" "Missing"' in [line.decode() for line in imap.lsub()[1]]


def test_list_return_status_and_children(server: ServerThread, imap: imaplib.IMAP4) -> None:
    deliver(server, ["user"])
    imap._simple_command("LIST", '""', "INBOX", "RETURN", "(CHILDREN STATUS (MESSAGES UNSEEN))")
    assert imap.untagged_responses.pop("LIST") == [b'(\\HasNoChildren) "/" "INBOX"']
    assert imap.untagged_responses.pop("STATUS") == [b'"INBOX" (MESSAGES 1 UNSEEN 1)']


def test_list_empty_pattern_gives_the_delimiter(imap: imaplib.IMAP4) -> None:
    assert imap.list('""', '""')[1] == [b'(\\Noselect) "/" ""']


def test_status_items(server: ServerThread, imap: imaplib.IMAP4) -> None:
    deliver(server, ["user"])
    typ, data = imap.status("inbox", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT)")
    assert typ == "OK"
    match = re.fullmatch(
        rb'"INBOX" \(MESSAGES 1 UIDNEXT 2 UIDVALIDITY (\d+) UNSEEN 1 DELETED 0 SIZE (\d+) RECENT 1\)',
        data[0],
    )
    assert match is not None
    assert int(match.group(2)) == len(MESSAGE)
    typ, data = imap.status("Missing", "(MESSAGES)")
    assert typ == "NO"
    assert codes.NONEXISTENT.encode() in data[0]


def test_append_with_flags_and_date_then_appenduid(imap: imaplib.IMAP4) -> None:
    typ, data = imap.append("INBOX", "(\\Flagged custom)", '"17-Jul-1996 02:44:25 -0700"', MESSAGE)
    assert typ == "OK"
    match = re.match(rb"\[APPENDUID (\d+) 1\]", data[0])
    assert match is not None
    imap.select("INBOX")
    typ, fetched = imap.fetch("1", "(FLAGS INTERNALDATE BODY.PEEK[])")
    assert literal_part(fetched[0]) == MESSAGE
    assert isinstance(fetched[0], tuple)
    head = fetched[0][0]
    assert b"\\Flagged" in head
    assert b"custom" in head
    assert b'INTERNALDATE "17-Jul-1996 02:44:25 -0700"' in head


def test_append_to_missing_mailbox_says_trycreate(imap: imaplib.IMAP4) -> None:
    typ, data = imap.append("Nope", None, None, MESSAGE)
    assert typ == "NO"
    assert codes.TRYCREATE.encode() in data[0]


def test_append_larger_than_appendlimit_is_toobig(make_server: ServerFactory) -> None:
    server = make_server(max_message_size=100)
    client = imaplib.IMAP4(client_host(), server.imap_port, timeout=5)
    client.login("user", "pass")
    assert "APPENDLIMIT=100" in client.capability()[1][0].decode()
    typ, data = client.append("INBOX", None, None, b"x" * 101)
    assert typ == "NO"
    assert codes.TOOBIG.encode() in data[0]
    assert client.append("INBOX", None, None, b"Subject: x\r\n\r\nsmall\r\n")[0] == "OK"
    client.logout()


def test_append_to_selected_mailbox_announces_exists(imap: imaplib.IMAP4) -> None:
    imap.select("INBOX")
    imap.append("INBOX", None, None, MESSAGE)
    assert imap.untagged_responses.get("EXISTS") == [b"0", b"1"]  # SELECT's, then APPEND's


def test_close_expunges_deleted_and_unselect_does_not(server: ServerThread, imap: imaplib.IMAP4) -> None:
    for _ in range(2):
        deliver(server, ["user"])
    store = server.server.store

    async def mark_first_deleted() -> None:
        from elektromail.store import FlagMode

        account = store.account("user")
        assert account is not None
        inbox = account.inbox
        await store.set_flags(inbox, inbox.messages[:1], ["\\Deleted"], FlagMode.ADD)

    server.call(mark_first_deleted)
    imap.select("INBOX")
    assert imap.unselect()[0] == "OK"
    assert imap.select("INBOX") == ("OK", [b"2"])
    assert imap.close()[0] == "OK"
    assert imap.select("INBOX") == ("OK", [b"1"])


def test_namespace_quota_id_enable(imap: imaplib.IMAP4) -> None:
    assert imap.namespace() == ("OK", [b'(("" "/")) NIL NIL'])
    typ, data = imap.getquotaroot("INBOX")
    assert typ == "OK"
    assert data[0] == [b'"INBOX" ""']
    assert re.fullmatch(rb'"" \(STORAGE 0 \d+\)', data[1][0])
    assert imap.getquota('""')[0] == "OK"
    typ, data = imap.xatom("ID", '("name" "test")')
    assert as_bytes(imap.untagged_responses.pop("ID")[0]).startswith(b'("name" "elektromail"')
    imap.enable("IMAP4rev2")
    assert imap.untagged_responses.pop("ENABLED") == [b"IMAP4rev2"]
    imap.enable("IMAP4rev2")
    assert imap.untagged_responses.pop("ENABLED") == [b""]  # already enabled: nothing new to report


def test_check_and_noop_in_selected_state(imap: imaplib.IMAP4) -> None:
    imap.select("INBOX")
    assert imap.check()[0] == "OK"
    assert imap.noop()[0] == "OK"
