"""The derived views of a message (parsed header fields, ENVELOPE, search text) are kept for the messages
read most recently only: reading a large mailbox once leaves memory bounded, and a view dropped with an
old message comes back the same when that message is read again."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from elektromail.mail import message as message_module
from elektromail.mail.envelope import envelope
from elektromail.mail.message import DERIVED_MAX_MESSAGES, ParsedMessage

LIMIT = 8


def _message(n: int) -> ParsedMessage:
    return ParsedMessage(f"From: Sender {n} <s{n}@example.com>\r\nSubject: number {n}\r\n\r\nbody {n}\r\n".encode())


def _keeps_envelope(parsed: ParsedMessage) -> bool:
    """Looked up without reading the message (reading it would make it the most recent)."""
    return parsed._cache is not None and "envelope" in parsed._cache


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
    first_envelopes = [envelope(parsed) for parsed in messages]
    assert [_keeps_envelope(parsed) for parsed in messages] == [False] * (LIMIT * 2) + [True] * LIMIT
    assert [envelope(parsed) for parsed in messages] == first_envelopes
    assert b'"number 0"' in first_envelopes[0] and b'"number 23"' in first_envelopes[-1]


@pytest.mark.usefixtures("small_limit")
def test_a_message_read_again_stays() -> None:
    often = _message(1000)
    envelope(often)
    for n in range(LIMIT * 3):
        envelope(_message(n))
        envelope(often)
    assert _keeps_envelope(often)


@pytest.mark.usefixtures("small_limit")
def test_the_views_keep_no_message_alive() -> None:
    parsed = _message(1)
    envelope(parsed)
    reference = weakref.ref(parsed)
    del parsed
    gc.collect()
    assert reference() is None
    for n in range(LIMIT * 2):  # the freed message's place is taken in turn
        envelope(_message(n))
    assert len(message_module._recently_read) <= LIMIT
