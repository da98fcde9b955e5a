"""The derived views of a message (parsed header fields, MIME tree, search text) are kept for the messages
read most recently only: reading a large mailbox once leaves memory bounded, and a view dropped with an
old message comes back the same when that message is read again. The ENVELOPE encoding, which clients
re-read for every message, stays with its message."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from elektromail.mail import message as message_module
from elektromail.mail.envelope import envelope, message_headers
from elektromail.mail.message import DERIVED_MAX_MESSAGES, ParsedMessage

LIMIT = 8


def _message(n: int) -> ParsedMessage:
    return ParsedMessage(f"From: Sender {n} <s{n}@example.com>\r\nSubject: number {n}\r\n\r\nbody {n}\r\n".encode())


def _keeps_headers(parsed: ParsedMessage) -> bool:
    """Looked up without reading the message (reading it would make it the most recent)."""
    return parsed._cache is not None and "headers" in parsed._cache


@pytest.fixture
def small_limit() -> Iterator[None]:
    recent = message_module._recently_read
    saved = recent.limit
    recent.limit = LIMIT
    try:
        yield
    finally:
        recent.limit = saved


def test_the_default_bound_holds_an_imap_working_set() -> None:
    assert DERIVED_MAX_MESSAGES >= 1000


@pytest.mark.usefixtures("small_limit")
def test_only_the_most_recently_read_keep_their_views() -> None:
    messages = [_message(n) for n in range(LIMIT * 3)]
    first_subjects = [message_headers(parsed).get_last("subject") for parsed in messages]
    assert [_keeps_headers(parsed) for parsed in messages] == [False] * (LIMIT * 2) + [True] * LIMIT
    assert [message_headers(parsed).get_last("subject") for parsed in messages] == first_subjects
    assert first_subjects[0] == b"number 0" and first_subjects[-1] == b"number 23"


@pytest.mark.usefixtures("small_limit")
def test_the_envelope_outlives_the_bound() -> None:
    messages = [_message(n) for n in range(LIMIT * 3)]
    first_envelopes = [envelope(parsed) for parsed in messages]
    first_pieces = [parsed.envelope_own for parsed in messages]
    for n in range(LIMIT * 3):  # other messages' views push these out of the most recently read
        message_headers(_message(1000 + n))
    assert not any(_keeps_headers(parsed) for parsed in messages)
    # Kept, not worked out again: the same pieces, joining into the same encoding.
    assert all(parsed.envelope_own is kept for parsed, kept in zip(messages, first_pieces, strict=True))
    assert [envelope(parsed) for parsed in messages] == first_envelopes
    assert b'"number 0"' in first_envelopes[0] and b'"number 23"' in first_envelopes[-1]


@pytest.mark.usefixtures("small_limit")
def test_a_message_read_again_stays() -> None:
    often = _message(1000)
    message_headers(often)
    for n in range(LIMIT * 3):
        message_headers(_message(n))
        message_headers(often)
    assert _keeps_headers(often)


@pytest.mark.usefixtures("small_limit")
def test_the_views_keep_no_message_alive() -> None:
    parsed = _message(1)
    message_headers(parsed)
    envelope(parsed)
    reference = weakref.ref(parsed)
    del parsed
    gc.collect()
    assert reference() is None
    for n in range(LIMIT * 2):  # the freed message's place is taken in turn
        message_headers(_message(n))
    assert len(message_module._recently_read) <= LIMIT
