"""Search from the octets: a message ruled out never matches when its text is decoded, and an answer
read from the octets is the one the decoded text gives.

Unit tests on bytes for what makes a message plain, then properties over every corpus the tests keep,
for many needles drawn from each message's own decoded text (so each must be found) and needles that
are not.
"""

from __future__ import annotations

import random

import pytest

from elektromail.mail.envelope import message_headers
from elektromail.mail.message import ParsedMessage
from elektromail.mail.rawsearch import (
    ONE_TEXT_PART,
    PLAIN,
    SIMPLE_HEADER,
    body_has,
    facts,
    header_has,
    is_plain,
    may_contain,
    text_has,
)
from elektromail.mail.text import SearchText, body_text, full_text, header_values
from tests.differential.corpora import generated_corpus, shapes_corpus
from tests.web.xss_corpus import corpus as xss_corpus

HEAD = b"From: a@example.com\r\nSubject: Quarterly report\r\n"
PLAIN_BODY = b"\r\nThe numbers are IN.\r\n"


def message(fields: bytes = b"", body: bytes = PLAIN_BODY) -> bytes:
    return HEAD + fields + body


@pytest.mark.parametrize(
    "fields",
    [
        b"",
        b"Content-Type: text/plain\r\n",
        b"Content-Type: text/plain; charset=us-ascii\r\n",
        b'Content-Type: text/plain; charset="UTF-8"\r\n',
        b"Content-Type: text/plain;\r\n\tcharset=iso-8859-1\r\n",
        b'Content-Type: text/plain; charset=utf-8; name="a (b).txt"\r\n',
        b"Content-Type: text/plain; charset=x-unknown-label\r\n",  # read as UTF-8
        b"Content-Transfer-Encoding: 7bit\r\n",
        b"content-transfer-encoding :  8BIT \r\n",
        b"Content-Transfer-Encoding: binary\r\n",
    ],
)
def test_plain_messages(fields: bytes) -> None:
    assert is_plain(message(fields))


NOT_PLAIN = [
    b"Subject: =?utf-8?q?hidden?=\r\n",
    b"Content-Transfer-Encoding: base64\r\n",
    b"Content-Transfer-Encoding: Quoted-Printable\r\n",
    b"Content-Transfer-Encoding: 7bit (comment)\r\n",
    b'Content-Transfer-Encoding: "7bit"\r\n',
    b"Content-Transfer-Encoding: x-uuencode\r\n",
    b"Content-Transfer-Encoding:\r\n",
    b"Content-Transfer-Encoding: 7\r\n bit\r\n",
    b"Content-Type: text/plain; charset=utf-16\r\n",
    b"Content-Type: text/plain; charset=utf 16\r\n",  # the codec lookup reads "utf 16" as UTF-16
    b"Content-Type: text/plain; charset=UTF-7\r\n",
    b"Content-Type: text/plain; charset=cp037\r\n",  # EBCDIC
    b"Content-Type: text/plain; char(x)set=utf-16\r\n",
    b'Content-Type: text/plain; "char"set=utf-16\r\n',
    b"Content-Type: text/plain; charset*0=utf-1; charset*1=6\r\n",
    b"Content-Type: text/plain; charset=(c)utf-16\r\n",
    b"Content-Type: text/plain; charset=utf\\-16\r\n",
    b"Content-Type: text/plain; charset\r\n",
]
# Bodies whose decoded text differs from their octets under some of the fields above.
TRICKY_BODIES = [b"\r\n+AGEAYgBj- numbers\r\n", b"\r\naGlkZGVuIHdvcmQ=\r\n", b"\r\nhid=\r\nden=41\r\n", PLAIN_BODY]


@pytest.mark.parametrize("fields", NOT_PLAIN)
def test_messages_that_need_decoding_are_not_plain(fields: bytes) -> None:
    assert not is_plain(message(fields))


def test_mime_fields_of_parts_count_too() -> None:
    part = b"--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGlkZGVu\r\n--b--\r\n"
    raw = message(b'Content-Type: multipart/mixed; boundary="b"\r\n', b"\r\n" + part)
    assert not is_plain(raw)
    assert may_contain(ParsedMessage(raw), "hidden")


def test_eight_bit_text_is_not_plain() -> None:
    # Case-folding "ß" gives "ss": the octets do not show every needle the text matches.
    raw = message(body="\r\nGroße Straße\r\n".encode())
    assert not is_plain(raw)
    assert may_contain(ParsedMessage(raw), "strasse")


def test_a_plain_message_is_ruled_out_by_a_missing_word_in_any_case() -> None:
    parsed = ParsedMessage(message())
    assert may_contain(parsed, "numbers")
    assert may_contain(parsed, "the numbers are in.")
    assert may_contain(parsed, "quarterly")  # in a header: the decoded text decides
    assert not may_contain(parsed, "missing")
    assert not may_contain(parsed, "numbers missing")
    assert not may_contain(parsed, "straße")  # no non-ASCII needle is in ASCII text
    assert facts(parsed) == PLAIN | ONE_TEXT_PART | SIMPLE_HEADER


def test_words_split_by_a_fold_are_still_found() -> None:
    parsed = ParsedMessage(b"Subject: message\r\n number 7\r\n\r\nbody\r\n")
    assert may_contain(parsed, "message number")
    assert "message number" in header_values(parsed, "subject")[0]


def test_an_empty_needle_rules_nothing_out() -> None:
    assert may_contain(ParsedMessage(message()), "")


# ---------------------------------------------------------------------------------- the property

EXTRA_NEEDLES = ("", " ", "a", "the", "strasse", "straße", "ss", "report", "body", "--", "=", "\x00", "ü", "日本")


def _pieces(text: SearchText) -> list[str]:
    return [text.raw[start:end].decode("ascii").lower() for start, end in text.spans] + list(text.texts)


def _needles(pieces: list[str], rng: random.Random) -> set[str]:
    needles = set(EXTRA_NEEDLES)
    for piece in pieces:
        if not piece:
            continue
        needles.add(piece[:40])
        for _ in range(6):
            start = rng.randrange(len(piece))
            needles.add(piece[start : start + rng.randint(1, 16)])
        needles.update(piece.split()[:8])
    return needles


def _corpus() -> list[tuple[str, bytes]]:
    tricky = [(f"tricky-{n}", message(fields, body)) for n, fields in enumerate(NOT_PLAIN) for body in TRICKY_BODIES]
    irregular = [
        (f"irregular-{n}", head + b"From: a@example.com\r\n" + line + b"Subject: after it\r\n\r\nbody\r\n")
        for n, line in enumerate([b"\x0c\r\n", b"\r\r\n", b"\x0b\r\n", b" \r\n", b"\t\r\n"])
        for head in (b"", b" \r\n", b"Subject: first\r\n")
    ]
    xss = [(name, text.encode()) for name, text in xss_corpus().items()] + irregular
    return shapes_corpus() + generated_corpus() + xss + tricky


def test_the_prefilter_never_rules_out_a_match() -> None:
    rng = random.Random(2026)
    checked = ruled_out = plain = 0
    for name, raw in _corpus():
        parsed = ParsedMessage(raw)
        fields = {field.name for field in message_headers(parsed).fields}
        body, full = body_text(parsed), full_text(parsed)
        values = {field: header_values(parsed, field) for field in fields}
        pieces = _pieces(full) + [value for field_values in values.values() for value in field_values]
        fresh = ParsedMessage(raw)  # the prefilter's own view, parsed by nothing else
        for needle in _needles(pieces, rng):
            found = needle in body or needle in full or any(needle in v for vs in values.values() for v in vs)
            allowed = may_contain(fresh, needle)
            assert allowed or not found, (name, needle)
            checked += 1
            ruled_out += not allowed
        plain += bool(facts(fresh) & PLAIN)
    # Not vacuous: the corpora hold plain messages, and needles they lack.
    assert plain > 20 and ruled_out > 100 and checked > 10_000


def test_answers_from_the_octets_are_those_of_the_decoded_text() -> None:
    rng = random.Random(9051)
    answered = 0
    for name, raw in _corpus():
        parsed = ParsedMessage(raw)
        names = {field.name for field in message_headers(parsed).fields} | {"subject", "x-absent"}
        body, full = body_text(parsed), full_text(parsed)
        values = {field: header_values(parsed, field) for field in names}
        pieces = _pieces(full) + [value for field_values in values.values() for value in field_values]
        fresh = ParsedMessage(raw)
        for needle in _needles(pieces, rng):
            for field in names:
                known = header_has(fresh, field, needle)
                assert known is None or known == any(needle in value for value in values[field]), (name, field, needle)
                answered += known is not None
            known = body_has(fresh, needle)
            assert known is None or known == (needle in body), (name, "body", needle)
            answered += known is not None
            known = text_has(fresh, needle)
            assert known is None or known == (needle in full), (name, "text", needle)
            answered += known is not None
    assert answered > 10_000


def test_one_text_part_is_not_claimed_for_multipart_or_attachments() -> None:
    multipart = message(b'Content-Type: multipart/mixed; boundary="b"\r\n', b"\r\n--b\r\n\r\nx\r\n--b--\r\n")
    assert facts(ParsedMessage(multipart)) & ONE_TEXT_PART == 0
    attachment = message(b"Content-Type: application/octet-stream\r\n")
    assert facts(ParsedMessage(attachment)) & ONE_TEXT_PART == 0
    assert body_has(ParsedMessage(attachment), "numbers") is None
    typeless = message(b"Content-Type: text\r\n")  # no subtype: no text part, as the MIME model reads it
    assert facts(ParsedMessage(typeless)) & ONE_TEXT_PART == 0


def test_a_header_block_the_parser_ends_early_is_left_to_it() -> None:
    raw = b"From: a@example.com\r\n\x0c\r\nSubject: after the form feed\r\n\r\nbody\r\n"
    parsed = ParsedMessage(raw)
    assert facts(parsed) & SIMPLE_HEADER == 0
    assert header_has(parsed, "subject", "form feed") is None
