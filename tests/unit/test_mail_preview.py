"""RFC 8970 preview text, on message bytes."""

from __future__ import annotations

import pytest

from elektromail.mail.message import ParsedMessage
from elektromail.mail.preview import PREVIEW_LENGTH, preview

ALTERNATIVE = (
    b'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="b"\r\n\r\n'
    b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>from the html part</p>\r\n"
    b"--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"Hallo   und\r\n  Gr=FC=DFe\r\n--b--\r\n"
)
HTML_ONLY = (
    b"Content-Type: text/html; charset=utf-8\r\n\r\n<html><head><title>Title</title><style>p {}</style>"
    b"<script>var x = '<p>';</script></head><body><p>Caf\xc3\xa9 &amp; <b>bar</b></p></body></html>\r\n"
)
ATTACHMENT_FIRST = (
    b'Content-Type: multipart/mixed; boundary="m"\r\n\r\n'
    b"--m\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nnot this\r\n"
    b"--m\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\nYm9keSB0ZXh0\r\n--m--\r\n"
)
FORWARD_ONLY = (
    b'Content-Type: multipart/mixed; boundary="m"\r\n\r\n'
    b"--m\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner text\r\n--m--\r\n"
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"Subject: s\r\n\r\nplain\r\n\r\n text\r\n", "plain text"),
        (ALTERNATIVE, "Hallo und Grüße"),  # text/plain wins over text/html, decoded and collapsed
        (HTML_ONLY, "Café & bar"),  # markup, head, style and script removed, entities decoded
        (ATTACHMENT_FIRST, "body text"),  # an attachment is not the text
        (FORWARD_ONLY, ""),  # an encapsulated message is not this message's text
        (b"Content-Type: image/png\r\n\r\nxx\r\n", ""),
        (b"Subject: empty\r\n\r\n", ""),
    ],
)
def test_preview(raw: bytes, expected: str) -> None:
    assert preview(ParsedMessage(raw)) == expected


def test_preview_is_cut_and_cached() -> None:
    parsed = ParsedMessage(b"Subject: long\r\n\r\n" + b"word " * 200 + b"\r\n")
    text = preview(parsed)
    assert len(text) <= PREVIEW_LENGTH
    assert text.startswith("word word") and not text.endswith(" ")
    assert preview(parsed) is text
