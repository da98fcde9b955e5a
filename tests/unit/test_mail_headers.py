"""Header parsing, RFC 2047 decoding, dates, addresses and search text on bytes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from elektromail.mail.addresses import MISSING_DOMAIN, Address, parse_address_list
from elektromail.mail.envelope import message_headers
from elektromail.mail.headers import decode_words, parse_headers, sent_date
from elektromail.mail.imapstr import nstring, string
from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import split_parameters
from elektromail.mail.text import body_text, full_text

CORPUS = Path(__file__).parent / "data" / "corpus"


def test_unfolding_and_garbage_lines() -> None:
    raw = b"From x\r\nSubject: a\r\n  b\r\nnot a field\r\nX-Empty:\r\n\r\nbody"
    headers = parse_headers(raw, 0, len(raw))
    assert headers.get("subject") == b"a b"  # a fold and the white space around it: one space
    assert headers.get("x-empty") == b""
    assert [field.name for field in headers.fields] == ["subject", "x-empty"]


def test_encoded_words() -> None:
    assert decode_words(b"=?ISO-8859-1?Q?Gr=FC=DFe?= aus =?UTF-8?Q?K=C3=B6ln?=") == "Grüße aus Köln"
    assert decode_words(b"=?utf-8?b?SsO8cmdlbg==?= =?utf-8?q?_B?=") == "Jürgen B"  # adjacent words join
    assert decode_words(b"=?x-unknown?q?abc?=") == "abc"
    assert decode_words(b"=?utf-8?b?###?= plain") == "=?utf-8?b?###?= plain"
    assert decode_words("Grüße".encode()) == "Grüße"


def test_charset_labels_that_are_not_text_encodings_fall_back() -> None:
    # Python codecs a hostile message can name: bytes-to-bytes codecs, and ones without "replace".
    for label in (b"base64", b"rot13", b"zlib", b"idna", b"punycode", b"undefined"):
        assert decode_words(b"=?" + label + b"?q?abc=FF?= x") == "abc\xff x"
    raw = b"Subject: s\r\nContent-Type: text/plain; charset=base64\r\n\r\nplain \xe9t\xe9\r\n"
    assert "plain \ufffdt\ufffd" in body_text(ParsedMessage(raw))


def test_sent_date_uses_the_senders_zone() -> None:
    assert sent_date(b"Mon, 7 Feb 1994 21:52:25 -0800") == date(1994, 2, 7)
    assert sent_date(b"Thu, 13 Feb 2020 23:59:59 -0500 (EST)") == date(2020, 2, 13)
    assert sent_date(b"yesterday") is None
    assert sent_date(None) is None


def test_addresses() -> None:
    assert parse_address_list(b'"Doe, J" <j@x.org>, k@y.org') == [
        Address(b"Doe, J", None, b"j", b"x.org"),
        Address(None, None, b"k", b"y.org"),
    ]
    assert parse_address_list(b"Team: a@x.org;") == [
        Address(None, None, b"Team", None),
        Address(None, None, b"a", b"x.org"),
        Address(None, None, None, None),
    ]
    assert parse_address_list(b"local") == [Address(None, None, b"local", MISSING_DOMAIN)]
    assert parse_address_list(b"") == []
    assert parse_address_list(b"<>") == []


def test_parameters() -> None:
    assert split_parameters(b'text/plain; charset="utf-8" (comment); format=flowed') == (
        b"text/plain",
        [(b"charset", b"utf-8"), (b"format", b"flowed")],
    )
    assert split_parameters(b'attachment; filename="a;b \\"c\\".txt"') == (
        b"attachment",
        [(b"filename", b'a;b "c".txt')],
    )


def test_imap_strings() -> None:
    assert string(b'say "hi" \\o/') == b'"say \\"hi\\" \\\\o/"'
    assert string("ü".encode()) == b"{2}\r\n\xc3\xbc"
    assert string(b"a\r\nb") == b"{4}\r\na\r\nb"
    assert nstring(None) == b"NIL"


def test_search_text_decodes_bodies_and_headers() -> None:
    parsed = ParsedMessage((CORPUS / "02-encoded-words-alternative.eml").read_bytes())
    assert "Grüße aus Köln".casefold() in body_text(parsed)
    assert "<p>Grüße".casefold() in body_text(parsed)  # the base64 html part too
    assert "preamble" not in body_text(parsed)
    assert "jürgen" in full_text(parsed)
    eight = ParsedMessage((CORPUS / "05-8bit.eml").read_bytes())
    assert "été" in body_text(eight)
    forwarded = ParsedMessage((CORPUS / "04-message-rfc822.eml").read_bytes())
    assert "inner text" in body_text(forwarded)
    assert "ivborw0kggo" not in body_text(forwarded)  # the image is not text


def test_headers_are_cached() -> None:
    parsed = ParsedMessage((CORPUS / "01-plain.eml").read_bytes())
    assert message_headers(parsed) is message_headers(parsed)
