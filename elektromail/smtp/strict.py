"""Strict mode (``ELEKTROMAIL_SMTP_STRICT``): what a strict receiving MTA refuses in a message, so that
senders can test that their mail is compliant. Off by default, when the server stores what real MTAs
accept (long lines, bare line ends, undeclared 8-bit text, missing header fields).

Pure: judged on the complete message, after its terminator (or last BDAT chunk) was read.
"""

from __future__ import annotations

import re

from elektromail.smtp import replies
from elektromail.smtp.limits import TEXT_LINE_MAX
from elektromail.smtp.replies import Reply

_HEADER_END = re.compile(rb"\r\n\r\n")
_DATE_FIELD = re.compile(rb"^date[ \t]*:", re.IGNORECASE | re.MULTILINE)
_FROM_FIELD = re.compile(rb"^from[ \t]*:", re.IGNORECASE | re.MULTILINE)


def content_refusal(message: bytes, eight_bit_declared: bool) -> Reply | None:
    """The reply refusing ``message``, or None when a strict MTA takes it. ``eight_bit_declared``: the
    transaction said ``BODY=8BITMIME`` or ``SMTPUTF8`` (RFC 6152, RFC 6531)."""
    # Postfix's smtpd_forbid_bare_newline: CR and LF appear only as CRLF (RFC 5322 2.3).
    line_ends = message.count(b"\r\n")
    if message.count(b"\n") != line_ends or message.count(b"\r") != line_ends:
        return replies.BARE_LINE_END
    if line_ends and longest_line(message) > TEXT_LINE_MAX:
        return replies.STRICT_LINE_TOO_LONG
    if not eight_bit_declared and not message.isascii():
        return replies.UNDECLARED_8BIT
    found = _HEADER_END.search(message)
    header = message if found is None else message[: found.start() + 2]
    if _FROM_FIELD.search(header) is None:
        return replies.NO_FROM_FIELD
    if _DATE_FIELD.search(header) is None:
        return replies.NO_DATE_FIELD
    return None


def longest_line(message: bytes) -> int:
    """Length of the longest line including its CRLF."""
    return max(map(len, message.split(b"\r\n"))) + 2
