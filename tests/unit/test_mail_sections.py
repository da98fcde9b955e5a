"""BODY[section] and BINARY[section] slices (RFC 9051 6.4.5, RFC 3516) on corpus messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from elektromail.mail.bodystructure import bodystructure
from elektromail.mail.message import ParsedMessage
from elektromail.mail.sections import (
    HEADER,
    HEADER_FIELDS,
    HEADER_FIELDS_NOT,
    MIME,
    TEXT,
    Section,
    binary_bytes,
    section_bytes,
)
from elektromail.mail.transfer import UnknownTransferEncoding
from tests.unit.imap_literals import parse_imap

CORPUS = Path(__file__).parent / "data" / "corpus"


def load(name: str) -> ParsedMessage:
    return ParsedMessage((CORPUS / name).read_bytes())


def test_whole_header_and_text() -> None:
    parsed = load("01-plain.eml")
    assert section_bytes(parsed, Section()) == parsed.raw
    header = section_bytes(parsed, Section(text=HEADER))
    assert header is not None
    assert header.endswith(b"<plain-1@example.com>\r\n\r\n")
    assert section_bytes(parsed, Section(text=TEXT)) == b"Hello Bob,\r\nthis is plain.\r\n"
    assert section_bytes(parsed, Section((1,))) == b"Hello Bob,\r\nthis is plain.\r\n"


def test_header_fields_keep_folding_and_end_with_blank_line() -> None:
    parsed = load("07-long-folded.eml")
    got = section_bytes(parsed, Section(text=HEADER_FIELDS, fields=("to", "SUBJECT")))
    assert got is not None
    assert got.startswith(b"To: a@example.com,\r\n b@example.com,\r\n\tc@example.com\r\nSubject: This is")
    assert got.endswith(b"chars\r\n\r\n")
    missing = section_bytes(parsed, Section(text=HEADER_FIELDS, fields=("x-none",)))
    assert missing == b"\r\n"


def test_header_fields_not() -> None:
    parsed = load("01-plain.eml")
    got = section_bytes(parsed, Section(text=HEADER_FIELDS_NOT, fields=("from", "to", "cc", "date")))
    assert got == b"Subject: Plain text\r\nMessage-ID: <plain-1@example.com>\r\n\r\n"


def test_nested_parts() -> None:
    parsed = load("03-nested-attachment.eml")
    assert section_bytes(parsed, Section((1, 1))) == b"plain part"
    assert section_bytes(parsed, Section((1, 2))) == b"<p>html part</p>"
    assert section_bytes(parsed, Section((1, 2), MIME)) == b"Content-Type: text/html\r\n\r\n"
    assert section_bytes(parsed, Section((3,))) is None
    assert section_bytes(parsed, Section((1, 1, 1))) == b"plain part"  # a leaf is its own part 1
    assert section_bytes(parsed, Section((1, 2, 2))) is None


def test_parts_inside_message_rfc822() -> None:
    parsed = load("04-message-rfc822.eml")
    inner_header = section_bytes(parsed, Section((2,), HEADER))
    assert inner_header is not None
    assert inner_header.startswith(b"From: Original <orig@example.org>\r\n")
    assert inner_header.endswith(b'boundary="b2"\r\n\r\n')
    assert section_bytes(parsed, Section((2,), HEADER_FIELDS, ("subject",))) == b"Subject: original\r\n\r\n"
    assert section_bytes(parsed, Section((2, 1))) == b"inner text"
    assert section_bytes(parsed, Section((2, 2), MIME)) == (
        b"Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    )
    whole = section_bytes(parsed, Section((2,)))
    text = section_bytes(parsed, Section((2,), TEXT))
    assert whole is not None
    assert text is not None
    assert whole.endswith(text)
    assert section_bytes(parsed, Section((1,), HEADER)) == b""  # not a message/rfc822 part: empty, as Dovecot


def test_binary_decodes_base64_and_quoted_printable() -> None:
    parsed = load("02-encoded-words-alternative.eml")
    assert binary_bytes(parsed, (1,)) == "Grüße aus Köln".encode()
    assert binary_bytes(parsed, (2,)) == "<p>Grüße aus Köln</p>\n".encode()
    assert binary_bytes(parsed, (3,)) is None


def test_binary_of_unknown_encoding_raises() -> None:
    parsed = load("11-garbage-ct.eml")
    with pytest.raises(UnknownTransferEncoding):
        binary_bytes(parsed, (1,))


def test_bare_lf_is_served_as_crlf() -> None:
    parsed = load("08-bare-lf.eml")
    assert b"\n" not in parsed.raw.replace(b"\r\n", b"")
    assert section_bytes(parsed, Section(text=TEXT)) == b"line one\r\nline two\r\n"


def test_message_without_body() -> None:
    parsed = load("06-no-body.eml")
    assert section_bytes(parsed, Section(text=TEXT)) == b""
    assert section_bytes(parsed, Section((1,))) == b""


def test_encoded_message_rfc822_still_has_an_inner_message() -> None:
    """RFC 9051 7.5.2: a message/rfc822 body always carries envelope, body and lines, even when the
    sender broke RFC 2046 5.2.1 by base64-encoding it (Dovecot answers with an empty inner message)."""
    raw = (
        b'Subject: x\r\nContent-Type: multipart/mixed; boundary="p"\r\n\r\n--p\r\n'
        b"Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\nRnJvbTogYUBiCgp4Cg==\r\n--p--\r\n"
    )
    structure = parse_imap(bodystructure(ParsedMessage(raw)))[0]
    inner = structure[0]
    assert inner[:7] == (b"message", b"rfc822", None, None, None, b"base64", 20)
    assert inner[7] == (None,) * 10
    assert inner[8][:2] == (b"text", b"plain")
    assert inner[9] == 0
