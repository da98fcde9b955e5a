"""The per-message values SORT and THREAD both order and group by: the sent date (RFC 5256 2.2) and the
base subject (RFC 5256 2.1), compared by i;ascii-casemap."""

from __future__ import annotations

from datetime import UTC

from elektromail.mail.envelope import message_headers
from elektromail.mail.headers import decode_words, parse_date
from elektromail.mail.subject import subject_parts
from elektromail.store.model import Message

_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def casemap(text: str) -> str:
    """i;ascii-casemap: only a-z fold; other characters compare as they are."""
    return text.translate(_ASCII_UPPER)


def sent_date(message: Message) -> float:
    """RFC 5256 2.2: the Date field in UTC, or the internal date when it is missing or unparseable."""
    sent = parse_date(message_headers(message.parsed).get("date"))
    if sent is None:
        return message.internal_date.timestamp()
    if sent.tzinfo is None:  # a Date without a zone is read as UTC
        sent = sent.replace(tzinfo=UTC)
    stamp = sent.timestamp()
    # The very start of 1970 is how Dovecot stores "no date": it sorts by the internal date too.
    return stamp if stamp != 0 else message.internal_date.timestamp()


def subject_key(message: Message) -> tuple[str, bool]:
    """The case-mapped base subject, and whether the subject marked a reply or forward."""
    raw = message_headers(message.parsed).get("subject")
    if not raw:
        return "", False
    base, marked = subject_parts(decode_words(raw))
    return casemap(base), marked
