"""The engine through imapclient: folders, status, append, flags of appended messages, ID, quota."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import imapclient
import pytest

from elektromail import ServerThread
from tests.servers import client_host

MESSAGE = b"From: a@example.com\r\nSubject: via imapclient\r\n\r\nhello\r\n"


@pytest.fixture
def client(server: ServerThread) -> Iterator[imapclient.IMAPClient]:
    imap = imapclient.IMAPClient(client_host(), port=server.imap_port, ssl=False, timeout=5)
    imap.login("alice", "wonderland")
    yield imap
    imap.logout()


def test_folders_round_trip(client: imapclient.IMAPClient) -> None:
    client.create_folder("Work/Reports")
    client.create_folder("Entwürfe")
    names = {name for _, _, name in client.list_folders()}
    assert {"INBOX", "Work", "Work/Reports", "Entwürfe"} <= names
    client.rename_folder("Work", "Job")
    assert client.folder_exists("Job/Reports")
    assert not client.folder_exists("Work")
    client.subscribe_folder("Job/Reports")
    assert [name for _, _, name in client.list_sub_folders()] == ["Job/Reports"]
    client.delete_folder("Job/Reports")
    assert not client.folder_exists("Job/Reports")


def test_append_select_fetch(client: imapclient.IMAPClient) -> None:
    when = datetime(2024, 3, 1, 12, 30, 0, tzinfo=timezone(timedelta(hours=2)))
    client.create_folder("Entwürfe")
    response = client.append("Entwürfe", MESSAGE, flags=[imapclient.SEEN, b"$label"], msg_time=when)
    assert b"APPENDUID" in response
    info = client.select_folder("Entwürfe")
    assert info[b"EXISTS"] == 1
    assert info[b"UIDNEXT"] == 2
    fetched = client.fetch([1], ["BODY.PEEK[]", "FLAGS", "INTERNALDATE", "RFC822.SIZE"])
    data = fetched[1]
    assert data[b"BODY[]"] == MESSAGE
    assert set(data[b"FLAGS"]) >= {b"\\Seen", b"$label"}
    assert data[b"RFC822.SIZE"] == len(MESSAGE)
    assert data[b"INTERNALDATE"].replace(tzinfo=None) == when.astimezone().replace(tzinfo=None)


def test_multiappend(client: imapclient.IMAPClient) -> None:
    when = datetime(2024, 3, 1, 12, 30, 0, tzinfo=UTC)
    assert b"MULTIAPPEND" in client.capabilities()
    messages = [
        {"msg": MESSAGE, "flags": [imapclient.SEEN]},
        {"msg": MESSAGE.replace(b"hello", b"second"), "date": when},
        MESSAGE.replace(b"hello", b"third"),
    ]
    typ, data = client.multiappend("INBOX", messages)  # unlike append(), the raw (type, data) pair
    assert typ == "OK"
    assert data[0].startswith(b"[APPENDUID ") and data[0].split(b"]")[0].endswith(b" 1:3")
    client.select_folder("INBOX")
    fetched = client.fetch([1, 2, 3], ["BODY.PEEK[TEXT]", "FLAGS", "INTERNALDATE"])
    assert [data[b"BODY[TEXT]"] for data in fetched.values()] == [b"hello\r\n", b"second\r\n", b"third\r\n"]
    assert imapclient.SEEN in fetched[1][b"FLAGS"]
    assert imapclient.SEEN not in fetched[2][b"FLAGS"]
    assert fetched[2][b"INTERNALDATE"].replace(tzinfo=None) == when.astimezone().replace(tzinfo=None)


def test_status_namespace_id_quota(client: imapclient.IMAPClient) -> None:
    client.append("INBOX", MESSAGE)
    status = client.folder_status("INBOX", ["MESSAGES", "UNSEEN", "UIDNEXT"])
    assert status == {b"MESSAGES": 1, b"UNSEEN": 1, b"UIDNEXT": 2}
    namespace = client.namespace()
    assert namespace.personal == (("", "/"),)
    (server_id,) = client.id_({"name": "tests"})
    assert dict(zip(server_id[::2], server_id[1::2], strict=True))[b"name"] == b"elektromail"
    roots = client.get_quota_root("INBOX")
    assert roots[0].mailbox == "INBOX"
    assert roots[1][0].resource == "STORAGE"


def test_enable_utf8_accept(client: imapclient.IMAPClient) -> None:
    assert client.enable("UTF8=ACCEPT") == [b"UTF8=ACCEPT"]
    client.create_folder("Ünïcode")
    assert client.folder_exists("Ünïcode")
