"""QRESYNC (RFC 7162 3.2) on the wire: ENABLE QRESYNC, VANISHED, SELECT/EXAMINE (QRESYNC (...)) and
UID FETCH (CHANGEDSINCE n VANISHED).

As in test_imap_condstore.py every server starts with an empty INBOX at HIGHESTMODSEQ 1 and each APPEND,
flag change and expunge takes the next mod-sequence, so the numbers below follow from the commands sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from elektromail import ServerThread
from tests.conftest import ServerFactory
from tests.integration.imap_client import RawImap, status_of
from tests.integration.test_imap_condstore import append, untagged


def uid_validity(raw: RawImap, mailbox: str = "INBOX") -> int:
    (status, _) = raw.command(f"STATUS {mailbox} (UIDVALIDITY)")
    return int(status.rsplit(b" ", 1)[1].rstrip(b")"))


def resync_lines(lines: list[bytes]) -> list[bytes]:
    """The VANISHED and FETCH responses of a SELECT, in the order they came."""
    return [line for line in lines if line.startswith(b"* VANISHED") or b" FETCH (" in line]


@pytest.fixture
def raw(server: ServerThread) -> Iterator[RawImap]:
    """A logged-in QRESYNC session whose INBOX holds three messages with MODSEQ 2, 3, 4, selected.

    It speaks IMAP4rev2, so no \\Recent gets in the way."""
    client = RawImap(server.imap_port)
    client.login()
    append(client, 3)
    assert untagged(client.command("ENABLE QRESYNC IMAP4rev2")) == [b"* ENABLED QRESYNC IMAP4rev2"]
    client.command("SELECT INBOX")
    yield client
    client.close()


@pytest.fixture
def changed(raw: RawImap) -> RawImap:
    """Five messages (MODSEQ 2..6), then, after mod-sequence 6: UID 1 expunged at 8, UID 3 flagged at 9,
    UID 6 appended at 10, UID 5 expunged at 12. Left unselected."""
    append(raw, 2)  # UIDs 4 and 5, MODSEQ 5 and 6
    raw.command("NOOP")
    raw.command("STORE 1 +FLAGS.SILENT (\\Deleted)")  # 7
    raw.command("EXPUNGE")  # 8
    raw.command("UID STORE 3 +FLAGS.SILENT (\\Flagged)")  # 9
    append(raw, 1)  # UID 6, 10
    raw.command("UID STORE 5 +FLAGS.SILENT (\\Deleted)")  # 11
    raw.command("UID EXPUNGE 5")  # 12
    raw.command("UNSELECT")
    return raw


def test_capability_and_enable(server: ServerThread) -> None:
    with RawImap(server.imap_port) as raw:
        raw.login()
        assert b" QRESYNC" in raw.command("CAPABILITY")[0]
        # CONDSTORE comes with QRESYNC (RFC 7162 3.2.3), so it is not newly enabled here.
        assert untagged(raw.command("ENABLE QRESYNC CONDSTORE")) == [b"* ENABLED QRESYNC"]
        assert untagged(raw.command("ENABLE QRESYNC")) == [b"* ENABLED"]
        assert b"* OK [HIGHESTMODSEQ 1] highest mod-sequence" in raw.command("EXAMINE INBOX")


def test_own_expunges_are_vanished(raw: RawImap) -> None:
    append(raw, 3)  # UIDs 4..6
    raw.command("NOOP")
    raw.command("STORE 1,3,4 +FLAGS.SILENT (\\Deleted)")
    lines = raw.command("EXPUNGE")
    assert lines[:-1] == [b"* VANISHED 1,3:4"]
    assert status_of(lines) == b"OK"
    raw.command("UID STORE 5:6 +FLAGS.SILENT (\\Deleted)")
    assert untagged(raw.command("UID EXPUNGE 6")) == [b"* VANISHED 6"]
    assert raw.command("CREATE Other")[-1].split()[1] == b"OK"
    lines = raw.command("UID MOVE 2 Other")
    assert lines[1] == b"* VANISHED 2"
    assert lines[0].startswith(b"* OK [COPYUID ")
    # The sequence numbers moved on as with EXPUNGE: UID 5 is the only message left.
    assert untagged(raw.command("FETCH 1:* (UID)")) == [b"* 1 FETCH (UID 5)"]


def test_other_sessions_expunges_are_vanished_after_noop_and_in_idle(server: ServerThread, raw: RawImap) -> None:
    with RawImap(server.imap_port) as watcher, RawImap(server.imap_port) as plain:
        watcher.login()
        plain.login()
        watcher.command("ENABLE QRESYNC")
        watcher.command("SELECT INBOX")
        plain.command("SELECT INBOX")
        raw.command("STORE 1:2 +FLAGS.SILENT (\\Deleted)")
        raw.command("UID EXPUNGE 2")
        # Expunges first, then the flag change of the message left (MODSEQ 5).
        assert untagged(watcher.command("NOOP")) == [b"* VANISHED 2", b"* 1 FETCH (UID 1 FLAGS (\\Deleted) MODSEQ (5))"]
        assert untagged(plain.command("NOOP")) == [b"* 2 EXPUNGE", b"* 1 FETCH (UID 1 FLAGS (\\Deleted))"]
        watcher.send(b"i1 IDLE\r\n")
        assert watcher.read_line().startswith(b"+ ")
        raw.command("EXPUNGE")
        assert watcher.read_line() == b"* VANISHED 1"
        watcher.send(b"DONE\r\n")
        assert watcher.read_line() == b"i1 OK IDLE completed"
        assert untagged(watcher.command("UID FETCH 1:* (FLAGS)")) == [b"* 1 FETCH (UID 3 FLAGS ())"]


def test_close_and_unselect_send_no_vanished(server: ServerThread, raw: RawImap) -> None:
    raw.command("STORE 1 +FLAGS.SILENT (\\Deleted)")
    assert raw.command("CLOSE")[:-1] == []
    with RawImap(server.imap_port) as other:
        other.login()
        other.command("SELECT INBOX")
        raw.command("SELECT INBOX")
        other.command("STORE 1 +FLAGS.SILENT (\\Deleted)")
        other.command("EXPUNGE")
        assert raw.command("UNSELECT")[:-1] == []
    assert status_of(raw.command("NOOP")) == b"OK"  # nothing was left pending either
    lines = raw.command("SELECT INBOX")
    assert b"* 1 EXISTS" in lines


def test_select_qresync_reports_vanished_and_changed(changed: RawImap) -> None:
    raw = changed
    validity = uid_validity(raw)
    lines = raw.command(f"SELECT INBOX (QRESYNC ({validity} 6))")
    assert b"* OK [HIGHESTMODSEQ 12] highest mod-sequence" in lines
    assert lines[-1].endswith(b"OK [READ-WRITE] SELECT completed")
    assert resync_lines(lines) == [
        b"* VANISHED (EARLIER) 1,5",
        b"* 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (9))",
        b"* 4 FETCH (UID 6 FLAGS () MODSEQ (10))",
    ]
    assert lines.index(b"* VANISHED (EARLIER) 1,5") < len(lines) - 1
    # A SELECT that replaces a selection says so first (RFC 7162 3.2.11, RFC 9051 7.1).
    lines = raw.command(f"EXAMINE INBOX (QRESYNC ({validity} 8))")
    assert lines[0] == b"* OK [CLOSED] previous mailbox closed"
    assert resync_lines(lines) == [
        b"* VANISHED (EARLIER) 5",
        b"* 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (9))",
        b"* 4 FETCH (UID 6 FLAGS () MODSEQ (10))",
    ]
    # Known UIDs narrow both lists; seq-match-data is accepted.
    assert resync_lines(raw.command(f"SELECT INBOX (QRESYNC ({validity} 6 1:4))")) == [
        b"* VANISHED (EARLIER) 1",
        b"* 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (9))",
    ]
    assert resync_lines(raw.command(f"SELECT INBOX (CONDSTORE QRESYNC ({validity} 9 1:* (1:3 2:4)))")) == [
        b"* VANISHED (EARLIER) 5",
        b"* 4 FETCH (UID 6 FLAGS () MODSEQ (10))",
    ]
    assert resync_lines(raw.command(f"SELECT INBOX (QRESYNC ({validity} 12))")) == []
    # Another UIDVALIDITY: the client's cache is void and it gets no resynchronisation data.
    lines = raw.command(f"SELECT INBOX (QRESYNC ({validity + 100} 1))")
    assert resync_lines(lines) == []
    assert b"* 4 EXISTS" in lines


def test_uid_fetch_changedsince_vanished(changed: RawImap) -> None:
    raw = changed
    raw.command("SELECT INBOX")
    assert untagged(raw.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 6 VANISHED)")) == [
        b"* VANISHED (EARLIER) 1,5",
        b"* 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (9))",
        b"* 4 FETCH (UID 6 FLAGS () MODSEQ (10))",
    ]
    assert untagged(raw.command("UID FETCH 1:3 (FLAGS) (VANISHED CHANGEDSINCE 6)")) == [
        b"* VANISHED (EARLIER) 1",
        b"* 2 FETCH (UID 3 FLAGS (\\Flagged) MODSEQ (9))",
    ]
    assert untagged(raw.command("UID FETCH 2:4 (UID) (CHANGEDSINCE 9 VANISHED)")) == []
    # Without VANISHED only the changes, as with CONDSTORE.
    assert untagged(raw.command("UID FETCH 1:* (UID) (CHANGEDSINCE 9)")) == [b"* 4 FETCH (UID 6 MODSEQ (10))"]


@pytest.mark.parametrize(
    "command",
    [
        "FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)",
        "UID FETCH 1:* (FLAGS) (VANISHED)",
        "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED VANISHED)",
        "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 CHANGEDSINCE 2)",
        "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED",
        "UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED 1)",
        "SELECT INBOX (QRESYNC)",
        "SELECT INBOX (QRESYNC ())",
        "SELECT INBOX (QRESYNC (0 1))",
        "SELECT INBOX (QRESYNC (1))",
        "SELECT INBOX (QRESYNC (1 x))",
        "SELECT INBOX (QRESYNC (1 1 $))",
        "SELECT INBOX (QRESYNC (1 1 1:* (1:2)))",
        "SELECT INBOX (QRESYNC (1 1 1:* (1:2 1:2))",
        "SELECT INBOX (QRESYNC (1 1) QRESYNC (1 1))",
        "EXAMINE INBOX (QRESYNC (1 9223372036854775808))",
    ],
)
def test_bad_qresync_syntax_is_bad_and_loses_nothing(raw: RawImap, command: str) -> None:
    raw.command("STORE 2 +FLAGS.SILENT (\\Deleted)")
    lines = raw.command(command)
    assert status_of(lines) == b"BAD", lines
    assert not any(line.startswith(b"* VANISHED") for line in lines)
    # Still selected, read-write, nothing expunged.
    assert untagged(raw.command("UID FETCH 1:* (FLAGS)")) == [
        b"* 1 FETCH (UID 1 FLAGS ())",
        b"* 2 FETCH (UID 2 FLAGS (\\Deleted))",
        b"* 3 FETCH (UID 3 FLAGS ())",
    ]
    assert untagged(raw.command("EXPUNGE")) == [b"* VANISHED 2"]


def test_qresync_needs_enable_first(server: ServerThread) -> None:
    with RawImap(server.imap_port) as raw:
        raw.login()
        append(raw, 2)
        raw.command("SELECT INBOX (CONDSTORE)")
        validity = uid_validity(raw)
        lines = raw.command(f"SELECT INBOX (QRESYNC ({validity} 1))")
        assert status_of(lines) == b"BAD"
        assert lines[:-1] == []  # the BAD changed nothing: the selection stays
        assert status_of(raw.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)")) == b"BAD"
        raw.command("STORE 1 +FLAGS.SILENT (\\Deleted)")
        assert untagged(raw.command("EXPUNGE")) == [b"* 1 EXPUNGE"]  # CONDSTORE alone keeps EXPUNGE


def test_expunged_uids_survive_a_restart(make_server: ServerFactory, tmp_path: Path) -> None:
    db = str(tmp_path / "mail.db")
    server = make_server(db=db)
    with RawImap(server.imap_port) as raw:
        raw.login()
        append(raw, 4)  # MODSEQ 2..5
        raw.command("SELECT INBOX")
        raw.command("STORE 2 +FLAGS.SILENT (\\Deleted)")  # 6
        raw.command("EXPUNGE")  # 7
        raw.command("STORE 3 +FLAGS.SILENT (\\Deleted)")  # 8 (UID 4)
        raw.command("EXPUNGE")  # 9
        raw.command("LOGOUT")
    server.stop()

    server = make_server(db=db)
    with RawImap(server.imap_port) as raw:
        raw.login()
        raw.command("ENABLE QRESYNC")
        validity = uid_validity(raw)
        assert resync_lines(raw.command(f"SELECT INBOX (QRESYNC ({validity} 5))")) == [b"* VANISHED (EARLIER) 2,4"]
        assert resync_lines(raw.command(f"SELECT INBOX (QRESYNC ({validity} 7))")) == [b"* VANISHED (EARLIER) 4"]
        # Expunges after the restart join those from before it.
        raw.command("STORE 1 +FLAGS.SILENT (\\Deleted)")  # 10
        assert untagged(raw.command("EXPUNGE")) == [b"* VANISHED 1"]  # 11
        assert untagged(raw.command("UID FETCH 1:* (UID) (CHANGEDSINCE 5 VANISHED)")) == [b"* VANISHED (EARLIER) 1:2,4"]
