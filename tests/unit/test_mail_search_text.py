"""Search text kept small: ASCII text parts are searched in the message's own bytes, other parts decoded;
header values are decoded when asked for. The answers are those of case-folded decoded text."""

from __future__ import annotations

from elektromail.mail.message import ParsedMessage
from elektromail.mail.text import body_text, decoded_headers

MULTIPART = (
    b"From: =?utf-8?q?J=C3=BCrgen?= <j@example.com>\r\n"
    b"Subject: Quarterly REPORT\r\n"
    b"Subject: second subject\r\n"
    b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
    b"preamble text\r\n"
    b"--b\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nThe STRASSE is Long\r\n"
    b"--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    b"R3LDvMOfZSBhdXMgS8O2bG4=\r\n"
    b"--b\r\nContent-Type: text/plain; charset=utf-16\r\n\r\nab\r\n"
    b"--b\r\nContent-Type: image/png\r\n\r\nNOTTEXT\r\n"
    b"--b--\r\n"
)


def test_ascii_parts_are_searched_in_place_case_insensitively() -> None:
    text = body_text(ParsedMessage(MULTIPART))
    assert text.spans  # the us-ascii part keeps no copy of its text
    assert "strasse is long" in text
    assert "straße".casefold() in text  # "ss": the case-folded needle matches ASCII text
    assert "ſtrasse" not in text  # a non-ASCII needle cannot occur in case-folded ASCII
    assert "preamble" not in text
    assert "nottext" not in text


def test_parts_that_need_decoding_are_decoded() -> None:
    text = body_text(ParsedMessage(MULTIPART))
    assert "Grüße aus Köln".casefold() in text  # base64 UTF-8
    assert "r3ldvm" not in text
    assert len(text.texts) == 2  # the base64 part, and the utf-16 one (ASCII bytes, other characters)


def test_a_needle_with_pattern_characters_is_literal() -> None:
    text = body_text(ParsedMessage(b"Subject: s\r\n\r\nprice (in $) is 3.50\r\n"))
    assert "(in $)" in text
    assert "3.50" in text
    assert "3x50" not in text


def test_header_values_are_decoded_when_asked_for() -> None:
    headers = decoded_headers(ParsedMessage(MULTIPART))
    assert headers.get("from") == ["jürgen <j@example.com>"]
    assert headers.get("subject") == ["quarterly report", "second subject"]
    assert headers.get("cc") is None
    assert headers.get("cc", ()) == ()
