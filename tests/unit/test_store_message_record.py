"""A stored message is one record: its octets, what is derived from them, and what its mailbox keeps."""

from __future__ import annotations

from datetime import UTC, datetime

from elektromail.mail.envelope import envelope, message_headers
from elektromail.mail.message import ParsedMessage
from elektromail.store.model import NO_FLAGS, Message

WHEN = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)
RAW = b"From: a@example.com\nSubject: hello\nMessage-ID: <1@example.com>\n\nbody\n"


def test_a_message_from_octets_reads_as_its_parsed_form() -> None:
    message = Message(7, NO_FLAGS, WHEN, RAW, 9)
    assert message.parsed is message
    assert message.source is RAW
    assert message.raw == RAW.replace(b"\n", b"\r\n")
    assert message.size == len(RAW) + RAW.count(b"\n")
    assert b'"hello"' in envelope(message)


def test_a_message_keeps_what_its_parsed_form_had_worked_out() -> None:
    parsed = ParsedMessage(RAW)
    encoded = envelope(parsed)
    message_headers(parsed)
    message = Message(1, NO_FLAGS, WHEN, parsed)
    assert message.raw is parsed.raw and message.header_end == parsed.header_end
    assert message.envelope_own is parsed.envelope_own and envelope(message) == encoded
    assert message.cache == {}  # views stay with the parsed form they were made for


def test_mod_sequences_near_and_far_from_the_uid() -> None:
    message = Message(100_000, NO_FLAGS, WHEN, RAW, 100_001)
    assert message.modseq == 100_001
    for modseq in (100_002, 3, 2**40, 100_000):
        message.modseq = modseq
        assert message.modseq == modseq
    assert Message(1, NO_FLAGS, WHEN, RAW).modseq == 1
