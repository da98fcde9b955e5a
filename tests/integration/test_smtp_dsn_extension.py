"""The DSN extension (RFC 3461): NOTIFY, ORCPT, RET and ENVID from smtplib, reports read back over IMAP."""

from __future__ import annotations

import email
import email.policy
import json
import smtplib
from email.message import Message
from typing import cast

import pytest

from elektromail import ServerThread
from tests.conftest import ServerFactory
from tests.integration.imap_client import inbox_over_imap
from tests.integration.smtp_wire import Wire
from tests.servers import client_host

pytestmark = pytest.mark.timeout(30)

RULES = json.dumps([{"recipient": "*@bounce.test", "action": "bounce"}])
ORIGINAL = b"From: sender@example.com\r\nSubject: tracked\r\nMessage-ID: <t@example.com>\r\n\r\nthe body\r\n"


@pytest.fixture
def server(make_server: ServerFactory) -> ServerThread:
    return make_server(dsn_rules=RULES)


def send(server: ServerThread, recipients: list[str], mail_options: list[str], rcpt_options: list[str]) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as client:
        client.ehlo("c.example")
        assert client.has_extn("dsn")
        refused = client.sendmail("sender@example.com", recipients, ORIGINAL, mail_options, rcpt_options)
        assert refused == {}


def reports(server: ServerThread) -> list[Message]:
    """What the sender received (its account was created by the first report: password = name)."""
    raw = inbox_over_imap(server.imap_port, "sender", "sender")
    return [email.message_from_bytes(message, policy=email.policy.compat32) for message in raw]


def subparts(message: Message) -> list[Message]:
    payload = message.get_payload()
    assert isinstance(payload, list)
    return cast(list[Message], payload)


def test_notify_success_sends_a_delivered_report(server: ServerThread) -> None:
    send(
        server,
        ["user@example.com"],
        ["RET=FULL", "ENVID=QQ+2B314159"],
        ["NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;User+2Btag@example.com"],
    )
    assert inbox_over_imap(server.imap_port, "user", "pass") == [ORIGINAL]
    (report,) = reports(server)
    assert report["Subject"] == "Successful Mail Delivery Report"
    assert report.get_param("report-type") == "delivery-status"
    human, status, returned = subparts(report)
    assert "<user@example.com>: delivered" in str(human.get_payload())
    per_message, per_recipient = subparts(status)
    assert per_message["Original-Envelope-Id"] == "QQ+314159"  # xtext decoded
    assert per_recipient["Original-Recipient"] == "rfc822;User+tag@example.com"
    assert per_recipient["Final-Recipient"] == "rfc822; user@example.com"
    assert per_recipient["Action"] == "delivered"
    assert per_recipient["Status"] == "2.0.0"
    # A success report returns the header only, whatever RET says.
    assert returned.get_content_type() == "text/rfc822-headers"
    assert "Message-ID: <t@example.com>" in str(returned.get_payload())
    assert "the body" not in str(returned.get_payload())


def test_without_notify_a_delivery_is_not_reported(server: ServerThread) -> None:
    send(server, ["user@example.com"], [], [])
    assert inbox_over_imap(server.imap_port, "user", "pass") == [ORIGINAL]
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as client:
        client.sendmail("other@example.com", ["sender@example.com"], b"Subject: marker\r\n\r\nx\r\n")
    assert [message["Subject"] for message in reports(server)] == ["marker"]


@pytest.mark.parametrize("notify", ["NOTIFY=NEVER", "NOTIFY=SUCCESS", "NOTIFY=DELAY"])
def test_notify_without_failure_suppresses_the_bounce(server: ServerThread, notify: str) -> None:
    send(server, ["gone@bounce.test"], [], [notify])
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as client:
        client.sendmail("other@example.com", ["sender@example.com"], b"Subject: marker\r\n\r\nx\r\n")
    assert [message["Subject"] for message in reports(server)] == ["marker"]


def test_ret_hdrs_returns_only_the_header_of_a_bounced_message(server: ServerThread) -> None:
    send(server, ["gone@bounce.test"], ["RET=HDRS"], ["NOTIFY=FAILURE"])
    (report,) = reports(server)
    assert report["Subject"] == "Undelivered Mail Returned to Sender"
    _, status, returned = subparts(report)
    assert subparts(status)[1]["Action"] == "failed"
    assert returned.get_content_type() == "text/rfc822-headers"
    assert "the body" not in str(returned.get_payload())


def test_a_failure_and_a_success_in_one_message_give_two_reports(server: ServerThread) -> None:
    send(server, ["gone@bounce.test", "user@example.com"], [], ["NOTIFY=SUCCESS,FAILURE"])
    by_subject = {message["Subject"]: message for message in reports(server)}
    assert set(by_subject) == {"Undelivered Mail Returned to Sender", "Successful Mail Delivery Report"}
    failed = subparts(subparts(by_subject["Undelivered Mail Returned to Sender"])[1])[1]
    assert (failed["Final-Recipient"], failed["Action"]) == ("rfc822; gone@bounce.test", "failed")
    # Without RET, a failure report returns the whole message.
    assert subparts(by_subject["Undelivered Mail Returned to Sender"])[2].get_content_type() == "message/rfc822"
    delivered = subparts(subparts(by_subject["Successful Mail Delivery Report"])[1])[1]
    assert (delivered["Final-Recipient"], delivered["Action"]) == ("rfc822; user@example.com", "delivered")


def test_null_sender_gets_no_report(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        assert wire.code("EHLO c.example") == 250
        assert wire.code("MAIL FROM:<>") == 250
        assert wire.code("RCPT TO:<user@example.com> NOTIFY=SUCCESS") == 250
        assert wire.code("DATA") == 354
        wire.send(b"Subject: from nobody\r\n\r\nx\r\n.\r\n")
        assert wire.reply()[0] == 250
    (only,) = inbox_over_imap(server.imap_port, "user", "pass")  # the message, and no report anywhere
    assert only.startswith(b"Subject: from nobody")


def test_dsn_parameters_need_ehlo(server: ServerThread) -> None:
    with Wire(server.smtp_port) as wire:
        assert wire.code("HELO c.example") == 250
        assert wire.code("MAIL FROM:<a@b.example> RET=HDRS") == 555
        assert wire.code("MAIL FROM:<a@b.example>") == 250
        assert wire.code("RCPT TO:<user@example.com> NOTIFY=NEVER") == 555
