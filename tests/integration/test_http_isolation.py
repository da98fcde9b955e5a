"""Per-test isolation over HTTP: one user's mail and account removed without touching anyone else's, and
messages addressed by a server-wide id."""

from __future__ import annotations

import imaplib
import smtplib
from collections.abc import Iterator

import httpx
import pytest

from elektromail import ServerThread
from tests.conftest import ServerFactory

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def http_server(make_server: ServerFactory) -> ServerThread:
    return make_server(http_port=0)


@pytest.fixture
def client(http_server: ServerThread) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"http://127.0.0.1:{http_server.http_port}", timeout=10) as client:
        yield client


def send(server: ServerThread, to: str, subject: str, body: str = "hi") -> None:
    with smtplib.SMTP("127.0.0.1", server.smtp_port) as smtp:
        smtp.sendmail("app@example.com", [to], f"Subject: {subject}\r\n\r\n{body}\r\n".encode())


def subjects(client: httpx.Client, **query: str) -> list[str]:
    response = client.get("/messages", params=query)
    assert response.status_code == 200, response.text
    return [message["subject"] for message in response.json()["messages"]]


def test_deleting_one_users_mail_leaves_everyone_elses(http_server: ServerThread, client: httpx.Client) -> None:
    send(http_server, "alice@example.com", "for alice")
    send(http_server, "bob@example.com", "for bob")
    client.post("/inject", json={"to": "alice", "mailbox": "Archive", "subject": "archived"}).raise_for_status()

    only_archive = client.delete("/messages", params={"user": "alice", "mailbox": "archive"})
    assert only_archive.status_code == 404  # mailbox names other than INBOX are case-sensitive
    only_archive = client.delete("/messages", params={"user": "alice", "mailbox": "Archive"})
    assert only_archive.json() == {"deleted": 1}
    assert subjects(client, user="alice") == ["for alice"]

    assert client.delete("/messages", params={"user": "ALICE"}).json() == {"deleted": 1}
    assert subjects(client, user="alice") == []
    assert subjects(client, user="bob") == ["for bob"]
    assert client.delete("/messages", params={"user": "ghost"}).status_code == 404
    missing_user = client.delete("/messages")
    assert missing_user.status_code == 422
    assert "user" in missing_user.json()["error"]


def test_deleting_a_user_removes_its_login_and_mail_only(http_server: ServerThread, client: httpx.Client) -> None:
    client.post("/users", json={"name": "tmp1", "password": "pw", "email": "tmp1@test.example"}).raise_for_status()
    send(http_server, "tmp1@test.example", "to tmp1")
    send(http_server, "bob@example.com", "to bob")
    imap = imaplib.IMAP4("127.0.0.1", http_server.imap_port)
    imap.login("tmp1", "pw")
    imap.select("INBOX")

    assert client.delete("/users/tmp1").status_code == 204
    assert client.delete("/users/tmp1").status_code == 404
    # The selected session ends: the server says BYE when the mailbox goes away.
    with pytest.raises(imaplib.IMAP4.abort):
        imap.noop()
    imap.shutdown()
    again = imaplib.IMAP4("127.0.0.1", http_server.imap_port)
    try:
        with pytest.raises(imaplib.IMAP4.error):
            again.login("tmp1", "pw")
    finally:
        again.shutdown()
    assert "tmp1" not in [user["name"] for user in client.get("/users").json()]
    assert client.get("/messages", params={"user": "tmp1"}).status_code == 404
    assert subjects(client, user="bob") == ["to bob"]


def test_message_ids_are_unique_and_address_one_message(http_server: ServerThread, client: httpx.Client) -> None:
    send(http_server, "alice@example.com", "first")
    send(http_server, "bob@example.com", "second")
    listed = client.get("/messages").json()["messages"]
    ids = [message["id"] for message in listed]
    assert len(set(ids)) == 2
    assert {message["uid"] for message in listed} == {1}  # UIDs collide across users, ids do not

    for message in listed:
        detail = client.get(f"/messages/by-id/{message['id']}").json()
        assert (detail["id"], detail["user"], detail["subject"]) == (message["id"], message["user"], message["subject"])
        raw = client.get(f"/messages/by-id/{message['id']}/raw")
        assert raw.headers["content-type"] == "message/rfc822"
        assert f"Subject: {message['subject']}".encode() in raw.content

    assert client.delete(f"/messages/by-id/{ids[0]}").status_code == 204
    assert client.get(f"/messages/by-id/{ids[0]}").status_code == 404
    assert client.get(f"/messages/by-id/{ids[1]}").status_code == 200
    # A new message in the same mailbox never takes the removed one's id.
    send(http_server, f"{listed[0]['user']}@example.com", "third")
    assert ids[0] not in [message["id"] for message in client.get("/messages").json()["messages"]]
    for bad in ("nope", "1-", "-1", "99999-1"):
        assert client.get(f"/messages/by-id/{bad}").status_code == 404


def test_links_come_from_text_then_html_once_each(client: httpx.Client) -> None:
    body = {
        "to": "alice",
        "subject": "Confirm",
        "text": "Confirm: https://app.example/confirm?t=abc&u=1.\nDocs (https://docs.example/a_(b)) end",
        "html": (
            '<p><a href="https://app.example/confirm?t=abc&amp;u=1">Confirm</a> or '
            "https://app.example/other, <a href='mailto:x@y'>mail</a></p><script>var u='https://no.example/'</script>"
        ),
    }
    created = client.post("/inject", json=body)
    (ref,) = created.json()["messages"]
    expected = ["https://app.example/confirm?t=abc&u=1", "https://docs.example/a_(b)", "https://app.example/other"]
    assert client.get(f"/messages/by-id/{ref['id']}").json()["links"] == expected
    (summary,) = client.get("/messages", params={"user": "alice"}).json()["messages"]
    assert summary["links"] == expected
