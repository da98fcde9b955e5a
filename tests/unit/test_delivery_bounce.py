"""RFC 3464 reports built from bytes and read back with the standard library."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime
from email.message import Message
from typing import cast

from elektromail.delivery.bounce import DELIVERED, FAILED, Reported, build_report

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def parts(message: Message) -> list[Message]:
    payload = message.get_payload()
    assert isinstance(payload, list)
    return cast(list[Message], payload)


def test_report_structure_and_exact_returned_message() -> None:
    original = b"Subject: hello\r\nMessage-ID: <m@x>\r\n\r\nline\r\nlast line without end"
    raw = build_report(
        action=FAILED,
        reporting_mta="mx.test",
        sender="s@example.com",
        recipients=[Reported("r@bounce.test", "5.7.1", 553, "No thanks")],
        original=original,
        arrival=WHEN,
        now=WHEN,
    )
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF line ends only
    report = email.message_from_bytes(raw, policy=email.policy.compat32)
    assert report.get_content_type() == "multipart/report"
    assert report.get_param("report-type") == "delivery-status"
    assert report["From"] == "Mail Delivery System <MAILER-DAEMON@mx.test>"
    assert report["Date"] == "Wed, 01 May 2024 12:00:00 +0000"
    text, status, returned = parts(report)
    assert "<r@bounce.test>: 553 No thanks" in str(text.get_payload())
    per_message, per_recipient = parts(status)
    assert per_message["Reporting-MTA"] == "dns; mx.test"
    assert per_message["Original-Envelope-Id"] is None
    assert per_message["Arrival-Date"] == "Wed, 01 May 2024 12:00:00 +0000"
    assert per_recipient["Final-Recipient"] == "rfc822; r@bounce.test"
    assert per_recipient["Action"] == "failed"
    assert per_recipient["Status"] == "5.7.1"
    assert per_recipient["Diagnostic-Code"] == "smtp; 553 5.7.1 No thanks"
    # The returned message is the original, byte for byte, between the boundaries.
    boundary = report.get_boundary()
    assert boundary is not None
    section = raw.split(f"--{boundary}".encode())[3]
    assert section.endswith(b"\r\n\r\n" + original + b"\r\n")
    (returned_message,) = parts(returned)
    assert returned_message["Message-ID"] == "<m@x>"


def test_boundary_never_occurs_in_the_original() -> None:
    raw = build_report(
        action=FAILED,
        reporting_mta="mx.test",
        sender="s@example.com",
        recipients=[Reported("r@x", "5.1.1", 550, "gone")],
        original=b"\r\n--=_report_ looks like a boundary\r\n",
        arrival=WHEN,
        now=WHEN,
    )
    boundary = email.message_from_bytes(raw).get_boundary()
    assert boundary is not None
    assert raw.count(f"--{boundary}--".encode()) == 1


def test_success_report_with_envelope_id_original_recipient_and_header_only() -> None:
    original = b"Subject: hello\r\nMessage-ID: <m@x>\r\n\r\nthe body is not returned\r\n"
    raw = build_report(
        action=DELIVERED,
        reporting_mta="mx.test",
        sender="s@example.com",
        recipients=[Reported("r@x.test", "2.0.0", 250, "delivered", original_recipient="rfc822;R+tag@x.test")],
        original=original,
        arrival=WHEN,
        now=WHEN,
        full_content=False,
        envelope_id="QQ314159",
    )
    report = email.message_from_bytes(raw, policy=email.policy.compat32)
    assert report["Subject"] == "Successful Mail Delivery Report"
    text, status, returned = parts(report)
    assert "<r@x.test>: delivered to the mailbox" in str(text.get_payload())
    per_message, per_recipient = parts(status)
    assert per_message["Original-Envelope-Id"] == "QQ314159"
    assert per_recipient["Original-Recipient"] == "rfc822;R+tag@x.test"
    assert per_recipient["Action"] == "delivered"
    assert per_recipient["Status"] == "2.0.0"
    assert per_recipient["Diagnostic-Code"] is None
    # RET=HDRS form: the header alone, as text/rfc822-headers (RFC 3462 / 6522).
    assert returned.get_content_type() == "text/rfc822-headers"
    assert b"the body is not returned" not in raw
    assert b"Message-ID: <m@x>" in raw
