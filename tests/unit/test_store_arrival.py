"""The compact form a message keeps its provenance in gives back an equal record, field for field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import msgspec
import pytest

from elektromail.store.arrival import NOTHING_STORED, ArrivalTemplate, expanded, stored_form
from elektromail.store.provenance import AuthFacts, Delivery, Envelope, Provenance, TlsFacts

WHEN = datetime(2026, 12, 7, 14, 41, 0, 622395, tzinfo=UTC)


def _provenance(session_id: str | None, client: str | None, received_at: datetime = WHEN) -> Provenance:
    return Provenance(
        delivery=Delivery(
            protocol="smtp",
            received_at=received_at,
            session_id=session_id,
            client=client,
            helo="client.example",
            tls=TlsFacts(version="TLSv1.3", cipher="TLS_AES_256_GCM_SHA384", sni="mail.example"),
            auth=AuthFacts(mechanism="PLAIN", user="alice"),
        ),
        envelope=Envelope(mail_from="a@example.com", rcpt_to=("b@example.com",), size=12),
    )


@pytest.mark.parametrize(
    ("session_id", "client"),
    [
        ("smtp-1a2b3c-42", "127.0.0.1:42942"),
        ("smtp-1a2b3c-0", "[::1]:5000"),
        ("smtp-1a2b3c-007", "127.0.0.1:0"),  # a leading zero stays in the text
        ("12345", "host:1234567890123"),  # all digits; a number too long to keep as one
        ("smtp-x-999999999", "h:999999999"),  # the longest numbers kept as numbers
        ("no-number", None),
        (None, "unix"),
        ("", ""),
    ],
)
def test_stored_provenance_expands_to_an_equal_record(session_id: str | None, client: str | None) -> None:
    provenance = _provenance(session_id, client)
    how, numbers = stored_form(provenance)
    assert isinstance(how, ArrivalTemplate)
    assert expanded(how, numbers) == provenance


@pytest.mark.parametrize(
    "received_at",
    [
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2038, 1, 19, 3, 14, 8, 999999, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 1, tzinfo=UTC),
    ],
)
def test_every_microsecond_of_the_arrival_is_kept(received_at: datetime) -> None:
    provenance = _provenance("smtp-x-1", "127.0.0.1:1", received_at)
    restored = expanded(*stored_form(provenance))
    assert restored is not None
    assert restored.delivery.received_at == received_at
    assert restored.delivery.received_at.tzinfo is UTC


def test_an_arrival_time_in_another_zone_is_kept_as_it_is() -> None:
    provenance = _provenance("smtp-x-1", "127.0.0.1:1", WHEN.astimezone(timezone(timedelta(hours=2))))
    how, _ = stored_form(provenance)
    assert how is provenance
    assert expanded(*stored_form(provenance)) == provenance


def test_the_messages_of_one_run_share_one_template() -> None:
    first, first_numbers = stored_form(_provenance("smtp-1a2b3c-1", "127.0.0.1:40001"))
    second, second_numbers = stored_form(_provenance("smtp-1a2b3c-2", "127.0.0.1:40002"))
    assert first is second
    assert first_numbers != second_numbers


def test_no_provenance_stays_none() -> None:
    assert stored_form(None) == NOTHING_STORED
    assert expanded(*NOTHING_STORED) is None


def test_each_message_keeps_its_own_facts_when_they_change_from_one_to_the_next() -> None:
    base = _provenance("smtp-1a2b3c-1", "127.0.0.1:40001")
    delivery = base.delivery
    variants = [
        base,
        msgspec.structs.replace(base, delivery=msgspec.structs.replace(delivery, helo="other.example")),
        msgspec.structs.replace(base, delivery=msgspec.structs.replace(delivery, tls=None)),
        msgspec.structs.replace(base, delivery=msgspec.structs.replace(delivery, auth=None)),
        msgspec.structs.replace(base, delivery=msgspec.structs.replace(delivery, protocol="http")),
        msgspec.structs.replace(base, envelope=Envelope(mail_from="", rcpt_to=("b@example.com",))),
        msgspec.structs.replace(base, envelope=None),
        msgspec.structs.replace(base, delivery=msgspec.structs.replace(delivery, session_id="imap-1a2b3c-1")),
        msgspec.structs.replace(base, delivery=msgspec.structs.replace(delivery, client="[::1]:40001")),
        base,
    ]
    stored = [stored_form(provenance) for provenance in variants]
    assert [expanded(*form) for form in stored] == variants
