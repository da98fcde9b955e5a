"""What the ESMTP parameters of MAIL and RCPT mean (pure: tested on strings).

MAIL: ``SIZE`` (RFC 1870), ``BODY`` (RFC 6152), ``SMTPUTF8`` (RFC 6531), ``AUTH`` (RFC 4954), and the DSN
extension's ``RET`` and ``ENVID`` (RFC 3461 4.3, 4.4). RCPT: ``NOTIFY`` and ``ORCPT`` (RFC 3461 4.1, 4.2).
A bad value raises :class:`CommandError` with the reply to send; an unknown keyword gives 555.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from elektromail.delivery.service import DELAY, FAILURE, NO_REQUEST, SUCCESS, ReportRequest
from elektromail.smtp import replies
from elektromail.smtp.commands import CommandError

# RFC 3461 4.1: NOTIFY=NEVER, or a comma-separated list of the other keywords.
NEVER = "NEVER"
_NOTIFY_KEYWORDS = frozenset({SUCCESS, FAILURE, DELAY})
# RFC 3461 4.4: an ENVID is at most 100 characters (as xtext, on the wire).
ENVID_MAX = 100
# RFC 3461 4: xtext = *( xchar other than "+" and "=" / "+" two upper-case hex digits ).
_XTEXT = re.compile(r"(?:[\x21-\x2a\x2c-\x3c\x3e-\x7e]|\+[0-9A-F]{2})*")
_HEXCHAR = re.compile(r"\+([0-9A-F]{2})")
# RFC 3461 4.2: orcpt-parameter = "ORCPT=" addr-type ";" xtext; addr-type is an atom ("rfc822").
_ADDRESS_TYPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")


class MailOptions(NamedTuple):
    smtputf8: bool = False
    eight_bit: bool = False  # BODY=8BITMIME (RFC 6152); SMTPUTF8 implies it (RFC 6531 3.1)
    report: ReportRequest = NO_REQUEST  # RET and ENVID, as delivery takes them


class RcptOptions(NamedTuple):
    notify: frozenset[str] | None = None  # None when not given; empty for NEVER
    original_recipient: str | None = None  # ORCPT decoded: "rfc822;user@example.com"


def decode_xtext(value: str) -> str:
    """RFC 3461 4: ``+XX`` stands for the octet XX; anything outside the grammar is a syntax error."""
    if _XTEXT.fullmatch(value) is None:
        raise CommandError(replies.BAD_DSN_PARAMETER)
    try:
        return _HEXCHAR.sub(lambda match: chr(int(match.group(1), 16)), value).encode("latin-1").decode()
    except UnicodeDecodeError:  # escaped octets that are not UTF-8
        raise CommandError(replies.BAD_DSN_PARAMETER) from None


def mail_options(parameters: dict[str, str | None], max_message_size: int) -> MailOptions:
    smtputf8 = eight_bit = False
    full_content: bool | None = None
    envelope_id: str | None = None
    for key, value in parameters.items():
        if key == "SIZE":  # RFC 1870 6
            if value is None or not value.isdigit() or not value.isascii():
                raise CommandError(replies.BAD_SIZE_PARAMETER)
            if int(value) > max_message_size:
                raise CommandError(replies.MESSAGE_TOO_BIG)
        elif key == "BODY":  # RFC 6152 2
            if value is None or value.upper() not in ("7BIT", "8BITMIME"):
                raise CommandError(replies.BAD_BODY_PARAMETER)
            eight_bit = value.upper() == "8BITMIME"
        elif key == "SMTPUTF8":  # RFC 6531 3.4
            if value is not None:
                raise CommandError(replies.SYNTAX_ERROR)
            smtputf8 = True
        elif key == "RET":
            if value is None or value.upper() not in ("FULL", "HDRS"):
                raise CommandError(replies.BAD_DSN_PARAMETER)
            full_content = value.upper() == "FULL"
        elif key == "ENVID":
            if value is None or len(value) > ENVID_MAX:
                raise CommandError(replies.BAD_DSN_PARAMETER)
            envelope_id = decode_xtext(value)
        elif key != "AUTH":  # RFC 4954 5: AUTH=<mailbox> is accepted and not trusted
            raise CommandError(replies.PARAMETER_NOT_RECOGNIZED)
    return MailOptions(smtputf8, eight_bit or smtputf8, ReportRequest(full_content, envelope_id))


def rcpt_options(parameters: dict[str, str | None]) -> RcptOptions:
    notify: frozenset[str] | None = None
    original_recipient: str | None = None
    for key, value in parameters.items():
        if key == "NOTIFY":
            notify = parse_notify(value)
        elif key == "ORCPT":
            original_recipient = parse_orcpt(value)
        else:
            raise CommandError(replies.PARAMETER_NOT_RECOGNIZED)
    return RcptOptions(notify, original_recipient)


def parse_notify(value: str | None) -> frozenset[str]:
    """``NEVER`` (the empty set) or a list drawn from SUCCESS, FAILURE and DELAY, each at most once."""
    if value is None:
        raise CommandError(replies.BAD_DSN_PARAMETER)
    words = value.upper().split(",")
    if words == [NEVER]:
        return frozenset()
    chosen = frozenset(words)
    if len(chosen) != len(words) or not chosen <= _NOTIFY_KEYWORDS:
        raise CommandError(replies.BAD_DSN_PARAMETER)
    return chosen


def parse_orcpt(value: str | None) -> str:
    if value is None:
        raise CommandError(replies.BAD_DSN_PARAMETER)
    address_type, separator, address = value.partition(";")
    if not separator or not address or _ADDRESS_TYPE.fullmatch(address_type) is None:
        raise CommandError(replies.BAD_DSN_PARAMETER)
    return f"{address_type};{decode_xtext(address)}"
