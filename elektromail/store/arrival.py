"""The compact form a stored message keeps its :class:`~elektromail.store.provenance.Provenance` in.

A test run stores thousands of messages, most of them from SMTP sessions that each deliver one message.
Kept as it is, a provenance costs two records, a datetime and two strings per message (about 280 octets):
the session id and the client address are new strings for every connection, though all but their
trailing numbers repeat. :class:`StoredArrival` keeps one record per message instead: what a whole run
shares (protocol, EHLO name, TLS, AUTH, the envelope, the text before each trailing number) in shared
objects, and the arrival time and those numbers packed into one integer. ``expand()`` gives back an equal
:class:`Provenance`, field for field, for the HTTP views, search and persistence.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec

from elektromail.store.provenance import Delivery, Envelope, Provenance

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_DIGITS = "0123456789"
NO_NUMBER = -1  # the text has no trailing number: its stem is the whole text
# ``StoredArrival.numbers``: the arrival time in microseconds, then the session's and the client's trailing
# numbers plus one (0: NO_NUMBER), each below 10**9 < 2**30 and so in 31 bits. One integer of about 110
# bits costs 40 octets; three cost 88.
_NUMBER_BITS = 31
_NUMBER_MASK = (1 << _NUMBER_BITS) - 1

# Shared records and stems, each bounded and emptied when full, so that endless variety cannot grow them.
SHARED_MAX = 4096
_facts: dict[Delivery, Delivery] = {}
_stems: dict[str, str] = {}


class StoredArrival(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """A provenance as one record: ``facts`` is its delivery without time, session id or client (shared);
    ``session_id`` and ``client`` are a shared stem with a trailing number (``NO_NUMBER``: the stem alone),
    the numbers kept in ``numbers`` with the arrival time. Holds only shared immutable records, text and
    numbers, so it can be left out of the cycle collector."""

    facts: Delivery
    envelope: Envelope | None
    numbers: int
    session_stem: str | None
    client_stem: str | None

    @property
    def received_us(self) -> int:
        """Microseconds since the epoch, UTC: the exact ``received_at``."""
        return self.numbers >> (2 * _NUMBER_BITS)

    @property
    def session_number(self) -> int:
        return ((self.numbers >> _NUMBER_BITS) & _NUMBER_MASK) - 1

    @property
    def client_number(self) -> int:
        return (self.numbers & _NUMBER_MASK) - 1

    def expand(self) -> Provenance:
        delivery = msgspec.structs.replace(
            self.facts,
            received_at=_EPOCH + self.received_us * _MICROSECOND,
            session_id=_join(self.session_stem, self.session_number),
            client=_join(self.client_stem, self.client_number),
        )
        return Provenance(delivery=delivery, envelope=self.envelope)


def stored_form(provenance: Provenance | StoredArrival | None) -> Provenance | StoredArrival | None:
    """What a message keeps of ``provenance``: the compact record, or the provenance itself where the
    compact one could not give it back exactly (an arrival time not in UTC)."""
    if provenance is None or isinstance(provenance, StoredArrival):
        return provenance
    delivery = provenance.delivery
    received_at = delivery.received_at
    if received_at.tzinfo is not UTC:
        return provenance
    facts = msgspec.structs.replace(delivery, received_at=_EPOCH, session_id=None, client=None)
    known = _facts.get(facts)
    if known is None:
        if len(_facts) >= SHARED_MAX:
            _facts.clear()
        known = _facts[facts] = facts
    session_stem, session_number = _split(delivery.session_id)
    client_stem, client_number = _split(delivery.client)
    received_us = (received_at - _EPOCH) // _MICROSECOND
    numbers = (received_us << (2 * _NUMBER_BITS)) | ((session_number + 1) << _NUMBER_BITS) | (client_number + 1)
    return StoredArrival(known, provenance.envelope, numbers, session_stem, client_stem)


def expanded(stored: Provenance | StoredArrival | None) -> Provenance | None:
    return stored.expand() if isinstance(stored, StoredArrival) else stored


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
