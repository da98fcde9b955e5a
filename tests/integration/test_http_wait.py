"""GET /messages/wait answers when matching mail arrives after the request started, or 408 at the timeout."""

from __future__ import annotations

import smtplib
import threading
import time

import httpx
import pytest

from elektromail import ServerThread
from tests.conftest import ServerFactory
from tests.servers import client_host, require_in_process

pytestmark = pytest.mark.timeout(30)


def wait_until_listening(server: ServerThread, waiters: int, limit: float = 5.0) -> None:
    """Until the server has registered that many pending waits (bounded)."""
    deadline = time.monotonic() + limit
    while len(server.server.store.delivery_listeners) < waiters:
        assert time.monotonic() < deadline, "the wait request never reached the server"
        time.sleep(0.01)


def start_wait(base: str, params: dict[str, str], into: list[httpx.Response]) -> threading.Thread:
    def run() -> None:
        with httpx.Client(base_url=base, timeout=20) as client:
            into.append(client.get("/messages/wait", params=params))

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_wait_returns_when_an_smtp_delivery_arrives(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    require_in_process(server)  # watches the store's waiters
    base = f"http://{client_host()}:{server.http_port}"
    answers: list[httpx.Response] = []
    thread = start_wait(base, {"user": "alice", "subject": "report", "count": "2", "timeout": "15"}, answers)
    try:
        wait_until_listening(server, 1)
        started = time.monotonic()
        with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as smtp:
            smtp.sendmail("a@example.com", ["alice@example.com"], b"Subject: weekly REPORT\r\n\r\n1\r\n")
            smtp.sendmail("a@example.com", ["alice@example.com"], b"Subject: unrelated\r\n\r\n2\r\n")
            smtp.sendmail("a@example.com", ["user@example.com"], b"Subject: report for user\r\n\r\n3\r\n")
            assert not answers, "answered before enough matching mail"
            smtp.sendmail("a@example.com", ["alice+x@example.com"], b"Subject: daily report\r\n\r\n4\r\n")
    finally:
        thread.join(20)
    (response,) = answers
    assert response.status_code == 200
    subjects = [message["subject"] for message in response.json()["messages"]]
    assert subjects == ["weekly REPORT", "daily report"]
    assert time.monotonic() - started < 10
    assert not server.server.store.delivery_listeners  # the waiter unsubscribed


def test_wait_counts_mail_already_there(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}") as client:
        client.post("/inject", json={"to": "user", "subject": "early", "text": "x"}).raise_for_status()
        response = client.get("/messages/wait", params={"user": "user", "timeout": "5"})
    assert response.status_code == 200
    assert [message["subject"] for message in response.json()["messages"]] == ["early"]


def test_wait_for_injected_mail_in_a_mailbox(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    require_in_process(server)  # watches the store's waiters
    base = f"http://{client_host()}:{server.http_port}"
    answers: list[httpx.Response] = []
    thread = start_wait(base, {"user": "alice", "mailbox": "Sent", "timeout": "15"}, answers)
    try:
        wait_until_listening(server, 1)
        with httpx.Client(base_url=base) as client:
            client.post("/inject", json={"to": "alice", "text": "x", "subject": "inbox"}).raise_for_status()
            client.post("/inject", json={"to": "alice", "text": "y", "subject": "sent", "mailbox": "Sent"})
    finally:
        thread.join(20)
    (response,) = answers
    assert response.status_code == 200
    assert [message["subject"] for message in response.json()["messages"]] == ["sent"]


def test_wait_times_out_with_408(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=10) as client:
        started = time.monotonic()
        response = client.get("/messages/wait", params={"user": "alice", "timeout": "0.3"})
        elapsed = time.monotonic() - started
    assert response.status_code == 408
    assert "0.3" in response.json()["error"]
    assert 0.25 <= elapsed < 5


def send(server: ServerThread, message: bytes) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as smtp:
        smtp.sendmail("sender@example.net", ["alice@example.com"], message)


def test_wait_by_sender_is_not_released_by_other_mail(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    matching_sent: list[float] = []

    def deliver() -> None:
        # Both arrive while the wait below is pending: the other sender's mail first, then the awaited one.
        time.sleep(0.3)
        send(server, b"From: Bob <bob@example.com>\r\nSubject: from bob\r\n\r\n1\r\n")
        time.sleep(0.3)
        matching_sent.append(time.monotonic())
        send(server, b"From: =?utf-8?q?J=C3=B6rg?= <j@x.example>\r\nSubject: from joerg\r\n\r\n2\r\n")

    sender = threading.Thread(target=deliver)
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=20) as client:
        sender.start()
        try:
            response = client.get("/messages/wait", params={"from": "JÖRG", "timeout": "15"})
            answered = time.monotonic()
        finally:
            sender.join(20)
    assert response.status_code == 200, response.text
    assert [message["subject"] for message in response.json()["messages"]] == ["from joerg"]
    (sent,) = matching_sent
    assert sent <= answered < sent + 10


def test_wait_filters_mail_already_there_by_recipient_and_subject(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    send(server, b"To: alice@example.com\r\nSubject: Status\r\n\r\n1\r\n")
    send(server, b"To: list@example.com\r\nCc: Alice <alice@example.com>\r\nSubject: Status\r\n\r\n2\r\n")
    send(server, b"To: list@example.com\r\nSubject: other\r\n\r\n3\r\n")
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=10) as client:
        response = client.get("/messages/wait", params={"to": "list@", "subject": "STATUS", "timeout": "5"})
    assert response.status_code == 200, response.text
    assert [message["uid"] for message in response.json()["messages"]] == [2]


def test_wait_by_sender_times_out_with_408(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    send(server, b"From: Bob <bob@example.com>\r\nSubject: from bob\r\n\r\n1\r\n")
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=10) as client:
        started = time.monotonic()
        response = client.get("/messages/wait", params={"from": "carol", "user": "alice", "timeout": "0.3"})
        elapsed = time.monotonic() - started
    assert response.status_code == 408
    assert 0.25 <= elapsed < 5


@pytest.mark.parametrize("timeout", ["0", "-1", "301", "soon"])
def test_wait_rejects_bad_timeouts(make_server: ServerFactory, timeout: str) -> None:
    server = make_server(http_port=0)
    with httpx.Client(base_url=f"http://{client_host()}:{server.http_port}") as client:
        response = client.get("/messages/wait", params={"timeout": timeout})
    assert response.status_code == 422
    assert "timeout" in response.json()["error"]


def test_stopping_server_releases_a_pending_wait(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    require_in_process(server)  # watches the store's waiters
    answers: list[httpx.Response] = []
    thread = start_wait(f"http://{client_host()}:{server.http_port}", {"timeout": "20"}, answers)
    wait_until_listening(server, 1)
    started = time.monotonic()
    server.stop()
    thread.join(10)
    assert time.monotonic() - started < 5
    (response,) = answers
    assert response.status_code == 503
