"""Does this message match? The per-message tests that IMAP SEARCH keys (RFC 9051 6.4.4) and the HTTP
query language share, so that both always agree on what "FROM x" or "BODY y" means.

Needles are case-folded by :func:`fold` once per query; the message side (decoded header values, address
fields as ENVELOPE reads them, decoded text parts) is computed once per message and cached by the model.
Text tests first ask :mod:`~elektromail.mail.rawsearch`, which rules most messages out from their octets
and answers for most others from them too, without parsing (the answer is the same, only found sooner).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from elektromail.mail.attachments import has_attachments
from elektromail.mail.envelope import message_headers
from elektromail.mail.headers import sent_date
from elektromail.mail.message import ParsedMessage
from elektromail.mail.rawsearch import body_has, header_has, header_matcher, may_contain, text_has
from elektromail.mail.text import address_text, body_text, full_text, header_values
from elektromail.store.model import Message

BEFORE = "BEFORE"
ON = "ON"
SINCE = "SINCE"

# What a message without a usable Date header was sent on, as far as SENT* keys go: the start of 1970,
# as Dovecot reads it (RFC 9051 6.4.4 leaves it open; SORT reads the internal date, RFC 5256 2.2).
NO_SENT_DATE = date(1970, 1, 1)


def fold(text: str) -> str:
    """A needle as the message side is kept: case-folded."""
    return text.casefold()


MessageTest = Callable[[Message], bool]


def header_contains(message: Message, name: str, needle: str) -> bool:
    """HEADER/SUBJECT: a field named ``name`` (lower case) whose decoded value contains ``needle``; an
    empty needle matches any message that has the field."""
    return header_test(name, needle)(message)


def header_test(name: str, needle: str) -> MessageTest:
    """:func:`header_contains` for one field and needle, made once per query. Where the octets answer
    exactly (a plain message with a simple header block) that is the answer, without first ruling the
    message out from its octets: that would be a second search of them."""
    from_octets = header_matcher(name, needle)

    def matches(message: Message) -> bool:
        parsed = message.parsed
        known = from_octets(parsed)
        if known is not None:
            return known
        return may_contain(parsed, needle) and any(needle in value for value in header_values(parsed, name))

    return matches


def _field_contains(parsed: ParsedMessage, name: str, needle: str) -> bool:
    known = header_has(parsed, name, needle)
    return known if known is not None else any(needle in value for value in header_values(parsed, name))


def address_contains(message: Message, name: str, needle: str) -> bool:
    """FROM, TO, CC, BCC: the address field as its ENVELOPE structure reads contains ``needle``."""
    return needle in address_text(message.parsed, name)


def address_test(name: str, needle: str) -> MessageTest:
    """:func:`address_contains` for one field and needle, made once per query: for a message whose
    field was read before, the test is one look-up and one substring search."""

    def matches(message: Message) -> bool:
        parsed = message.parsed
        texts = parsed.address_texts
        if texts is not None:
            known = texts.get(name)
            if known is not None:
                return needle in known
        return needle in address_text(parsed, name)

    return matches


def body_contains(message: Message, needle: str) -> bool:
    """BODY: the decoded text parts contain ``needle``."""
    parsed = message.parsed
    known = body_has(parsed, needle)  # as cheap as ruling out, where the octets answer
    if known is not None:
        return known
    return may_contain(parsed, needle) and needle in body_text(parsed)


def subject_or_body_contains(message: Message, needle: str) -> bool:
    """A free word of the query language: ``OR SUBJECT w BODY w``."""
    parsed = message.parsed
    if not may_contain(parsed, needle):
        return False
    # The body first where its octets answer (one search), the subject first where the body needs decoding.
    known = body_has(parsed, needle)
    if known:
        return True
    return _field_contains(parsed, "subject", needle) or (known is None and needle in body_text(parsed))


def text_contains(message: Message, needle: str) -> bool:
    """TEXT: some header or text part contains ``needle``."""
    parsed = message.parsed
    known = text_has(parsed, needle)
    if known is not None:
        return known
    return may_contain(parsed, needle) and needle in full_text(parsed)


def has_flag(message: Message, flag: str) -> bool:
    return flag in message.flags


def internal_day(message: Message) -> date:
    return message.internal_date.date()


def sent_day(message: Message) -> date:
    cache = message.parsed.cache
    sent: date | None = cache.get("sent_on")
    if sent is None:
        sent = cache["sent_on"] = sent_date(message_headers(message.parsed).get("date")) or NO_SENT_DATE
    return sent


def day_matches(day: date, comparison: str, target: date) -> bool:
    """BEFORE, ON, SINCE (RFC 9051 6.4.4: dates disregard time and timezone)."""
    if comparison == BEFORE:
        return day < target
    if comparison == ON:
        return day == target
    return day >= target


def larger_than(message: Message, size: int) -> bool:
    return message.size > size


def smaller_than(message: Message, size: int) -> bool:
    return message.size < size


def has_attachment(message: Message) -> bool:
    """The HTTP detail view lists an attachment (see :mod:`elektromail.mail.attachments`)."""
    return has_attachments(message.parsed)


def envelope_recipient_contains(message: Message, needle: str) -> bool:
    """Some RCPT TO address of the message's envelope contains ``needle`` (case-insensitive)."""
    provenance = message.provenance
    if provenance is None or provenance.envelope is None:
        return False
    return any(needle in address.casefold() for address in provenance.envelope.rcpt_to)


def delivered_in_session(message: Message, session_id: str) -> bool:
    provenance = message.provenance
    return provenance is not None and provenance.delivery.session_id == session_id


def delivered_over_tls(message: Message) -> bool:
    provenance = message.provenance
    return provenance is not None and provenance.delivery.tls is not None
