"""CONDSTORE (RFC 7162) on the wire: HIGHESTMODSEQ, MODSEQ, CHANGEDSINCE, UNCHANGEDSINCE, SEARCH MODSEQ.

Every server starts with an empty INBOX at HIGHESTMODSEQ 1; each APPEND, flag change and expunge then
takes the next mod-sequence, so the numbers below follow from the commands each test sends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import imapclient
import pytest

from elektromail import ServerThread
from tests.conftest import ServerFactory
from tests.integration.imap_client import RawImap, status_of
from tests.servers import client_host


def message(number: int) -> bytes:
    return b"From: a@example.com\r\nSubject: m%d\r\n\r\nbody %d\r\n" % (number, number)


def append(raw: RawImap, count: int, mailbox: str = "INBOX") -> None:
    for number in range(1, count + 1):
        data = message(number)
        lines = raw.command(b"APPEND " + mailbox.encode() + b" {%d+}\r\n" % len(data) + data)
        assert status_of(lines) == b"OK", lines


def untagged(lines: list[bytes]) -> list[bytes]:
    return lines[:-1]


@pytest.fixture
def raw(server: ServerThread) -> Iterator[RawImap]:
    """A logged-in session whose INBOX holds three messages with MODSEQ 2, 3, 4 (HIGHESTMODSEQ 4).

    It selected INBOX once, so no later selection shows the messages as \\Recent."""
    client = RawImap(server.imap_port)
    client.login()
    append(client, 3)
    client.command("SELECT INBOX")
    client.command("UNSELECT")
    yield client
    client.close()


def test_capability_names_condstore(raw: RawImap) -> None:
    (capability, _) = raw.command("CAPABILITY")
    assert b" CONDSTORE" in capability


def test_select_reports_highestmodseq_only_once_condstore_is_on(raw: RawImap) -> None:
    plain = raw.command("SELECT INBOX")
    assert not any(b"HIGHESTMODSEQ" in line for line in plain)
    lines = raw.command("SELECT INBOX (CONDSTORE)")
    assert b"* OK [HIGHESTMODSEQ 4] highest mod-sequence" in lines
    assert lines[-1].endswith(b"OK [READ-WRITE] SELECT completed")
    # Enabled for the rest of the session: a plain EXAMINE reports it too.
    lines = raw.command("EXAMINE INBOX")
    assert b"* OK [HIGHESTMODSEQ 4] highest mod-sequence" in lines


def test_examine_with_condstore_and_enable(server: ServerThread) -> None:
    with RawImap(server.imap_port) as raw:
        raw.login()
        lines = raw.command("EXAMINE INBOX (CONDSTORE)")
        assert b"* OK [HIGHESTMODSEQ 1] highest mod-sequence" in lines
    with RawImap(server.imap_port) as raw:
        raw.login()
        assert raw.command("ENABLE CONDSTORE")[0] == b"* ENABLED CONDSTORE"
        assert b"* OK [HIGHESTMODSEQ 1] highest mod-sequence" in raw.command("SELECT INBOX")


def test_status_highestmodseq_follows_appends_flags_and_expunges(raw: RawImap) -> None:
    assert raw.command("STATUS INBOX (HIGHESTMODSEQ MESSAGES)")[0] == b'* STATUS "INBOX" (HIGHESTMODSEQ 4 MESSAGES 3)'
    raw.command("SELECT INBOX")
    raw.command("STORE 1 +FLAGS.SILENT (\\Deleted)")
    assert raw.command("STATUS INBOX (HIGHESTMODSEQ)")[0] == b'* STATUS "INBOX" (HIGHESTMODSEQ 5)'
    raw.command("EXPUNGE")
    assert raw.command("STATUS INBOX (HIGHESTMODSEQ)")[0] == b'* STATUS "INBOX" (HIGHESTMODSEQ 6)'
    assert raw.command("CREATE Other")[-1].split()[1] == b"OK"
    assert raw.command("STATUS Other (HIGHESTMODSEQ)")[0] == b'* STATUS "Other" (HIGHESTMODSEQ 1)'
    raw.command("COPY 1:2 Other")  # the copies are new messages there, with new mod-sequences
    assert raw.command("STATUS Other (HIGHESTMODSEQ MESSAGES)")[0] == b'* STATUS "Other" (HIGHESTMODSEQ 3 MESSAGES 2)'
    raw.command("MOVE 1 Other")
    assert raw.command("STATUS Other (HIGHESTMODSEQ)")[0] == b'* STATUS "Other" (HIGHESTMODSEQ 4)'
    assert raw.command("STATUS INBOX (HIGHESTMODSEQ)")[0] == b'* STATUS "INBOX" (HIGHESTMODSEQ 7)'


def test_fetch_modseq_enables_condstore_with_a_highestmodseq(raw: RawImap) -> None:
    raw.command("SELECT INBOX")
    assert untagged(raw.command("FETCH 1:* (MODSEQ)")) == [
        b"* OK [HIGHESTMODSEQ 4] highest mod-sequence",
        b"* 1 FETCH (MODSEQ (2))",
        b"* 2 FETCH (MODSEQ (3))",
        b"* 3 FETCH (MODSEQ (4))",
    ]
    # Once enabled, HIGHESTMODSEQ is not repeated, and UID FETCH gives the UID first as usual.
    assert untagged(raw.command("UID FETCH 2 (FLAGS MODSEQ)")) == [b"* 2 FETCH (UID 2 FLAGS () MODSEQ (3))"]


def test_store_reports_uid_flags_and_modseq(raw: RawImap) -> None:
    raw.command("SELECT INBOX")
    assert untagged(raw.command("STORE 1 +FLAGS (\\Seen)")) == [b"* 1 FETCH (FLAGS (\\Seen))"]
    raw.command("SELECT INBOX (CONDSTORE)")
    assert untagged(raw.command("STORE 2 +FLAGS (\\Seen)")) == [b"* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (6))"]
    # Nothing changes, nothing gets a new mod-sequence, but the client still hears the state.
    assert untagged(raw.command("STORE 1:2 +FLAGS (\\Seen)")) == [
        b"* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (5))",
        b"* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ (6))",
    ]
    # .SILENT leaves out the flags the client set, not the new mod-sequence (RFC 7162 3.1.3).
    assert untagged(raw.command("UID STORE 1:3 +FLAGS.SILENT (\\Flagged)")) == [
        b"* 1 FETCH (UID 1 MODSEQ (7))",
        b"* 2 FETCH (UID 2 MODSEQ (8))",
        b"* 3 FETCH (UID 3 MODSEQ (9))",
    ]
    assert untagged(raw.command("STORE 1 -FLAGS.SILENT (\\Answered)")) == []


def test_fetch_that_sets_seen_reports_uid_and_modseq(raw: RawImap) -> None:
    raw.command("SELECT INBOX (CONDSTORE)")
    lines = untagged(raw.command("FETCH 2 (RFC822.TEXT)"))
    assert lines == [b"* 2 FETCH (RFC822.TEXT {8}\r\nbody 2\r\n UID 2 FLAGS (\\Seen) MODSEQ (5))"]


def test_changedsince_returns_only_changed_messages(raw: RawImap) -> None:
    raw.command("SELECT INBOX")
    raw.command("STORE 2 +FLAGS.SILENT (\\Flagged)")  # MODSEQ 5
    lines = raw.command("FETCH 1:* (FLAGS) (CHANGEDSINCE 4)")
    assert untagged(lines) == [
        b"* OK [HIGHESTMODSEQ 5] highest mod-sequence",
        b"* 2 FETCH (FLAGS (\\Flagged) MODSEQ (5))",
    ]
    assert untagged(raw.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 3)")) == [
        b"* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (5))",
        b"* 3 FETCH (UID 3 FLAGS () MODSEQ (4))",
    ]
    assert untagged(raw.command("FETCH 1:* FAST (CHANGEDSINCE 5)")) == []
    assert len(untagged(raw.command("FETCH 1:* UID (CHANGEDSINCE 0)"))) == 3
    assert untagged(raw.command("FETCH 1:* (UID) (CHANGEDSINCE 9223372036854775807)")) == []


def test_unchangedsince_conflicts_are_listed_in_modified(raw: RawImap) -> None:
    raw.command("SELECT INBOX (CONDSTORE)")
    raw.command("STORE 2 +FLAGS.SILENT (\\Flagged)")  # message 2 is now at MODSEQ 5
    lines = raw.command("STORE 1:3 (UNCHANGEDSINCE 4) +FLAGS (\\Seen)")
    assert lines[-1].split(b" ", 1)[1] == b"OK [MODIFIED 2] conditional STORE failed"
    assert untagged(lines) == [
        b"* 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (6))",
        b"* 3 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (7))",
    ]
    assert untagged(raw.command("FETCH 2 (FLAGS MODSEQ)")) == [b"* 2 FETCH (FLAGS (\\Flagged) MODSEQ (5))"]
    # All pass: a plain OK.
    lines = raw.command("STORE 2 (UNCHANGEDSINCE 5) -FLAGS.SILENT (\\Flagged)")
    assert lines == [b"* 2 FETCH (UID 2 MODSEQ (8))", lines[-1]]
    assert lines[-1].split(b" ", 1)[1] == b"OK STORE completed"
    # UNCHANGEDSINCE 0 always fails (RFC 7162 3.1.3): nothing changes.
    lines = raw.command("STORE 1:3 (UNCHANGEDSINCE 0) +FLAGS (\\Answered)")
    assert lines[-1].split(b" ", 1)[1] == b"OK [MODIFIED 1:3] conditional STORE failed"
    assert untagged(lines) == []


def test_uid_store_unchangedsince_lists_uids(raw: RawImap) -> None:
    raw.command("SELECT INBOX")
    raw.command("STORE 1 +FLAGS.SILENT (\\Deleted)")  # 5
    raw.command("EXPUNGE")  # 6; UIDs 2 and 3 are now messages 1 and 2
    raw.command("UID STORE 3 +FLAGS.SILENT (\\Flagged)")  # 7
    lines = raw.command("UID STORE 2:3 (UNCHANGEDSINCE 6) +FLAGS.SILENT ($Done)")
    assert lines[-1].split(b" ", 1)[1] == b"OK [MODIFIED 3] conditional STORE failed"
    assert untagged(lines) == [
        b"* OK [HIGHESTMODSEQ 7] highest mod-sequence",
        b"* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Done)",  # a keyword new to the mailbox
        b"* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $Done \\*)] flags that persist",
        b"* 1 FETCH (UID 2 MODSEQ (8))",
    ]
    lines = raw.command("STORE 1:2 (UNCHANGEDSINCE 7) FLAGS ($Done)")
    assert lines[-1].split(b" ", 1)[1] == b"OK [MODIFIED 1] conditional STORE failed"
    assert untagged(lines) == [b"* 2 FETCH (UID 3 FLAGS ($Done) MODSEQ (9))"]


def test_another_sessions_change_arrives_with_modseq(server: ServerThread, raw: RawImap) -> None:
    with RawImap(server.imap_port) as watcher, RawImap(server.imap_port) as plain:
        watcher.login()
        plain.login()
        assert b"* OK [HIGHESTMODSEQ 4] highest mod-sequence" in watcher.command("SELECT INBOX (CONDSTORE)")
        plain.command("SELECT INBOX")
        raw.command("SELECT INBOX")
        raw.command("STORE 2 +FLAGS.SILENT (\\Flagged)")
        assert untagged(watcher.command("NOOP")) == [b"* 2 FETCH (UID 2 FLAGS (\\Flagged) MODSEQ (5))"]
        assert untagged(plain.command("NOOP")) == [b"* 2 FETCH (UID 2 FLAGS (\\Flagged))"]
        raw.command("STORE 2 (UNCHANGEDSINCE 5) -FLAGS (\\Flagged)")
        assert untagged(watcher.command("NOOP")) == [b"* 2 FETCH (UID 2 FLAGS () MODSEQ (6))"]


def test_search_modseq(raw: RawImap) -> None:
    raw.command("SELECT INBOX")
    raw.command("STORE 2 +FLAGS.SILENT (\\Flagged)")  # 5
    assert untagged(raw.command("SEARCH MODSEQ 4")) == [
        b"* OK [HIGHESTMODSEQ 5] highest mod-sequence",
        b"* SEARCH 2 3 (MODSEQ 5)",
    ]
    assert untagged(raw.command("UID SEARCH MODSEQ 5")) == [b"* SEARCH 2 (MODSEQ 5)"]
    assert untagged(raw.command('SEARCH MODSEQ "/flags/\\\\Flagged" all 3 UNFLAGGED')) == [b"* SEARCH 3 (MODSEQ 4)"]
    assert untagged(raw.command("SEARCH OR MODSEQ 5 1 NOT MODSEQ 3")) == [b"* SEARCH 1 (MODSEQ 2)"]
    # Nothing found: no MODSEQ (RFC 7162 3.1.5); no MODSEQ key: no MODSEQ either.
    assert untagged(raw.command("SEARCH MODSEQ 6")) == [b"* SEARCH"]
    assert untagged(raw.command("SEARCH FLAGGED")) == [b"* SEARCH 2"]
    assert untagged(raw.command("SEARCH MODSEQ 0")) == [b"* SEARCH 1 2 3 (MODSEQ 5)"]


def test_esearch_modseq(raw: RawImap) -> None:
    raw.command("ENABLE IMAP4rev2")
    raw.command("SELECT INBOX (CONDSTORE)")
    raw.command("STORE 2 +FLAGS.SILENT (\\Flagged)")  # 5
    assert untagged(raw.command("SEARCH MODSEQ 2", tag="s1")) == [b'* ESEARCH (TAG "s1") ALL 1:3 MODSEQ 5']
    lines = raw.command("UID SEARCH RETURN (MIN COUNT) MODSEQ 3", tag="s2")
    assert untagged(lines) == [b'* ESEARCH (TAG "s2") UID MIN 2 COUNT 2 MODSEQ 5']
    # With only MIN (or MAX) the mod-sequence is that message's.
    assert untagged(raw.command("SEARCH RETURN (MAX) MODSEQ 2 UNFLAGGED", tag="s3")) == [
        b'* ESEARCH (TAG "s3") MAX 3 MODSEQ 4'
    ]
    assert untagged(raw.command("SEARCH RETURN (COUNT) MODSEQ 9", tag="s4")) == [b'* ESEARCH (TAG "s4") COUNT 0']


@pytest.mark.parametrize(
    "command",
    [
        "FETCH 1 (FLAGS) (CHANGEDSINCE)",
        "FETCH 1 (FLAGS) (CHANGEDSINCE -1)",
        "FETCH 1 (FLAGS) (CHANGEDSINCE 9223372036854775808)",
        "FETCH 1 (FLAGS) (CHANGEDSINCE 1",
        "FETCH 1 (FLAGS) (VANISHED)",
        "FETCH 1 (FLAGS) CHANGEDSINCE 1",
        "FETCH 1 (MODSEQ 1)",
        "STORE 1 (UNCHANGEDSINCE) +FLAGS (\\Seen)",
        "STORE 1 (UNCHANGEDSINCE 9223372036854775808) +FLAGS (\\Seen)",
        "STORE 1 (UNCHANGEDSINCE x) +FLAGS (\\Seen)",
        "STORE 1 (NOCHANGE 1) +FLAGS (\\Seen)",
        "STORE 1 (UNCHANGEDSINCE 5)+FLAGS (\\Seen)",
        "SEARCH MODSEQ",
        "SEARCH MODSEQ x",
        "SEARCH MODSEQ 9223372036854775808",
        'SEARCH MODSEQ "/flags/\\\\Seen" 4',
        'SEARCH MODSEQ "/flags/\\\\Seen" none 4',
        'SEARCH MODSEQ "/other/x" all 4',
        "SELECT INBOX (QRESYNC)",
        "SELECT INBOX (CONDSTORE",
        "SELECT INBOX CONDSTORE",
        "STATUS INBOX (HIGHESTMODSEQ NOPE)",
    ],
)
def test_bad_condstore_syntax_is_bad_and_changes_nothing(raw: RawImap, command: str) -> None:
    raw.command("SELECT INBOX")
    lines = raw.command(command)
    assert status_of(lines) == b"BAD", lines
    assert not any(b"HIGHESTMODSEQ" in line for line in lines)  # a BAD command enables nothing
    if command.startswith("SELECT"):
        raw.command("SELECT INBOX")  # a failed SELECT leaves no mailbox selected
    assert untagged(raw.command("FETCH 1:* (FLAGS MODSEQ)"))[1:] == [
        b"* 1 FETCH (FLAGS () MODSEQ (2))",
        b"* 2 FETCH (FLAGS () MODSEQ (3))",
        b"* 3 FETCH (FLAGS () MODSEQ (4))",
    ]


def test_imapclient_condstore(server: ServerThread, raw: RawImap) -> None:
    client = imapclient.IMAPClient(client_host(), port=server.imap_port, ssl=False, timeout=5)
    try:
        client.login("user", "pass")
        assert b"CONDSTORE" in client.capabilities()
        assert client.enable("CONDSTORE") == [b"CONDSTORE"]
        info = client.select_folder("INBOX", readonly=True)
        assert info[b"HIGHESTMODSEQ"] == 4
        raw.command("SELECT INBOX")
        raw.command("STORE 3 +FLAGS.SILENT (\\Answered)")  # 5
        client.noop()  # takes the unsolicited FETCH about it, so the next one stands alone
        assert client.fetch([1, 2, 3], ["FLAGS"], modifiers=["CHANGEDSINCE 4"]) == {
            3: {b"FLAGS": (b"\\Answered",), b"MODSEQ": (5,), b"SEQ": 3}
        }
        assert client.folder_status("INBOX", ["HIGHESTMODSEQ"]) == {b"HIGHESTMODSEQ": 5}
    finally:
        client.logout()


def test_mod_sequences_survive_a_restart(make_server: ServerFactory, tmp_path: Path) -> None:
    db = str(tmp_path / "mail.db")
    server = make_server(db=db)
    with RawImap(server.imap_port) as raw:
        raw.login()
        append(raw, 3)
        raw.command("SELECT INBOX")
        raw.command("STORE 1 +FLAGS.SILENT (\\Deleted)")  # 5
        raw.command("STORE 3 +FLAGS.SILENT (\\Seen)")  # 6
        raw.command("UID STORE 2 +FLAGS.SILENT (\\Flagged)")  # 7
        raw.command("UID STORE 2 -FLAGS.SILENT (\\Flagged)")  # 8
        raw.command("EXPUNGE")  # 9: HIGHESTMODSEQ is above every message's MODSEQ
        raw.command("LOGOUT")
    server.stop()

    server = make_server(db=db)
    with RawImap(server.imap_port) as raw:
        raw.login()
        raw.command("ENABLE IMAP4rev2")  # no \\Recent in FLAGS: the restarted server finds every message new
        assert raw.command("STATUS INBOX (HIGHESTMODSEQ)")[0] == b'* STATUS "INBOX" (HIGHESTMODSEQ 9)'
        raw.command("SELECT INBOX (CONDSTORE)")
        assert untagged(raw.command("UID FETCH 1:* (FLAGS MODSEQ)")) == [
            b"* 1 FETCH (UID 2 FLAGS () MODSEQ (8))",
            b"* 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (6))",
        ]
        # New changes continue above what was kept.
        assert untagged(raw.command("STORE 2 (UNCHANGEDSINCE 6) +FLAGS (\\Answered)")) == [
            b"* 2 FETCH (UID 3 FLAGS (\\Answered \\Seen) MODSEQ (10))"
        ]
