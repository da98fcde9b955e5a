"""``FETCH <set> (FLAGS)`` as built in one pass (runs of equal flags): the exact lines over a real socket,
with \\Recent for the session that first sees the messages, keywords, and sets in any order or overlap."""

from __future__ import annotations

import pytest

from elektromail import ServerThread
from tests.integration.imap_client import RawImap, status_of

# The flags each message is APPENDed with; equal neighbours make runs, changes end them.
FLAGS = ["", "\\Seen", "\\Seen", "", "$Label", "\\Seen \\Flagged", "\\Seen \\Flagged", ""]
MESSAGE = b"From: a@example.com\r\nSubject: flags\r\n\r\nbody\r\n"


def _flag_list(flags: str, recent: bool) -> bytes:
    names = sorted(flags.split())
    if recent:
        names.append("\\Recent")
    return ("(" + " ".join(names) + ")").encode()


def _expected(numbers: list[int], recent: bool) -> list[bytes]:
    return [b"* %d FETCH (FLAGS %b)" % (number, _flag_list(FLAGS[number - 1], recent)) for number in numbers]


@pytest.fixture
def filled(server: ServerThread) -> int:
    with RawImap(server.imap_port) as client:
        client.login()
        for flags in FLAGS:
            tag = client.next_tag()
            client.send(b"%s APPEND INBOX (%s) {%d+}\r\n%s\r\n" % (tag.encode(), flags.encode(), len(MESSAGE), MESSAGE))
            assert status_of(client.until_tagged(tag)) == b"OK"
    return server.imap_port


def _fetch(client: RawImap, command: str) -> list[bytes]:
    lines = client.command(command)
    assert status_of(lines) == b"OK", lines
    return [line for line in lines if line.startswith(b"* ") and b" FETCH " in line]


def test_flags_of_every_message_with_recent_then_without(filled: int) -> None:
    with RawImap(filled) as first, RawImap(filled) as second:
        first.login()
        assert status_of(first.command("SELECT INBOX")) == b"OK"
        everything = list(range(1, len(FLAGS) + 1))
        assert _fetch(first, "FETCH 1:* (FLAGS)") == _expected(everything, recent=True)
        second.login()
        assert status_of(second.command("SELECT INBOX")) == b"OK"
        assert _fetch(second, "FETCH 1:* (FLAGS)") == _expected(everything, recent=False)


def test_sets_in_any_order_come_back_ascending_once_each(filled: int) -> None:
    with RawImap(filled) as client:
        client.login()
        assert status_of(client.command("SELECT INBOX")) == b"OK"
        assert _fetch(client, "FETCH 7,2:3,3:1,6:* (FLAGS)") == _expected([1, 2, 3, 6, 7, 8], recent=True)
        assert _fetch(client, "FETCH 5 (FLAGS)") == _expected([5], recent=True)
        assert _fetch(client, "FETCH 2:3,6:7 (FLAGS)") == _expected([2, 3, 6, 7], recent=True)  # runs of one set


def test_a_flag_change_splits_a_run(filled: int) -> None:
    with RawImap(filled) as client:
        client.login()
        assert status_of(client.command("SELECT INBOX")) == b"OK"
        assert status_of(client.command("STORE 2 -FLAGS.SILENT (\\Seen)")) == b"OK"
        after = ["", "", "\\Seen"]
        lines = _fetch(client, "FETCH 1:3 (FLAGS)")
        assert lines == [
            b"* %d FETCH (FLAGS %b)" % (number, _flag_list(flags, recent=True)) for number, flags in enumerate(after, 1)
        ]


def test_uid_fetch_flags_carries_each_uid(filled: int) -> None:
    with RawImap(filled) as client:
        client.login()
        assert status_of(client.command("SELECT INBOX")) == b"OK"
        expected = [
            b"* %d FETCH (UID %d FLAGS %b)" % (number, number, _flag_list(FLAGS[number - 1], recent=True))
            for number in (2, 3, 4, 8)
        ]
        assert _fetch(client, "UID FETCH 2:4,8:* (FLAGS)") == expected
        assert _fetch(client, "FETCH 2:4,8 (UID FLAGS)") == expected
        assert _fetch(client, "UID FETCH 9:* FLAGS") == expected[-1:]  # "*" is the largest UID, 8
        assert _fetch(client, "UID FETCH 9:20 FLAGS") == []


def test_long_runs_across_thousands_and_a_change_inside_one(server: ServerThread) -> None:
    # Runs longer than a thousand messages, sequence numbers of one to four digits, then one message in
    # the middle of a run changed: every line exact, before and after.
    flags = ["\\Seen"] * 1200 + [""] * 1301
    with RawImap(server.imap_port) as filler, RawImap(server.imap_port) as reader:
        filler.login()
        for start in range(0, len(flags), 500):
            tags = []
            for flag in flags[start : start + 500]:
                tags.append(filler.next_tag())
                filler.send(
                    b"%s APPEND INBOX (%s) {%d+}\r\n%s\r\n" % (tags[-1].encode(), flag.encode(), len(MESSAGE), MESSAGE)
                )
            for tag in tags:
                assert status_of(filler.until_tagged(tag)) == b"OK"
        assert status_of(filler.command("SELECT INBOX")) == b"OK"  # takes \Recent: the reader sees none
        reader.login()
        assert status_of(reader.command("SELECT INBOX")) == b"OK"
        expected = [b"* %d FETCH (FLAGS %b)" % (n, _flag_list(flag, False)) for n, flag in enumerate(flags, 1)]
        assert _fetch(reader, "FETCH 1:* (FLAGS)") == expected
        assert status_of(reader.command("STORE 1000 +FLAGS.SILENT (\\Flagged)")) == b"OK"
        expected[999] = b"* 1000 FETCH (FLAGS (\\Flagged \\Seen))"
        assert _fetch(reader, "FETCH 1:* (FLAGS)") == expected
        with_uids = [line.replace(b" FETCH (", b" FETCH (UID %d " % n) for n, line in enumerate(expected, 1)]
        assert _fetch(reader, "UID FETCH 1:* (FLAGS)") == with_uids
        # The session that took \Recent shows it (and then hears of the other session's change).
        assert _fetch(filler, "FETCH 999:1001 (FLAGS)")[:3] == [
            b"* 999 FETCH (FLAGS (\\Seen \\Recent))",
            b"* 1000 FETCH (FLAGS (\\Flagged \\Seen \\Recent))",
            b"* 1001 FETCH (FLAGS (\\Seen \\Recent))",
        ]
