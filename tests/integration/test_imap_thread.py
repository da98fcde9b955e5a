"""THREAD and UID THREAD (RFC 5256, ORDEREDSUBJECT and REFERENCES) through imaplib against a real server."""

from __future__ import annotations

import imaplib
from collections.abc import Iterator

import pytest

from elektromail import ServerThread
from tests.integration.imap_client import inbox_with

pytestmark = pytest.mark.timeout(30)


def _message(headers: str) -> bytes:
    return (headers.replace("\n", "\r\n") + "\r\nbody\r\n").encode("ascii")


# (internal date, message). A reply (2) and its reply (4); a reply to a missing message (7) and one
# without references (5) that join their originals by subject; 6 has no Message-ID and no Date.
MESSAGES = [
    (
        '"07-Feb-2022 10:00:00 +0000"',
        _message("Message-ID: <a@x>\nSubject: apple\nDate: Mon, 7 Feb 2022 10:00:00 +0000\n"),
    ),
    (
        '"07-Feb-2022 11:00:00 +0000"',
        _message(
            "Message-ID: <b@x>\nSubject: Re: apple\nIn-Reply-To: <a@x>\nReferences: <a@x>\n"
            "Date: Mon, 7 Feb 2022 11:00:00 +0000\n"
        ),
    ),
    (
        '"07-Feb-2022 01:00:00 +0000"',  # the internal date is not the sent date
        _message("Message-ID: <c@x>\nSubject: banana\nDate: Mon, 7 Feb 2022 10:00:00 +0100\n"),
    ),
    (
        '"07-Feb-2022 12:00:00 +0000"',
        _message(
            "Message-ID: <d@x>\nSubject: Re: apple\nReferences: <a@x>\n <b@x>\nDate: Mon, 7 Feb 2022 12:00:00 +0000\n"
        ),
    ),
    (
        '"07-Feb-2022 13:00:00 +0000"',
        _message("Message-ID: <e@x>\nSubject: Re: banana\nDate: Mon, 7 Feb 2022 13:00:00 +0000\n"),
    ),
    ('"07-Feb-2022 08:00:00 +0000"', _message("Subject: cherry\n")),
    (
        '"07-Feb-2022 10:30:00 +0000"',
        _message("Message-ID: <f@x>\nSubject: Re: apple\nReferences: <gone@x>\nDate: Mon, 7 Feb 2022 10:30:00 +0000\n"),
    ),
]


@pytest.fixture
def imap(server: ServerThread) -> Iterator[imaplib.IMAP4]:
    yield from inbox_with(server.imap_port, MESSAGES)


def thread(imap: imaplib.IMAP4, algorithm: str, *search: str) -> bytes:
    typ, data = imap.thread(algorithm, "UTF-8", *(search or ("ALL",)))
    assert typ == "OK", data
    assert len(data) == 1
    return data[0] or b""


def test_capabilities(imap: imaplib.IMAP4) -> None:
    assert {"THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES"} <= set(imap.capabilities)


def test_references(imap: imaplib.IMAP4) -> None:
    # By sent date: 6 (its internal date, 08:00), 3 (09:00 UTC), 1; 7 and 5 join by subject.
    assert thread(imap, "REFERENCES") == b"(6)(3 5)(1 (7)(2 4))"
    assert thread(imap, "references", "SUBJECT", "apple") == b"(1 (7)(2 4))"
    assert thread(imap, "REFERENCES", "NOT", "SUBJECT", "apple") == b"(6)(3 5)"
    # Without its parent in the selection a reply heads its own thread.
    assert thread(imap, "REFERENCES", "2,4") == b"(2 4)"
    assert thread(imap, "REFERENCES", "SUBJECT", "durian") == b""


def test_ordered_subject(imap: imaplib.IMAP4) -> None:
    assert thread(imap, "ORDEREDSUBJECT") == b"(6)(3 5)(1 (7)(2)(4))"
    assert thread(imap, "ORDEREDSUBJECT", "1:2") == b"(1 2)"


def test_uid_thread(imap: imaplib.IMAP4) -> None:
    imap.store("6", "+FLAGS", "\\Deleted")
    imap.expunge()  # sequence numbers shift; UIDs do not
    typ, data = imap.uid("THREAD", "REFERENCES", "UTF-8", "ALL")
    assert typ == "OK"
    assert data[0] == b"(3 5)(1 (7)(2 4))"
    typ, data = imap.uid("THREAD", "ORDEREDSUBJECT", "US-ASCII", "UID", "5:*")
    assert typ == "OK"
    assert data[0] == b"(7)(5)"  # by sent date
    assert thread(imap, "REFERENCES") == b"(3 5)(1 (6)(2 4))"


@pytest.mark.parametrize(
    "arguments",
    [
        ("NOPE", "UTF-8", "ALL"),
        ("REFERENCES", "UTF-8"),
        ("REFERENCES",),
        ("(REFERENCES)", "UTF-8", "ALL"),
        ("REFERENCES", "UTF-8", "BOGUS"),
    ],
)
def test_bad_thread_commands(imap: imaplib.IMAP4, arguments: tuple[str, ...]) -> None:
    with pytest.raises(imaplib.IMAP4.error, match="BAD"):
        imap._simple_command("THREAD", *arguments)
    assert imap.noop()[0] == "OK"


def test_unknown_charset(imap: imaplib.IMAP4) -> None:
    typ, data = imap._simple_command("THREAD", "REFERENCES", "KOI8-R", "ALL")
    assert typ == "NO"
    assert b"[BADCHARSET" in data[0]
