"""A selected mailbox as each session knows it: new and expunged messages reach a session only when it is
told (EXISTS, EXPUNGE), whatever other sessions and deliveries do meanwhile, and a new SELECT sees the
mailbox as it is now (its FLAGS and UNSEEN included)."""

from __future__ import annotations

import contextlib
import imaplib
import re
from collections.abc import Iterator
from typing import Any

import pytest

from elektromail import ServerThread
from tests.servers import client_host


def message(number: int) -> bytes:
    return b"From: a@example.com\r\nTo: user@example.com\r\nSubject: m%d\r\n\r\nbody\r\n" % number


def deliver(server: ServerThread, count: int, first: int = 1) -> None:
    raws = [message(number) for number in range(first, first + count)]

    async def deliver_all() -> None:
        for raw in raws:
            await server.server.store.deliver(["user"], raw)

    server.call(deliver_all)


@pytest.fixture
def connect(server: ServerThread) -> Iterator[Any]:
    clients: list[imaplib.IMAP4] = []

    def open_session() -> imaplib.IMAP4:
        client = imaplib.IMAP4(client_host(), server.imap_port, timeout=5)
        client.login("user", "pass")
        clients.append(client)
        return client

    yield open_session
    for client in clients:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()


def as_bytes(item: object) -> bytes:
    assert isinstance(item, bytes), item
    return item


def fetched_uids(client: imaplib.IMAP4) -> list[tuple[int, int]]:
    """(sequence number, UID) of every message the session knows, from ``FETCH 1:* (UID)``."""
    typ, data = client.fetch("1:*", "(UID)")
    assert typ == "OK"
    pairs = []
    for item in data:
        assert isinstance(item, bytes), item
        found = re.match(rb"(\d+) \(UID (\d+)\)", item)
        assert found, item
        pairs.append((int(found[1]), int(found[2])))
    return pairs


def noop_responses(client: imaplib.IMAP4, name: str) -> list[bytes]:
    """The ``name`` responses heard since SELECT (or the last call), a NOOP included."""
    assert client.noop()[0] == "OK"
    return [as_bytes(item) for item in client.untagged_responses.pop(name, [])]


def test_delivery_after_select_is_invisible_until_exists(server: ServerThread, connect: Any) -> None:
    deliver(server, 3)
    client = connect()
    assert client.select("INBOX") == ("OK", [b"3"])
    deliver(server, 2, first=4)
    assert fetched_uids(client) == [(1, 1), (2, 2), (3, 3)]
    assert noop_responses(client, "EXISTS")[-1] == b"5"
    assert fetched_uids(client) == [(n, n) for n in range(1, 6)]


def test_two_sessions_keep_their_own_sequence_numbers(server: ServerThread, connect: Any) -> None:
    deliver(server, 5)
    first, second = connect(), connect()
    assert first.select("INBOX") == ("OK", [b"5"])
    assert second.select("INBOX") == ("OK", [b"5"])
    assert first.store("2,4", "+FLAGS.SILENT", "(\\Deleted)")[0] == "OK"
    assert first.expunge()[0] == "OK"
    assert fetched_uids(first) == [(1, 1), (2, 3), (3, 5)]
    # FETCH never carries EXPUNGE (RFC 9051 7.5.1): the other session keeps every sequence number.
    assert [uid for _, uid in fetched_uids(second)] == [1, 2, 3, 4, 5]
    deliver(server, 1, first=6)
    assert [uid for _, uid in fetched_uids(second)] == [1, 2, 3, 4, 5]
    assert noop_responses(second, "EXPUNGE") == [b"2", b"3"]  # UID 2, then UID 4 renumbered to 3
    assert fetched_uids(second) == [(1, 1), (2, 3), (3, 5), (4, 6)]
    assert fetched_uids(first) == [(1, 1), (2, 3), (3, 5)]  # UID 6 is announced after this FETCH
    assert noop_responses(first, "EXISTS")[-1] == b"4"
    assert fetched_uids(first) == [(1, 1), (2, 3), (3, 5), (4, 6)]


def test_select_after_changes_sees_the_mailbox_now(server: ServerThread, connect: Any) -> None:
    deliver(server, 4)
    watcher = connect()
    assert watcher.select("INBOX") == ("OK", [b"4"])
    changer = connect()
    assert changer.select("INBOX") == ("OK", [b"4"])
    assert changer.store("1", "+FLAGS.SILENT", "(\\Deleted)")[0] == "OK"
    assert changer.expunge()[0] == "OK"
    deliver(server, 2, first=5)
    fresh = connect()
    assert fresh.select("INBOX") == ("OK", [b"5"])
    assert [uid for _, uid in fetched_uids(fresh)] == [2, 3, 4, 5, 6]
    assert [uid for _, uid in fetched_uids(watcher)] == [1, 2, 3, 4]
    deliver(server, 1, first=7)
    assert [uid for _, uid in fetched_uids(fresh)] == [2, 3, 4, 5, 6]
    assert noop_responses(watcher, "EXISTS")[-1] == b"6"
    assert [uid for _, uid in fetched_uids(watcher)] == [2, 3, 4, 5, 6, 7]


def select_codes(client: imaplib.IMAP4) -> tuple[list[bytes], list[bytes]]:
    """The FLAGS and UNSEEN a SELECT of INBOX reports."""
    client.untagged_responses.clear()
    assert client.select("INBOX")[0] == "OK"
    found = client.untagged_responses
    return [as_bytes(item) for item in found.get("FLAGS", [])], [as_bytes(item) for item in found.get("UNSEEN", [])]


def test_repeated_select_follows_flag_changes(server: ServerThread, connect: Any) -> None:
    deliver(server, 3)
    client = connect()
    flags, unseen = select_codes(client)
    assert unseen == [b"1"]
    assert b"$Urgent" not in flags[0]
    assert client.store("1", "+FLAGS.SILENT", "(\\Seen $Urgent)")[0] == "OK"
    flags, unseen = select_codes(client)
    assert unseen == [b"2"]
    assert b"$Urgent" in flags[0]
    assert client.store("1", "-FLAGS.SILENT", "($Urgent)")[0] == "OK"
    assert client.store("2:3", "+FLAGS.SILENT", "(\\Seen)")[0] == "OK"
    flags, unseen = select_codes(client)
    assert unseen == []
    assert b"$Urgent" not in flags[0]
    deliver(server, 1, first=4)
    assert select_codes(client)[1] == [b"4"]
