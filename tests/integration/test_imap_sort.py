"""SORT and UID SORT (RFC 5256, RFC 5957 DISPLAYFROM/DISPLAYTO) through imaplib against a real server."""

from __future__ import annotations

import imaplib
from collections.abc import Iterator

import pytest

from elektromail import ServerThread
from tests.integration.imap_client import inbox_with

pytestmark = pytest.mark.timeout(30)

# (internal date, message): arrival order differs from mailbox order, sizes differ, one has no Date.
MESSAGES = [
    (
        '"07-Feb-2022 12:00:00 +0000"',
        b"From: Zed <zed@x.example>\r\nTo: bea@x.example\r\nCc: carl@x.example\r\n"
        b"Subject: Re: banana\r\nDate: Mon, 7 Feb 2022 10:00:00 +0000\r\n\r\n1\r\n",
    ),
    (
        '"07-Feb-2022 11:00:00 +0000"',
        b"From: =?utf-8?q?=C3=84rger?= <amy@x.example>\r\nTo: Al <al@x.example>\r\n"
        b"Subject: [list] Apple\r\nDate: Mon, 7 Feb 2022 09:00:00 +0100\r\n\r\n22 22 22 22 22 22\r\n",
    ),
    (
        '"07-Feb-2022 13:00:00 +0000"',
        b"From: bob@x.example\r\nSubject: Fwd: cherry (fwd)\r\n\r\n333\r\n",
    ),
    (
        '"07-Feb-2022 10:30:00 +0000"',
        b"From: Amy <AMY@x.example>\r\nTo: al@x.example\r\nSubject: apple\r\n"
        b"Date: Mon, 7 Feb 2022 08:00:00 +0000\r\n\r\n4444\r\n",
    ),
]


@pytest.fixture
def imap(server: ServerThread) -> Iterator[imaplib.IMAP4]:
    yield from inbox_with(server.imap_port, MESSAGES)


def sort(imap: imaplib.IMAP4, criteria: str, *search: str) -> list[int]:
    typ, data = imap.sort(criteria, "UTF-8", *(search or ("ALL",)))
    assert typ == "OK", data
    assert isinstance(data[0], bytes)
    return [int(number) for number in data[0].split()]


def test_capabilities(imap: imaplib.IMAP4) -> None:
    assert {"SORT", "SORT=DISPLAY"} <= set(imap.capabilities)


@pytest.mark.parametrize(
    ("criteria", "order"),
    [
        ("(ARRIVAL)", [4, 2, 1, 3]),
        ("(REVERSE ARRIVAL)", [3, 1, 2, 4]),
        # Sent dates in UTC: 08:00 (2, given as 09:00 +0100) ties with 4, mailbox order breaks it; 3 has no
        # Date and sorts by its internal date.
        ("(DATE)", [2, 4, 1, 3]),
        ("(SIZE)", [3, 4, 1, 2]),
        # Base subjects: apple, apple, banana, cherry; ties keep mailbox order.
        ("(SUBJECT)", [2, 4, 1, 3]),
        ("(REVERSE SUBJECT)", [3, 1, 2, 4]),
        ("(SUBJECT REVERSE ARRIVAL)", [2, 4, 1, 3]),  # 2 arrived after 4
        ("(SUBJECT SIZE)", [4, 2, 1, 3]),  # 4 is the smaller apple
        ("(SUBJECT REVERSE SIZE)", [2, 4, 1, 3]),  # 2 is the larger apple
        # Local parts, case-insensitively: amy, amy, bob, zed.
        ("(FROM)", [2, 4, 3, 1]),
        ("(TO)", [3, 2, 4, 1]),  # no To sorts first
        ("(CC)", [2, 3, 4, 1]),
        # Display names, else the address: Amy, bob@x.example, Zed, Ärger (non-ASCII after ASCII).
        ("(DISPLAYFROM)", [4, 3, 1, 2]),
        ("(DISPLAYTO)", [3, 2, 4, 1]),
    ],
)
def test_sort_orders(imap: imaplib.IMAP4, criteria: str, order: list[int]) -> None:
    assert sort(imap, criteria) == order


def test_sort_with_search_keys_and_uids(imap: imaplib.IMAP4) -> None:
    assert sort(imap, "(SUBJECT)", "NOT", "FROM", "bob") == [2, 4, 1]
    assert sort(imap, "(SUBJECT)", "SUBJECT", "durian") == []
    imap.store("1", "+FLAGS", "\\Deleted")
    imap.expunge()  # sequence numbers shift; UIDs do not
    typ, data = imap.uid("SORT", "(SUBJECT)", "UTF-8", "ALL")
    assert typ == "OK"
    assert data[0] == b"2 4 3"
    assert sort(imap, "(SUBJECT)") == [1, 3, 2]


@pytest.mark.parametrize(
    "arguments",
    [("(NOPE)", "UTF-8", "ALL"), ("()", "UTF-8", "ALL"), ("(SUBJECT)", "UTF-8"), ("SUBJECT", "UTF-8", "ALL")],
)
def test_bad_sort_commands(imap: imaplib.IMAP4, arguments: tuple[str, ...]) -> None:
    with pytest.raises(imaplib.IMAP4.error, match="BAD"):
        imap._simple_command("SORT", *arguments)
    assert imap.noop()[0] == "OK"


def test_sort_with_modseq_reports_the_highest(imap: imaplib.IMAP4) -> None:
    """RFC 7162 3.1.5: SORT with the MODSEQ key ends its response with the highest MODSEQ found."""
    imap.store("2", "+FLAGS", "\\Flagged")  # message 2 now has the mailbox's highest mod-sequence
    typ, data = imap.fetch("2", "(MODSEQ)")
    assert typ == "OK" and isinstance(data[0], bytes)
    highest = int(data[0].split(b"MODSEQ (")[1].split(b")")[0])
    typ, data = imap.sort("(SUBJECT)", "UTF-8", "MODSEQ", "1")
    assert typ == "OK"
    assert data[0] == b"2 4 1 3 (MODSEQ %d)" % highest
    typ, data = imap.sort("(SUBJECT)", "UTF-8", "MODSEQ", str(highest + 1))
    assert data[0] in (b"", None)  # nothing matched: no MODSEQ either


def test_unknown_charset(imap: imaplib.IMAP4) -> None:
    typ, data = imap._simple_command("SORT", "(SUBJECT)", "KOI8-R", "ALL")
    assert typ == "NO"
    assert b"[BADCHARSET" in data[0]
