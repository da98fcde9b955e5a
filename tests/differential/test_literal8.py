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


# A multipart whose second part is binary content holding a NUL, and a one-part text message holding one:
# RFC 9051 4.3.1 has BODY[] carry binary data in a textual form (base64); a NUL in text that says it is
# 7bit has no such form.
BINARY_PART = b"A\x00B\xe4"
WITH_BINARY_PART = (
    b"From: a@example.com\r\nSubject: nul\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=xx\r\n"
    b"\r\n--xx\r\nContent-Type: text/plain\r\n\r\nhello\r\n--xx\r\nContent-Type: application/octet-stream\r\n"
    b"Content-Transfer-Encoding: binary\r\n\r\n" + BINARY_PART + b"\r\n--xx--\r\n"
)
NUL_IN_TEXT = b"From: a@example.com\r\nSubject: nul in text\r\n\r\ntext with a NUL \x00 here\r\n"
WHOLE = b"RFC822.SIZE BODY.PEEK[] BODY.PEEK[TEXT] BINARY.PEEK[] BODY.PEEK[2]"


def test_whole_message_carries_a_binary_part_in_base64_and_its_size() -> None:
    """BODY[] and BODY[TEXT] never send a NUL as something else: the binary part travels in base64, its
    field saying so, RFC822.SIZE counts what BODY[] sends, and BINARY[] is the message as stored."""
    with elektromail_with([]) as client:
        items = _appended(client, WITH_BINARY_PART, WHOLE)
    whole, text = items["BODY[]"], items["BODY[TEXT]"]
    assert isinstance(whole, bytes) and isinstance(text, bytes)
    encoded = base64.b64encode(BINARY_PART)
    assert b"Content-Transfer-Encoding: base64\r\n\r\n" + encoded + b"\r\n--xx--\r\n" in whole
    assert b"\x00" not in whole and b"\x80" not in whole
    assert whole.endswith(text) and items["BODY[2]"] == encoded
    assert items["RFC822.SIZE"] == str(len(whole))
    assert items["BINARY[]"] == WITH_BINARY_PART


def test_a_nul_that_cannot_be_encoded_is_announced() -> None:
    """A NUL in text that claims to be 7bit goes as 0x80 (sizes hold), and the FETCH says so in an untagged
    NO warning (RFC 9051 7.1.2) naming the message; BINARY[] returns the stored octets."""
    with elektromail_with([]) as client:
        assert client.command(b"APPEND INBOX", NUL_IN_TEXT, literal8=True).status == "OK"
        assert client.command(b"SELECT INBOX").status == "OK"
        reply = client.command(b"FETCH 1 (BODY.PEEK[] BINARY.PEEK[])")
        quiet = client.command(b"FETCH 1 (RFC822.SIZE BINARY.PEEK[])")
    assert reply.status == "OK"
    _, items = fetch_items(next(line for line in reply.untagged if b"FETCH" in line))
    assert items["BODY[]"] == NUL_IN_TEXT.replace(b"\x00", b"\x80")
    assert items["BINARY[]"] == NUL_IN_TEXT
    warnings = [line for line in reply.untagged if line.startswith(b"* NO ")]
    assert len(warnings) == 1 and b"messages 1 hold NUL" in warnings[0]
    assert not any(line.startswith(b"* NO ") for line in quiet.untagged)  # BINARY[] alters nothing


def test_a_part_that_does_not_exist_is_nil() -> None:
    """RFC 9051 4.5: NIL is the absence of a data item, as distinct from the empty string (Dovecot answers
    "" for a part number past the last part)."""
    with elektromail_with([]) as client:
        items = _appended(client, WITH_BINARY_PART, b"BODY.PEEK[1.2] BODY.PEEK[3] BODY.PEEK[3.MIME]")
    assert items["BODY[1.2]"] is None and items["BODY[3]"] is None and items["BODY[3.MIME]"] is None


@pytest.mark.skipif(not dovecot_available(), reason="dovecot-imapd is not installed")
def test_whole_message_with_a_binary_part_answers_as_dovecot() -> None:
    with elektromail_with([]) as ours, dovecot_with([]) as theirs:
        mine, reference = _appended(ours, WITH_BINARY_PART, WHOLE), _appended(theirs, WITH_BINARY_PART, WHOLE)
    for item in ("RFC822.SIZE", "BODY[]", "BODY[TEXT]", "BODY[2]", "BINARY[]"):
        assert mine[item] == reference[item], item
