"""The per-query message tests of elektromail.search.matching (header_test, address_test) and the octet
matcher under them (rawsearch.header_matcher): made once per query, they answer exactly as the per-call
functions do, for every message of the corpora, before and after the message's text is cached."""

from __future__ import annotations

from datetime import UTC, datetime

from elektromail.mail.message import ParsedMessage
from elektromail.mail.rawsearch import header_has, header_matcher
from elektromail.mail.text import address_text, header_values
from elektromail.search.matching import address_contains, address_test, header_contains, header_test
from elektromail.store.model import Message
from tests.differential.corpora import generated_corpus, shapes_corpus

NEEDLES = ("", "a", "report", "example", "=?", "quarterly report", "@example.com", "zz-nowhere", "grüße", "x y")
HEADERS = ("subject", "from", "to", "x-mailer", "content-type")
ADDRESSES = ("from", "to", "cc", "bcc")


def _message(raw: bytes) -> Message:
    return Message(1, frozenset(), datetime(2024, 1, 1, tzinfo=UTC), ParsedMessage(raw))


def _corpus() -> list[bytes]:
    return [raw for _, raw in shapes_corpus() + generated_corpus()]


def test_header_test_answers_as_the_decoded_values_do() -> None:
    tests = {(name, needle): header_test(name, needle) for name in HEADERS for needle in NEEDLES}
    matched = 0
    for raw in _corpus():
        message = _message(raw)
        for (name, needle), test in tests.items():
            expected = any(needle in value for value in header_values(ParsedMessage(raw), name))
            assert test(message) is expected, (raw[:60], name, needle)
            assert header_contains(message, name, needle) is expected
            matched += expected
    assert matched > 100


def test_address_test_answers_as_address_contains_before_and_after_caching() -> None:
    tests = {(name, needle): address_test(name, needle) for name in ADDRESSES for needle in NEEDLES}
    matched = 0
    for raw in _corpus():
        fresh, again = _message(raw), _message(raw)
        for (name, needle), test in tests.items():
            expected = needle in address_text(ParsedMessage(raw), name)
            assert test(fresh) is expected, (raw[:60], name, needle)  # first call fills the cache
            assert test(fresh) is expected  # later calls read it
            assert address_contains(again, name, needle) is expected
            matched += expected
    assert matched > 100


def test_the_octet_matcher_is_header_has_made_once() -> None:
    raw = b"From: a@example.com\r\nSubject: Quarterly\r\n report\r\nSubject: other\r\n\r\nbody\r\n"
    parsed = ParsedMessage(raw)
    assert header_matcher("subject", "report")(parsed) is True
    assert header_matcher("subject", "quarterly report")(parsed) is True  # read across the fold
    assert header_matcher("subject", "body")(parsed) is False
    assert header_matcher("subject", "other")(parsed) is True
    assert header_matcher("subject", "grüße")(parsed) is None  # not ASCII: the decoded text decides
    assert header_matcher("Subject", "report")(parsed) is None  # names are asked for in lower case
    encoded = ParsedMessage(b"Subject: =?utf-8?q?report?=\r\n\r\nbody\r\n")
    assert header_matcher("subject", "report")(encoded) is None  # not plain: left to the decoder
    for needle in ("report", "quarterly report", "body", "other", "missing"):
        assert header_matcher("subject", needle)(parsed) == header_has(parsed, "subject", needle)
