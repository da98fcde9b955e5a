"""The HTTP views' reading of addresses and attachment names, straight from message bytes."""

from __future__ import annotations

import pytest

from elektromail.http.views import addresses, filename
from elektromail.mail.envelope import message_headers
from elektromail.mail.message import ParsedMessage
from elektromail.mail.mime import mime_tree, split_parameters


def header_addresses(header: bytes, name: str = "to") -> list[str]:
    return addresses(message_headers(ParsedMessage(header + b"\r\n\r\nbody\r\n")), name)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"To: Ann <ann@example.com>, bob@example.org", ["ann@example.com", "bob@example.org"]),
        (b"To: a@example.com\r\nTo: b@example.com", ["a@example.com", "b@example.com"]),  # every field
        (b"To: friends: ann@example.com, bob@example.org;", ["ann@example.com", "bob@example.org"]),
        (b"To: undisclosed-recipients:;", []),  # a group with nobody in it
        (b"To: John Smith", []),  # a display name names no mailbox
        (b"To: postmaster", ["postmaster"]),  # no domain: the local part alone
        (b"To: <@relay.example:ann@example.com>", ["ann@example.com"]),  # the route is not the address
        (b"To: Ann\r\n <ann@example.com>", ["ann@example.com"]),  # folded
        (b"To : ann@example.com", ["ann@example.com"]),  # space before the colon
        (b"To: j\xc3\xb6rg@example.com", ["j\u00f6rg@example.com"]),  # RFC 6532 UTF-8
    ],
)
def test_addresses_are_the_envelope_s(header: bytes, expected: list[str]) -> None:
    assert header_addresses(header) == expected


def only_part_filename(content_fields: bytes) -> str | None:
    tree = mime_tree(ParsedMessage(b"MIME-Version: 1.0\r\n" + content_fields + b"\r\n\r\ndata\r\n"))
    disposition = tree.headers.get("content-disposition")
    return filename(tree, [] if disposition is None else split_parameters(disposition)[1])


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=report.pdf", "report.pdf"),
        (b'Content-Type: application/pdf; name="by-type.pdf"', "by-type.pdf"),
        (
            b'Content-Type: application/pdf; name="type.pdf"\r\nContent-Disposition: attachment; filename="disp.pdf"',
            "disp.pdf",
        ),
        (
            b"Content-Type: text/plain\r\nContent-Disposition: attachment; filename*=utf-8''caf%C3%A9.txt",
            "caf\u00e9.txt",
        ),
        (
            b"Content-Type: text/plain\r\nContent-Disposition: attachment;\r\n filename*0*=iso-8859-1''na%EFve;\r\n"
            b" filename*1=.txt",
            "na\u00efve.txt",
        ),  # RFC 2231 continuations joined, then decoded
        (b'Content-Type: image/png; name="=?utf-8?q?gr=C3=BC=C3=9Fe?=.png"', "gr\u00fc\u00dfe.png"),
        (b"Content-Type: image/png", None),
    ],
)
def test_attachment_names(fields: bytes, expected: str | None) -> None:
    assert only_part_filename(fields) == expected
