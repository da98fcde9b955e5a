"""Mailbox names that are not valid modified UTF-7 (RFC 3501 5.1.3) from a client without UTF-8: a mailbox
name is an astring, so the grammar accepts them; they name no mailbox and none can be made with them.
The answers are NO (and LIST finds nothing), never BAD, and the session goes on (as Dovecot answers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from elektromail import ServerThread
from elektromail.imap.engine import codes
from tests.integration.imap_client import RawImap, status_of

# Printable ASCII that opens a shift ("&") with characters base64 does not have, as IMAP4rev1 clients send.
NOT_MUTF7 = "!#$&'+,-.0123456789:;<=>?@^_`|[}"
UNTERMINATED = "a&Jjo!"


@pytest.fixture
def raw(server: ServerThread) -> Iterator[RawImap]:
    client = RawImap(server.imap_port)
    client.login()
    yield client
    client.close()


def _quoted(name: str) -> str:
    return '"' + name + '"'


@pytest.mark.parametrize("name", [NOT_MUTF7, UNTERMINATED])
def test_select_examine_and_status_answer_no_such_mailbox(raw: RawImap, name: str) -> None:
    for command in (f"SELECT {_quoted(name)}", f"EXAMINE {_quoted(name)}", f"STATUS {_quoted(name)} (MESSAGES)"):
        lines = raw.command(command)
        assert status_of(lines) == b"NO", lines
        assert f"[{codes.NONEXISTENT}]".encode() in lines[-1]
    assert status_of(raw.command("NOOP")) == b"OK"


@pytest.mark.parametrize("name", [NOT_MUTF7, UNTERMINATED])
def test_list_of_such_a_pattern_finds_nothing(raw: RawImap, name: str) -> None:
    lines = raw.command(f'LIST "" {_quoted(name)}')
    assert status_of(lines) == b"OK"
    assert not [line for line in lines if line.startswith(b"* LIST")]
    lines = raw.command(f'LIST "" {_quoted(name + "*")}')
    assert status_of(lines) == b"OK"
    assert not [line for line in lines if line.startswith(b"* LIST")]


def test_no_mailbox_can_be_made_with_such_a_name(raw: RawImap) -> None:
    for command in (f"CREATE {_quoted(UNTERMINATED)}", f"RENAME INBOX {_quoted(UNTERMINATED)}"):
        lines = raw.command(command)
        assert status_of(lines) == b"NO", lines
        assert f"[{codes.CANNOT}]".encode() in lines[-1]
    listed = raw.command('LIST "" "*"')
    assert [line for line in listed if line.startswith(b"* LIST")] == [b'* LIST (\\HasNoChildren) "/" "INBOX"']
    raw.send(f"a1 APPEND {_quoted(UNTERMINATED)} {{5+}}\r\nhello\r\n".encode())
    lines = raw.until_tagged("a1")
    assert status_of(lines) == b"NO", lines
    assert f"[{codes.TRYCREATE}]".encode() in lines[-1]
