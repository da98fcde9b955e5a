"""Delivery status notifications: RFC 3464 ``multipart/report; report-type=delivery-status`` messages
(RFC 6522), for recipients a message failed to reach and, when the client asked with ``NOTIFY=SUCCESS``
(RFC 3461), for those it reached.

When an address or the returned header holds UTF-8 the report uses the RFC 6533 forms
(``message/global-delivery-status``, ``utf-8;`` address type, ``message/global``, ``message/global-headers``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from elektromail.mail.message import find_header_end

FAILED: Literal["failed"] = "failed"
DELIVERED: Literal["delivered"] = "delivered"
ReportAction = Literal["failed", "delivered"]

SUBJECTS = {FAILED: "Undelivered Mail Returned to Sender", DELIVERED: "Successful Mail Delivery Report"}
SUMMARIES = {
    FAILED: "Your message could not be delivered to the following recipients:",
    DELIVERED: "Your message was delivered to the following recipients:",
}


class Reported:
    """One recipient in a report: its address, the status to give and, for a failure, the reply."""

    __slots__ = ("recipient", "status", "code", "text", "original_recipient")

    def __init__(
        self, recipient: str, status: str, code: int, text: str, original_recipient: str | None = None
    ) -> None:
        self.recipient = recipient
        self.status = status  # RFC 3463 enhanced status: 5.x.x for failed, 2.0.0 for delivered
        self.code = code
        self.text = text
        self.original_recipient = original_recipient  # the ORCPT parameter: "rfc822;user@example.com"


def build_report(
    *,
    action: ReportAction,
    reporting_mta: str,
    sender: str,
    recipients: Sequence[Reported],
    original: bytes,
    arrival: datetime,
    now: datetime,
    full_content: bool = True,
    envelope_id: str | None = None,
) -> bytes:
    """The complete report message, CRLF line ends, ready to store.

    ``full_content`` returns the whole message (RET=FULL); otherwise only its header (RET=HDRS).
    """
    from email.utils import format_datetime  # only reports need the email package: not loaded at start

    original_header = original[: find_header_end(original)]
    addresses_ascii = sender.isascii() and all(reported.recipient.isascii() for reported in recipients)
    global_form = not (addresses_ascii and original_header.isascii())
    boundary = _boundary(original)
    postmaster = f"MAILER-DAEMON@{reporting_mta}"
    message_id = f"<{uuid.uuid4().hex}@{reporting_mta}>"

    header = [
        f"From: Mail Delivery System <{postmaster}>",
        f"To: <{sender}>",
        f"Subject: {SUBJECTS[action]}",
        f"Date: {format_datetime(now)}",
        f"Message-ID: {message_id}",
        "Auto-Submitted: auto-replied",  # RFC 3834 5: never answer a report automatically
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
    ]
    explanation = [
        f"This is the mail system at {reporting_mta}.",
        "",
        SUMMARIES[action],
        "",
        *(_explain(action, reported) for reported in recipients),
    ]
    address_type = "utf-8" if not addresses_ascii else "rfc822"
    # RFC 3464 2.2: the per-message fields, Original-Envelope-Id first.
    status_fields = [f"Original-Envelope-Id: {envelope_id}"] if envelope_id is not None else []
    status_fields += [f"Reporting-MTA: dns; {reporting_mta}", f"Arrival-Date: {format_datetime(arrival)}"]
    for reported in recipients:
        status_fields.append("")
        if reported.original_recipient is not None:
            status_fields.append(f"Original-Recipient: {reported.original_recipient}")
        status_fields += [
            f"Final-Recipient: {address_type}; {reported.recipient}",
            f"Action: {action}",
            f"Status: {reported.status}",
        ]
        if action == FAILED:
            status_fields.append(f"Diagnostic-Code: smtp; {reported.code} {reported.status} {reported.text}")
    report_type = "message/global-delivery-status" if not addresses_ascii else "message/delivery-status"
    if full_content:
        returned_type, returned = ("message/global" if global_form else "message/rfc822"), original
    else:
        returned_type = "message/global-headers" if global_form else "text/rfc822-headers"
        returned = original_header

    crlf = "\r\n"
    parts = [
        crlf.join(header),
        "",
        "This is a MIME-encapsulated delivery status report.",
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit" if not explanation_ascii(explanation) else "Content-Transfer-Encoding: 7bit",
        "",
        crlf.join(explanation),
        "",
        f"--{boundary}",
        f"Content-Type: {report_type}",
        "",
        crlf.join(status_fields),
        "",
        f"--{boundary}",
        f"Content-Type: {returned_type}",
        "",
    ]
    head = (crlf.join(parts) + crlf).encode()
    # RFC 2046 5.1.1: the CRLF before a boundary belongs to the boundary, so one is added and the
    # returned message keeps its own final line end.
    return head + returned + f"\r\n--{boundary}--\r\n".encode()


def _explain(action: ReportAction, reported: Reported) -> str:
    if action == FAILED:
        return f"<{reported.recipient}>: {reported.code} {reported.text}"
    return f"<{reported.recipient}>: delivered to the mailbox"


def explanation_ascii(lines: Sequence[str]) -> bool:
    return all(line.isascii() for line in lines)


def _boundary(original: bytes) -> str:
    while True:
        boundary = f"=_report_{uuid.uuid4().hex}"
        if boundary.encode() not in original:
            return boundary
