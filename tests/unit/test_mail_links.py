"""Links of a message: the URLs of its text part, then of its HTML part, once each, in order."""

from __future__ import annotations

import pytest

from elektromail.mail.links import links, urls_in_html, urls_in_text
from elektromail.mail.message import ParsedMessage


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Go to https://a.example/x.", ["https://a.example/x"]),
        (
            "(see http://a.example/y) and https://b.example/p?q=1&r=2!",
            ["http://a.example/y", "https://b.example/p?q=1&r=2"],
        ),
        ("wiki https://w.example/A_(b) ok", ["https://w.example/A_(b)"]),
        ('<https://c.example/z> "https://d.example/"', ["https://c.example/z", "https://d.example/"]),
        ("ftp://no.example/ and https:// alone and mailto:x@y", []),
        ("HTTPS://UPPER.example/Path", ["HTTPS://UPPER.example/Path"]),
    ],
)
def test_urls_in_text(text: str, expected: list[str]) -> None:
    assert urls_in_text(text) == expected


def test_urls_in_html_are_hrefs_and_visible_text_in_document_order() -> None:
    markup = (
        "<style>a{background:url(https://style.example/)}</style>"
        '<p>Hi <a href="https://a.example/confirm?t=1&amp;u=2">confirm</a>, or paste https://b.example/ .</p>'
        "<a href='#top'>top</a><a href='/relative'>r</a><area href=\"http://map.example/\">"
        "<script>location='https://script.example/'</script>"
    )
    assert urls_in_html(markup) == ["https://a.example/confirm?t=1&u=2", "https://b.example/", "http://map.example/"]


def test_a_message_lists_text_links_then_html_links_without_repeats() -> None:
    raw = (
        b'Content-Type: multipart/alternative; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"Confirm: https://app.example/confirm?token=3Dabc=\r\ndef\r\n"
        b"--b\r\nContent-Type: text/html\r\n\r\n"
        b'<a href="https://app.example/confirm?token=abcdef">Confirm</a> <a href="https://app.example/help">?</a>\r\n'
        b"--b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment\r\n\r\nhttps://attached.example/\r\n"
        b"--b--\r\n"
    )
    assert links(ParsedMessage(raw)) == ["https://app.example/confirm?token=abcdef", "https://app.example/help"]


def test_a_message_without_text_has_no_links() -> None:
    assert links(ParsedMessage(b"Content-Type: image/png\r\n\r\nhttps://not.text.example/\r\n")) == []
