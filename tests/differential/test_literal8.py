"""APPEND with a literal8 (RFC 3516 4.4, ``~{n}``), then BODY.PEEK[1] and BINARY[1] of its 8-bit part:
the stored octets come back, over a real socket, from elektromail and (when installed) from Dovecot."""

from __future__ import annotations

import base64

import pytest

from bench.peers.dovecot import dovecot_available
from tests.differential.servers import dovecot_with, elektromail_with
from tests.differential.wire import Client, fetch_items

OCTETS = bytes(range(0x80, 0x100)) + b" caf\xc3\xa9"
MESSAGE = (
    b'From: a@example.com\r\nSubject: 8bit\r\nContent-Type: multipart/mixed; boundary="e"\r\n\r\n--e\r\n'
    b"Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n\r\n" + OCTETS + b"\r\n--e--\r\n"
)


def _appended(client: Client, message: bytes, items: bytes) -> dict[str, object]:
    """APPEND ``message`` with a literal8, then FETCH ``items`` of it: the data items by name."""
    reply = client.command(b"APPEND INBOX", message, literal8=True)
    assert reply.status == "OK", reply.text
    assert client.command(b"SELECT INBOX").status == "OK"
    reply = client.command(b"FETCH * (" + items + b")")
    assert reply.status == "OK", reply.text
    return dict(fetch_items(reply.untagged[-1])[1])


def _sections(client: Client) -> dict[str, object]:
    return _appended(client, MESSAGE, b"BODY.PEEK[1] BINARY.PEEK[1] BINARY.SIZE[1] RFC822.SIZE")


def test_literal8_append_serves_the_stored_octets() -> None:
    with elektromail_with([]) as client:
        items = _sections(client)
    assert items["BODY[1]"] == OCTETS
    assert items["BINARY[1]"] == OCTETS
    assert items["BINARY.SIZE[1]"] == str(len(OCTETS))
    assert items["RFC822.SIZE"] == str(len(MESSAGE))


@pytest.mark.skipif(not dovecot_available(), reason="dovecot-imapd is not installed")
def test_literal8_append_decodes_as_dovecot() -> None:
    """Dovecot stores a binary part base64-encoded (RFC 3516 4.4 lets a server encode what it stores), so
    only the decoded forms agree; elektromail keeps the octets it was given (docs/messages.md)."""
    with elektromail_with([]) as ours, dovecot_with([]) as theirs:
        mine, reference = _sections(ours), _sections(theirs)
    for item in ("BINARY[1]", "BINARY.SIZE[1]"):
        assert mine[item] == reference[item]


# One part, Content-Transfer-Encoding binary, whose content holds a NUL, an 8-bit octet and every kind of
# line end: nothing of it may change on the way back.
SINGLE_OCTETS = b"\0-\xe4\n\r\n\n\n"
SINGLE = (
    b"From: a@example.com\r\nSubject: bin\r\nContent-Type: application/octet-stream\r\n"
    b"Content-Transfer-Encoding: binary\r\n\r\n" + SINGLE_OCTETS
)


def _single(client: Client) -> dict[str, object]:
    return _appended(client, SINGLE, b"BINARY.PEEK[1] BINARY.SIZE[1] BODY.PEEK[1] BODYSTRUCTURE")


def test_binary_part_comes_back_as_appended_and_body_loses_nothing() -> None:
    """BINARY[1] is the octets APPENDed (bare LFs too, RFC 3516 4.2); BODY[1] cannot carry a NUL in a
    literal (RFC 9051 4.3), so it comes in base64 (RFC 3516 4.3), which decodes to the same octets."""
    with elektromail_with([]) as client:
        items = _single(client)
    assert items["BINARY[1]"] == SINGLE_OCTETS
    assert items["BINARY.SIZE[1]"] == str(len(SINGLE_OCTETS))
    body = items["BODY[1]"]
    assert isinstance(body, bytes)
    assert base64.b64decode(body) == SINGLE_OCTETS
    structure = items["BODYSTRUCTURE"]  # describes the part as BODY[1] serves it
    assert isinstance(structure, list)
    assert structure[5:7] == [b"base64", str(len(body))]


@pytest.mark.skipif(not dovecot_available(), reason="dovecot-imapd is not installed")
def test_binary_part_answers_as_dovecot() -> None:
    with elektromail_with([]) as ours, dovecot_with([]) as theirs:
        mine, reference = _single(ours), _single(theirs)
    for item in ("BINARY[1]", "BINARY.SIZE[1]", "BODY[1]", "BODYSTRUCTURE"):
        assert mine[item] == reference[item], item
