"""Non-delivery reports: RFC 3464 ``multipart/report; report-type=delivery-status`` messages (RFC 6522).

When an address or the returned header holds UTF-8 the report uses the RFC 6533 forms
(``message/global-delivery-status``, ``utf-8;`` address type, ``message/global``).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from email.utils import format_datetime

from elektromail.delivery.rules import Verdict
from elektromail.mail.message import find_header_end

SUBJECT = "Undelivered Mail Returned to Sender"


class Failure:
    """One recipient the message could not be delivered to, and why."""

    __slots__ = ("recipient", "verdict")

    def __init__(self, recipient: str, verdict: Verdict) -> None:
        self.recipient = recipient
        self.verdict = verdict


def build_bounce(
    *,
    reporting_mta: str,
    sender: str,
    failures: Sequence[Failure],
    original: bytes,
    arrival: datetime,
    now: datetime,
) -> bytes:
    """The complete report message, CRLF line ends, ready to store."""
    original_header = original[: find_header_end(original)]
    addresses_ascii = sender.isascii() and all(failure.recipient.isascii() for failure in failures)
    global_form = not (addresses_ascii and original_header.isascii())
    boundary = _boundary(original)
    postmaster = f"MAILER-DAEMON@{reporting_mta}"
    message_id = f"<{uuid.uuid4().hex}@{reporting_mta}>"

    header = [
        f"From: Mail Delivery System <{postmaster}>",
        f"To: <{sender}>",
        f"Subject: {SUBJECT}",
        f"Date: {format_datetime(now)}",
        f"Message-ID: {message_id}",
        "Auto-Submitted: auto-replied",  # RFC 3834 5: never answer a report automatically
        "MIME-Version: 1.0",
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"',
    ]
    explanation = [
        f"This is the mail system at {reporting_mta}.",
        "",
        "Your message could not be delivered to the following recipients:",
        "",
        *(f"<{failure.recipient}>: {failure.verdict.code} {failure.verdict.text}" for failure in failures),
    ]
    address_type = "utf-8" if not addresses_ascii else "rfc822"
    status_fields = [f"Reporting-MTA: dns; {reporting_mta}", f"Arrival-Date: {format_datetime(arrival)}"]
    for failure in failures:
        verdict = failure.verdict
        status_fields += [
            "",
            f"Final-Recipient: {address_type}; {failure.recipient}",
            "Action: failed",
            f"Status: {verdict.status}",
            f"Diagnostic-Code: smtp; {verdict.code} {verdict.status} {verdict.text}",
        ]
    report_type = "message/global-delivery-status" if not addresses_ascii else "message/delivery-status"
    returned_type = "message/global" if global_form else "message/rfc822"

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
    if original and not original.endswith(b"\r\n"):
        original += b"\r\n"
    return head + original + f"--{boundary}--\r\n".encode()


def explanation_ascii(lines: Sequence[str]) -> bool:
    return all(line.isascii() for line in lines)


def _boundary(original: bytes) -> str:
    while True:
        boundary = f"=_report_{uuid.uuid4().hex}"
        if boundary.encode() not in original:
            return boundary
