"""Every message's envelope and delivery over real sockets: Bcc recipients are in the envelope and found
by ``rcpt``, ESMTP and DSN parameters are kept, each path says what it honestly knows, SQLite keeps it all."""

from __future__ import annotations

import imaplib
import smtplib
from pathlib import Path
from typing import Any

import httpx
import pytest

from elektromail import ServerThread
from tests.conftest import ServerFactory
from tests.integration.tls_client import client_context
from tests.servers import client_host

pytestmark = pytest.mark.timeout(60)

MESSAGE = b"From: app@example.com\r\nTo: bob@example.com\r\nSubject: with a hidden copy\r\n\r\nbody\r\n"


def api(server: ServerThread) -> httpx.Client:
    return httpx.Client(base_url=f"http://{client_host()}:{server.http_port}", timeout=10)


def only(http: httpx.Client, **params: str) -> dict[str, Any]:
    (message,) = http.get("/messages", params=params).json()["messages"]
    detail: dict[str, Any] = http.get(f"/messages/by-id/{message['id']}").json()
    assert detail["envelope"] == message["envelope"] and detail["delivery"] == message["delivery"]
    return detail


def send_with_bcc(server: ServerThread) -> None:
    with smtplib.SMTP("localhost", server.smtp_port, local_hostname="app.example", timeout=10) as smtp:
        smtp.starttls(context=client_context(server))
        smtp.login("alice", "wonderland")
        smtp.sendmail(
            "app@example.com",
            ["bob@example.com", "Audit+Q3@example.com", "auditor@example.com"],
            MESSAGE,
            mail_options=["BODY=8BITMIME", "RET=HDRS", "ENVID=batch+2B7"],  # smtplib adds SIZE itself
            rcpt_options=["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;audit@example.com"],
        )


def test_bcc_recipients_are_in_the_envelope_and_found_by_rcpt(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    send_with_bcc(server)
    with api(server) as http:
        audit = only(http, user="audit")
        envelope = audit["envelope"]
        assert envelope == {
            "mail_from": "app@example.com",
            "rcpt_to": ["Audit+Q3@example.com"],
            "body": "8BITMIME",
            "smtputf8": False,
            "size": len(MESSAGE),
            "ret": "HDRS",
            "envid": "batch+7",
            "recipient_parameters": [
                {
                    "address": "Audit+Q3@example.com",
                    "notify": ["FAILURE", "SUCCESS"],
                    "orcpt": "rfc822;audit@example.com",
                }
            ],
        }
        assert audit["to"] == ["bob@example.com"]  # the headers do not name the hidden recipient
        delivery = audit["delivery"]
        assert delivery["protocol"] == "smtp" and delivery["helo"] == "app.example"
        assert delivery["auth"]["user"] == "alice" and delivery["auth"]["mechanism"] in ("PLAIN", "CRAM-MD5")
        assert delivery["tls"]["version"].startswith("TLSv1.")
        assert delivery["client"].startswith("127.0.0.1:") and delivery["received_at"]
        session = http.get(f"/sessions/{delivery['session_id']}").json()
        assert audit["id"] in session["message_ids"]
        found = http.get("/messages", params={"rcpt": "audit+q3@"}).json()
        assert [m["id"] for m in found["messages"]] == [audit["id"]] and found["total"] == 1
        by_query = http.get("/messages", params={"q": "rcpt:audit+q3@example.com"}).json()["messages"]
        assert [m["id"] for m in by_query] == [audit["id"]]
        assert http.get("/messages", params={"q": "bcc:auditor@"}).json()["total"] == 1
        in_session = http.get("/messages", params={"session": delivery["session_id"]}).json()
        assert in_session["total"] == 3  # bob, audit and auditor each got a copy
        assert http.get("/messages", params={"q": f"session:{delivery['session_id']} tls:yes"}).json()["total"] == 3
        # NOTIFY=SUCCESS asked for a report: the server wrote it, with no TLS of its own.
        (report,) = http.get("/messages", params={"q": "tls:no"}).json()["messages"]
        assert report["delivery"]["protocol"] == "bounce" and report["user"] == "app"
        assert report["envelope"]["rcpt_to"] == ["app@example.com"]
        waited = http.get("/messages/wait", params={"q": "rcpt:auditor@example.com", "timeout": "1"}).json()
        assert waited["messages"][0]["envelope"]["rcpt_to"] == ["auditor@example.com"]


def test_each_path_says_what_it_knows(make_server: ServerFactory) -> None:
    server = make_server(http_port=0, dsn_rules='[{"action": "bounce", "recipient": "gone@*"}]')
    with api(server) as http:
        injected = http.post(
            "/inject", json={"to": ["carol@example.com"], "from": "Ann <ann@example.com>", "text": "x"}
        )
        assert injected.status_code == 201
        carol = only(http, user="carol")
        assert carol["envelope"] == {
            "mail_from": "ann@example.com",
            "rcpt_to": ["carol@example.com"],
            "body": None,
            "smtputf8": False,
            "size": None,
            "ret": None,
            "envid": None,
            "recipient_parameters": [],
        }
        assert carol["delivery"]["protocol"] == "http" and carol["delivery"]["session_id"] is None
        imap = imaplib.IMAP4(client_host(), server.imap_port, timeout=10)
        imap.login("alice", "wonderland")
        assert imap.append("INBOX", None, None, b"Subject: appended\r\n\r\nx\r\n")[0] == "OK"
        imap.logout()
        appended = only(http, user="alice", q="subject:appended")
        assert appended["envelope"] is None
        assert appended["delivery"]["protocol"] == "imap"
        assert appended["delivery"]["auth"] == {"mechanism": "LOGIN", "user": "alice"}
        assert appended["delivery"]["tls"] is None
        assert http.get(f"/sessions/{appended['delivery']['session_id']}").json()["protocol"] == "imap"
        with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as smtp:
            smtp.sendmail("dave@example.com", ["gone@example.com"], b"Subject: lost\r\n\r\nx\r\n")
        report = only(http, user="dave")
        assert report["delivery"]["protocol"] == "bounce"
        assert report["envelope"]["mail_from"] == "" and report["envelope"]["rcpt_to"] == ["dave@example.com"]


def test_sqlite_keeps_envelope_and_delivery(make_server: ServerFactory, tmp_path: Path) -> None:
    database = str(tmp_path / "mail.db")
    first = make_server(http_port=0, db=database)
    send_with_bcc(first)
    with api(first) as http:
        before = only(http, user="audit")
    first.stop()
    second = make_server(http_port=0, db=database)
    with api(second) as http:
        after = only(http, user="audit")
        assert after["envelope"] == before["envelope"] and after["delivery"] == before["delivery"]
        assert http.get("/messages", params={"rcpt": "audit+q3"}).json()["total"] == 1


def test_copies_with_one_envelope_share_its_record(server: ServerThread) -> None:
    """Two transactions with the same sender and recipient, in two sessions: their copies keep one envelope
    record between them, and one EHLO name, as each session delivered it."""
    for _ in range(2):
        with smtplib.SMTP(client_host(), server.smtp_port, local_hostname="app.example", timeout=10) as smtp:
            smtp.sendmail("app@example.com", ["bob@example.com"], MESSAGE)

    async def provenances() -> list[Any]:
        return [message.provenance for account in server.server.store.accounts() for message in account.inbox.messages]

    first, second = server.call(provenances)
    assert first.envelope is second.envelope
    assert first.envelope.mail_from == "app@example.com" and first.envelope.rcpt_to == ("bob@example.com",)
    assert first.delivery.session_id != second.delivery.session_id
    assert first.delivery.helo == "app.example" and first.delivery.helo is second.delivery.helo
