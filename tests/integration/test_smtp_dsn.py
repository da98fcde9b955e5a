"""DSN rules: reject at RCPT, bounce with an RFC 3464 report to the sender, accept."""

from __future__ import annotations

import email
import email.policy
import json
import smtplib
from email.message import Message
from typing import cast

import pytest

from tests.conftest import ServerFactory
from tests.integration.smtp_wire import Wire, stored
from tests.servers import client_host

RULES = json.dumps(
    [
        {"recipient": "*@reject.test", "action": "reject"},
        {"recipient": "full@*", "action": "reject", "code": 452, "status": "4.2.2", "text": "Mailbox full"},
        {"recipient": "*@bounce.test", "sender": "*", "action": "bounce"},
        {"recipient": "vip@bounce.test", "action": "accept"},  # never reached: first match wins
        {"recipient": "*@accept.test", "sender": "boss@*", "action": "accept"},
        {"recipient": "*@accept.test", "action": "reject", "code": 550, "status": "5.7.1", "text": "Only the boss"},
    ]
)
ORIGINAL = b"From: sender@example.com\r\nSubject: will bounce\r\nMessage-ID: <orig@example.com>\r\n\r\nbody\r\n"


def test_reject_rules_answer_at_rcpt_with_default_and_custom_codes(make_server: ServerFactory) -> None:
    server = make_server(dsn_rules=RULES)
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        wire.command("MAIL FROM:<sender@example.com>")
        assert wire.command("RCPT TO:<Someone@REJECT.test>") == (550, "5.1.1 Recipient address rejected")
        assert wire.command("RCPT TO:<full@example.com>") == (452, "4.2.2 Mailbox full")
        assert wire.command("RCPT TO:<x@accept.test>") == (550, "5.7.1 Only the boss")
        assert wire.code("RCPT TO:<user@example.com>") == 250
        assert wire.code("DATA") == 354
        wire.send(b"\r\nok\r\n.\r\n")
        assert wire.reply()[0] == 250
    assert stored(server, "someone") == []
    assert stored(server, "full") == []
    assert stored(server, "user") == [b"\r\nok\r\n"]


def test_accept_rule_matching_the_sender(make_server: ServerFactory) -> None:
    server = make_server(dsn_rules=RULES)
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as client:
        assert client.sendmail("boss@corp.example", ["x@accept.test"], b"\r\nhi\r\n") == {}
    assert stored(server, "x") == [b"\r\nhi\r\n"]


def test_bounce_is_accepted_not_delivered_and_reported_to_the_sender(make_server: ServerFactory) -> None:
    server = make_server(dsn_rules=RULES)
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as client:
        recipients = ["gone@bounce.test", "vip@bounce.test", "user@x.org"]
        refused = client.sendmail("sender+tag@example.com", recipients, ORIGINAL)
    assert refused == {}
    assert stored(server, "gone") == []
    assert stored(server, "vip") == []
    assert stored(server, "user") == [ORIGINAL]

    reports = stored(server, "sender")
    assert len(reports) == 1
    report = email.message_from_bytes(reports[0], policy=email.policy.compat32)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    assert report["To"] == "<sender+tag@example.com>"
    assert report["Auto-Submitted"] == "auto-replied"
    assert not report.defects
    human, status, returned = subparts(report)
    assert human.get_content_type() == "text/plain"
    assert "gone@bounce.test" in str(human.get_payload())
    assert status.get_content_type() == "message/delivery-status"
    per_message, *per_recipient = subparts(status)
    assert per_message["Reporting-MTA"].startswith("dns; ")
    assert per_message["Arrival-Date"]
    by_recipient = {block["Final-Recipient"]: block for block in per_recipient}
    assert set(by_recipient) == {"rfc822; gone@bounce.test", "rfc822; vip@bounce.test"}
    for block in by_recipient.values():
        assert block["Action"] == "failed"
        assert block["Status"] == "5.1.1"
        assert block["Diagnostic-Code"] == "smtp; 550 5.1.1 Mailbox unavailable"
    assert returned.get_content_type() == "message/rfc822"
    (original,) = subparts(returned)
    assert original["Message-ID"] == "<orig@example.com>"
    assert original.get_payload() == "body\r\n"


def subparts(message: Message) -> list[Message]:
    """The parts of a multipart, the field blocks of a delivery-status, or the message of a message/rfc822."""
    payload = message.get_payload()
    assert isinstance(payload, list)
    assert all(isinstance(part, Message) for part in payload)
    return cast(list[Message], payload)


def test_bounce_with_null_sender_sends_no_report(make_server: ServerFactory) -> None:
    server = make_server(dsn_rules=RULES)
    with Wire(server.smtp_port) as wire:
        wire.command("EHLO c.example")
        wire.command("MAIL FROM:<>")
        assert wire.code("RCPT TO:<gone@bounce.test>") == 250
        assert wire.code("DATA") == 354
        wire.send(ORIGINAL + b".\r\n")
        assert wire.reply()[0] == 250

    async def count() -> int:
        return sum(len(account.inbox.messages) for account in server.server.store.accounts())

    assert server.call(count) == 0


def test_smtputf8_bounce_uses_the_global_forms(make_server: ServerFactory) -> None:
    server = make_server(dsn_rules=RULES)
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=5) as client:
        client.sendmail("sénder@example.com", ["ñame@bounce.test"], "Subject: ü\r\n\r\nx\r\n".encode(), ["SMTPUTF8"])
    (raw,) = stored(server, "sénder")
    report = email.message_from_bytes(raw, policy=email.policy.SMTPUTF8)
    parts = list(report.iter_parts())
    assert parts[1].get_content_type() == "message/global-delivery-status"
    assert parts[2].get_content_type() == "message/global"
    assert "Final-Recipient: utf-8; ñame@bounce.test" in raw.decode()


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ("[{", "not valid JSON"),
        ('[{"recipient": "*", "action": "explode"}]', "action"),
        ('{"recipient": "*"}', "array"),
        ('[{"recipient": "*", "action": "reject", "code": 250}]', "`$[0].code`"),
        ('[{"recipient": "*", "action": "reject", "colour": "red"}]', "colour"),
    ],
)
def test_invalid_rules_stop_the_embedded_server(make_server: ServerFactory, rules: str, problem: str) -> None:
    from elektromail import ConfigError

    with pytest.raises(ConfigError) as caught:
        make_server(dsn_rules=rules)
    assert str(caught.value).startswith("ELEKTROMAIL_DSN_RULES: ")
    assert problem in str(caught.value)
