"""FETCH, SEARCH and STORE argument parsing on bytes (RFC 9051 6.4.4-6.4.6, RFC 3516, RFC 7162)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from elektromail.imap.commands.fetch import FetchItem, parse_fetch
from elektromail.imap.commands.mailboxes import parse_select
from elektromail.imap.commands.qresync import QresyncParameters
from elektromail.imap.commands.search import parse_search
from elektromail.imap.commands.search_keys import SearchContext
from elektromail.imap.commands.store_flags import parse_store
from elektromail.imap.engine.parser import ParseError, Reader
from elektromail.imap.engine.responses import sequence_text
from elektromail.mail.message import ParsedMessage
from elektromail.mail.sections import HEADER_FIELDS, MIME, Section
from elektromail.store import FlagMode
from elektromail.store.model import Message


def fetch_items(arguments: bytes) -> tuple[FetchItem, ...]:
    return parse_fetch(Reader(b" " + arguments)).items


def test_macros_expand() -> None:
    assert [item.kind for item in fetch_items(b"1:* ALL")] == ["FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE"]
    assert [item.kind for item in fetch_items(b"1 FULL")][-1] == "BODY"
    assert [item.kind for item in fetch_items(b"1 fast")] == ["FLAGS", "INTERNALDATE", "RFC822.SIZE"]


def test_sections_and_partials() -> None:
    items = fetch_items(b'1 (BODY.PEEK[1.2.HEADER.FIELDS (From "To")]<10.20> BODY[3.MIME] BINARY.SIZE[2] UID)')
    peek, mime, size, uid = items
    assert peek.section == Section((1, 2), HEADER_FIELDS, ("From", "To"))
    assert peek.partial == (10, 20)
    assert peek.label == b"BODY[1.2.HEADER.FIELDS (FROM TO)]<10>"
    assert not peek.sets_seen
    assert mime.section == Section((3,), MIME)
    assert mime.sets_seen
    assert size.label == b"BINARY.SIZE[2]"
    assert uid.kind == "UID"


@pytest.mark.parametrize(
    "bad",
    [b"1 (BODY[MIME])", b"1 (BODY[1.FOO])", b"1 (BODY[]<5>)", b"1 (NOPE)", b"1 (BODY[HEADER.FIELDS ()])", b"1 ("],
)
def test_bad_fetch_arguments(bad: bytes) -> None:
    with pytest.raises(ParseError):
        parse_fetch(Reader(b" " + bad))


def test_store_arguments() -> None:
    arguments = parse_store(Reader(b" 1:3 +FLAGS.SILENT (\\seen $Label \\Recent)"))
    assert arguments.mode is FlagMode.ADD
    assert arguments.silent
    assert arguments.flags == ("\\Seen", "$Label")
    assert parse_store(Reader(b" 1 FLAGS \\Deleted")).flags == ("\\Deleted",)
    with pytest.raises(ParseError):
        parse_store(Reader(b" 1 XFLAGS (\\Seen)"))


def test_condstore_modifiers() -> None:
    fetch = parse_fetch(Reader(b" 1:* (FLAGS MODSEQ) (changedsince 9223372036854775807)"))
    assert [item.kind for item in fetch.items] == ["FLAGS", "MODSEQ"]
    assert fetch.changed_since == 2**63 - 1
    assert parse_fetch(Reader(b" 1 FAST (CHANGEDSINCE 0)")).changed_since == 0
    assert parse_fetch(Reader(b" 1 UID")).changed_since is None
    store = parse_store(Reader(b" 2 (UNCHANGEDSINCE 12) -FLAGS.SILENT (\\Seen)"))
    assert (store.unchanged_since, store.mode, store.silent, store.flags) == (12, FlagMode.REMOVE, True, ("\\Seen",))
    assert parse_store(Reader(b" 2 +FLAGS (\\Seen)")).unchanged_since is None
    assert parse_search(Reader(b" MODSEQ 5")).modseq
    assert parse_search(Reader(b' NOT (SEEN OR MODSEQ "/flags/$x" shared 5 ALL)')).modseq
    assert not parse_search(Reader(b" SEEN")).modseq


def test_qresync_fetch_modifier_and_select_parameter() -> None:
    fetch = parse_fetch(Reader(b" 1:* (FLAGS) (CHANGEDSINCE 7 VANISHED)"))
    assert (fetch.changed_since, fetch.vanished) == (7, True)
    assert parse_fetch(Reader(b" 1:* (FLAGS) (vanished changedsince 0)")).vanished
    assert not parse_fetch(Reader(b" 1:* (FLAGS) (CHANGEDSINCE 7)")).vanished
    select = parse_select(Reader(b" INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))"))
    assert select.qresync is not None
    assert (select.name, select.condstore, select.qresync.uid_validity) == ("INBOX", False, 67890007)
    assert select.qresync.modseq == 20050715194045000
    assert select.qresync.known_uids is not None and select.qresync.known_uids.contains(300, 541)
    select = parse_select(Reader(b" Work (CONDSTORE QRESYNC (5 1 1:* (1:2 4:5)))"))
    assert select.condstore and select.qresync is not None
    assert select.qresync[:2] == (5, 1)
    assert parse_select(Reader(b" INBOX (QRESYNC (5 0))")).qresync == QresyncParameters(5, 0, None)


@pytest.mark.parametrize(
    "bad",
    [
        b" INBOX (QRESYNC (5))",
        b" INBOX (QRESYNC 5 1)",
        b" INBOX (QRESYNC (5 1 1:2 (1:2)))",
        b" INBOX (QRESYNC (5 1 (1:2 1:2)))",
        b" INBOX (QRESYNC (5 1) CONDSTORE CONDSTORE)",
    ],
)
def test_bad_select_parameters(bad: bytes) -> None:
    with pytest.raises(ParseError):
        parse_select(Reader(bad))


@pytest.mark.parametrize(
    "bad",
    [
        b" 1 (FLAGS) (CHANGEDSINCE 9223372036854775808)",
        b" 1 (FLAGS) (CHANGEDSINCE 1 CHANGEDSINCE 2)",
        b" 1 (FLAGS) ()",
        b" 1 (FLAGS) (CHANGEDSINCE 1) ",
        b" 1 (FLAGS) (VANISHED)",
        b" 1 (FLAGS) (VANISHED CHANGEDSINCE 1 VANISHED)",
    ],
)
def test_bad_fetch_modifiers(bad: bytes) -> None:
    with pytest.raises(ParseError):
        parse_fetch(Reader(bad))


def test_search_modseq_matches_at_or_above() -> None:
    stamped = [_message(uid, b"Subject: s\r\n\r\n") for uid in (1, 2, 3)]
    for message, modseq in zip(stamped, (4, 9, 7), strict=True):
        message.modseq = modseq
    context = SearchContext(3, 3, set(), frozenset())
    for keys, expected in ((b"MODSEQ 7", [2, 3]), (b'MODSEQ "/flags/\\\\Seen" priv 8', [2]), (b"MODSEQ 0", [1, 2, 3])):
        predicate = parse_search(Reader(b" " + keys)).predicate
        assert [m.uid for seq, m in enumerate(stamped, 1) if predicate(context, seq, m)] == expected


def _message(uid: int, raw: bytes, flags: frozenset[str] = frozenset()) -> Message:
    return Message(uid, flags, datetime(2024, 3, 1, 12, 0, tzinfo=UTC), ParsedMessage(raw))


MESSAGES = [
    _message(
        1, b"From: Ann <ann@x.org>\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\nDate: 1 Jan 2020 10:00 +0000\r\n\r\nhello"
    ),
    _message(2, b"From: bob@y.org\r\nSubject: report\r\n\r\nquarterly numbers", frozenset({"\\Seen"})),
    _message(3, b"Subject: no date\r\n\r\n" + b"x" * 500, frozenset({"\\Flagged", "\\Seen"})),
]


def matches(arguments: bytes) -> list[int]:
    predicate = parse_search(Reader(b" " + arguments)).predicate
    context = SearchContext(len(MESSAGES), 3, {3}, frozenset({1, 3}))
    return [message.uid for seq, message in enumerate(MESSAGES, 1) if predicate(context, seq, message)]


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (b"ALL", [1, 2, 3]),
        (b'SUBJECT "CAF\xc3\x89"', [1]),
        (b"CHARSET UTF-8 SUBJECT {5}\r\ncaf\xc3\xa9", [1]),
        (b"FROM ann UNSEEN", [1]),
        (b"OR FLAGGED FROM bob", [2, 3]),
        (b"NOT (SEEN)", [1]),
        (b"(SEEN NOT FLAGGED)", [2]),
        (b"SENTBEFORE 2-Jan-2020", [1, 2, 3]),  # no Date: sent at the start of 1970, as Dovecot reads it
        (b"SENTON 1-Mar-2024", []),
        (b"SENTON 1-Jan-1970", [2, 3]),
        (b"ON 1-Mar-2024 SINCE 1-Mar-2024 BEFORE 2-Mar-2024", [1, 2, 3]),
        (b"LARGER 100", [3]),
        (b"SMALLER 60", [2]),
        (b"2:* UID 1:2", [2]),
        (b"BODY QUARTERLY", [2]),
        (b"TEXT report", [2]),
        (b'HEADER subject ""', [1, 2, 3]),
        (b"KEYWORD \\Flagged", [3]),
        (b"RECENT", [3]),
        (b"NEW", []),
        (b"OLD", [1, 2]),
        (b"RETURN (COUNT) 1,3", [1, 3]),
        (b"$", [1, 3]),  # RFC 5182: the saved result, as UIDs
        (b"UID $ SEEN", [3]),
        (b"RETURN (SAVE) NOT $", [2]),
    ],
)
def test_search_keys(keys: bytes, expected: list[int]) -> None:
    assert matches(keys) == expected


@pytest.mark.parametrize(
    "bad", [b"", b"FOO", b"OR SEEN", b"(SEEN", b"BEFORE 32-Jan-2020", b"RETURN (BOGUS) ALL", b"$,1", b"UID 1,$"]
)
def test_bad_search(bad: bytes) -> None:
    with pytest.raises(ParseError):
        parse_search(Reader(b" " + bad))


def test_sequence_text() -> None:
    assert sequence_text([1, 2, 3, 5, 7, 8]) == b"1:3,5,7:8"
    assert sequence_text([4]) == b"4"
