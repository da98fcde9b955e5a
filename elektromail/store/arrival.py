"""The compact form a stored message keeps its :class:`~elektromail.store.provenance.Provenance` in.

A test run stores thousands of messages, most of them from SMTP sessions that each deliver one message.
Kept as it is, a provenance costs two records, a datetime and two strings per message (about 280 octets):
the session id and the client address are new strings for every connection, though all but their
trailing numbers repeat. A message keeps two things instead: what a whole run shares (protocol, EHLO
name, TLS, AUTH, the envelope, the text before each trailing number) as one shared
:class:`ArrivalTemplate`, and the arrival time with those numbers packed into one integer.
:func:`expanded` gives back an equal :class:`Provenance`, field for field, for the HTTP views, search
and persistence.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import msgspec

from elektromail.store.provenance import Delivery, Envelope, Provenance

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_DIGITS = "0123456789"
NO_NUMBER = -1  # the text has no trailing number: its stem is the whole text
# A message's numbers: the arrival time in microseconds, then the session's and the client's trailing
# numbers plus one (0: NO_NUMBER), each below 10**9 < 2**30 and so in 31 bits. One integer of about 110
# bits costs 40 octets; three cost 88.
_NUMBER_BITS = 31
_NUMBER_MASK = (1 << _NUMBER_BITS) - 1

# Shared records and stems, each bounded and emptied when full, so that endless variety cannot grow them.
SHARED_MAX = 4096
_records: dict[object, Any] = {}
_Record = TypeVar("_Record")
_stems: dict[str, str] = {}


class ArrivalTemplate(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """What the messages of a run share of their provenance: ``facts`` is the delivery without its time,
    session id or client; ``session_stem`` and ``client_stem`` are the text before their trailing
    numbers, kept in the message's ``numbers``. Holds only shared immutable records and text, so it can be
    left out of the cycle collector."""

    facts: Delivery
    envelope: Envelope | None
    session_stem: str | None
    client_stem: str | None


# What a message keeps: a shared template with its own numbers (the arrival time and the trailing
# numbers in one integer), the provenance itself where the template could not give it back exactly (an
# arrival time not in UTC; numbers 0), or nothing.
StoredProvenance = tuple[ArrivalTemplate | Provenance | None, int]
NOTHING_STORED: StoredProvenance = (None, 0)


def stored_form(provenance: Provenance | None) -> StoredProvenance:
    if provenance is None:
        return NOTHING_STORED
    delivery = provenance.delivery
    received_at = delivery.received_at
    if received_at.tzinfo is not UTC:
        return provenance, 0
    session_stem, session_number = _split(delivery.session_id)
    client_stem, client_number = _split(delivery.client)
    template = _template(delivery, provenance.envelope, session_stem, client_stem)
    received_us = (received_at - _EPOCH) // _MICROSECOND
    numbers = (received_us << (2 * _NUMBER_BITS)) | ((session_number + 1) << _NUMBER_BITS) | (client_number + 1)
    return template, numbers


class _Last:
    """The template the previous message got: the next one of a run nearly always gets it too, which a few
    identity checks tell without building and hashing records (this runs for every message stored)."""

    template: ArrivalTemplate | None = None


def _template(
    delivery: Delivery, envelope: Envelope | None, session_stem: str | None, client_stem: str | None
) -> ArrivalTemplate:
    last = _Last.template
    if (
        last is not None
        and last.envelope is envelope
        and last.session_stem == session_stem
        and last.client_stem == client_stem
    ):
        facts = last.facts
        if (
            facts.protocol == delivery.protocol
            and facts.helo == delivery.helo
            and facts.tls == delivery.tls
            and facts.auth == delivery.auth
        ):
            return last
    facts = msgspec.structs.replace(delivery, received_at=_EPOCH, session_id=None, client=None)
    template = _Last.template = _shared(ArrivalTemplate(_shared(facts), envelope, session_stem, client_stem))
    return template


def expanded(how: ArrivalTemplate | Provenance | None, numbers: int) -> Provenance | None:
    """The provenance a message was stored with, as an equal new record."""
    if not isinstance(how, ArrivalTemplate):
        return how
    delivery = msgspec.structs.replace(
        how.facts,
        received_at=_EPOCH + (numbers >> (2 * _NUMBER_BITS)) * _MICROSECOND,
        session_id=_join(how.session_stem, ((numbers >> _NUMBER_BITS) & _NUMBER_MASK) - 1),
        client=_join(how.client_stem, (numbers & _NUMBER_MASK) - 1),
    )
    return Provenance(delivery=delivery, envelope=how.envelope)


def _shared(record: _Record) -> _Record:
    """The one kept record equal to ``record``."""
    known: _Record | None = _records.get(record)
    if known is None:
        if len(_records) >= SHARED_MAX:
            _records.clear()
        known = _records[record] = record
    return known


def _split(text: str | None) -> tuple[str | None, int]:
    """``"smtp-1a2b3c-42"`` -> (``"smtp-1a2b3c-"`` shared, 42). A number that would not print back the same
    (a leading zero) or is long stays in the text, which is then not shared."""
    if text is None:
        return None, NO_NUMBER
    stem = text.rstrip(_DIGITS)
    digits = len(text) - len(stem)
    if digits == 0 or digits > 9 or (digits > 1 and text[len(stem)] == "0"):
        return text, NO_NUMBER
    known = _stems.get(stem)
    if known is None:
        if len(_stems) >= SHARED_MAX:
            _stems.clear()
        known = _stems[stem] = stem
    return known, int(text[len(stem) :])


def _join(stem: str | None, number: int) -> str | None:
    if stem is None or number == NO_NUMBER:
        return stem
    return stem + str(number)
