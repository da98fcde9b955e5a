"""RFC 9051 7: server responses between sessions: EXISTS, EXPUNGE and FETCH updates, and their timing."""

from __future__ import annotations

from tests.rfc9051 import corpus
from tests.rfc9051.client import ImapClient, quote
from tests.rfc9051.conftest import Connect


def two_sessions(session: Connect, mailbox: str, messages: int) -> tuple[ImapClient, ImapClient]:
    first, second = session(), session()
    for index in range(messages):
        first.append(mailbox, corpus.ALL[index])
    first.ok("SELECT", quote(mailbox))
    second.ok("SELECT", quote(mailbox))
    return first, second


def test_exists_after_other_session_appends_rfc9051_7_4_1(session: Connect, mailbox: str) -> None:
    """RFC 9051 7.4.1: a new message from another session is announced with EXISTS (at least on NOOP)."""
    first, second = two_sessions(session, mailbox, 1)
    second.append(mailbox, corpus.SIMPLE)
    assert first.ok("NOOP").numbered("EXISTS") == [2]


def test_expunge_from_other_session_on_noop_rfc9051_7_5_1(session: Connect, mailbox: str) -> None:
    """RFC 9051 7.5.1: an expunge by another session is reported with EXPUNGE on NOOP."""
    first, second = two_sessions(session, mailbox, 3)
    second.ok("STORE", "2", "+FLAGS.SILENT", "(\\Deleted)")
    second.ok("EXPUNGE")
    assert first.ok("NOOP").numbered("EXPUNGE") == [2]
    assert sorted(first.ok("FETCH", "1:*", "(UID)").fetches()) == [1, 2]


def test_flag_change_from_other_session_rfc9051_7_5_2(session: Connect, mailbox: str) -> None:
    """RFC 9051 7.5.2: a flag change by another session arrives as an unsolicited FETCH with FLAGS."""
    first, second = two_sessions(session, mailbox, 1)
    second.ok("STORE", "1", "+FLAGS.SILENT", "(\\Answered)")
    fetched = first.ok("NOOP").fetches()
    assert "\\ANSWERED" in {str(flag).upper() for flag in fetched[1]["FLAGS"]}  # type: ignore[attr-defined]


def test_no_expunge_during_fetch_rfc9051_7_5_1(session: Connect, mailbox: str) -> None:
    """RFC 9051 7.5.1: EXPUNGE is not sent while a FETCH (sequence numbers) is in progress."""
    first, second = two_sessions(session, mailbox, 3)
    second.ok("STORE", "1", "+FLAGS.SILENT", "(\\Deleted)")
    second.ok("EXPUNGE")
    result = first.ok("FETCH", "1:3", "(UID)")
    assert result.numbered("EXPUNGE") == []


def test_no_expunge_during_store_rfc9051_7_5_1(session: Connect, mailbox: str) -> None:
    """RFC 9051 7.5.1: EXPUNGE is not sent while a STORE is in progress."""
    first, second = two_sessions(session, mailbox, 3)
    second.ok("STORE", "1", "+FLAGS.SILENT", "(\\Deleted)")
    second.ok("EXPUNGE")
    result = first.command("STORE", "2", "+FLAGS", "(\\Seen)")
    assert result.numbered("EXPUNGE") == []


def test_no_expunge_during_search_rfc9051_7_5_1(session: Connect, mailbox: str) -> None:
    """RFC 9051 7.5.1: EXPUNGE is not sent while a SEARCH is in progress."""
    first, second = two_sessions(session, mailbox, 3)
    second.ok("STORE", "1", "+FLAGS.SILENT", "(\\Deleted)")
    second.ok("EXPUNGE")
    result = first.ok("SEARCH", "ALL")
    assert result.numbered("EXPUNGE") == []


def test_expunged_message_sequence_stable_until_reported_rfc9051_7_5_1(session: Connect, mailbox: str) -> None:
    """RFC 9051 7.5.1: until EXPUNGE is reported, sequence numbers of the session stay as they were."""
    first, second = two_sessions(session, mailbox, 3)
    uids = first.search("ALL", uid=True)
    second.ok("STORE", "1", "+FLAGS.SILENT", "(\\Deleted)")
    second.ok("EXPUNGE")
    fetched = first.ok("FETCH", "3", "(UID)").fetches()
    assert fetched[3]["UID"] == uids[2]


def test_uid_command_may_get_expunge_rfc9051_7_5_1(session: Connect, mailbox: str) -> None:
    """RFC 9051 7.5.1: UID commands may carry pending EXPUNGEs; afterwards numbering is consistent."""
    first, second = two_sessions(session, mailbox, 3)
    second.ok("STORE", "1", "+FLAGS.SILENT", "(\\Deleted)")
    second.ok("EXPUNGE")
    first.ok("UID", "FETCH", "1:*", "(FLAGS)")
    first.ok("NOOP")
    assert sorted(first.ok("FETCH", "1:*", "(UID)").fetches()) == [1, 2]


def test_each_expunge_reported_to_other_session_rfc9051_7_4_1(session: Connect, mailbox: str) -> None:
    """RFC 9051 7.4.1/7.5.1: every message expunged elsewhere gets its own EXPUNGE response."""
    first, second = two_sessions(session, mailbox, 2)
    second.ok("STORE", "1:2", "+FLAGS.SILENT", "(\\Deleted)")
    second.ok("EXPUNGE")
    result = first.ok("NOOP")
    assert len(result.numbered("EXPUNGE")) == 2


def test_tagged_status_words_rfc9051_7_1(imap: ImapClient) -> None:
    """RFC 9051 7.1: every tagged response is OK, NO or BAD."""
    for command in (("NOOP",), ("SELECT", '"\x01bad"'), ("XNOSUCH",)):
        assert imap.command(*command).status in {"OK", "NO", "BAD"}


def test_response_codes_are_bracketed_atoms_rfc9051_7_1(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 7.1: response codes in SELECT are atoms the RFC defines or extensions add."""
    result = imap.ok("SELECT", quote(mailbox))
    known = {"UIDVALIDITY", "UIDNEXT", "PERMANENTFLAGS", "READ-WRITE", "UNSEEN", "HIGHESTMODSEQ", "CLOSED"}
    known |= {"NOMODSEQ", "URLMECH", "CAPABILITY", "ANNOTATIONS", "MAILBOXID"}
    assert result.codes() <= known


def test_nonexistent_code_rfc9051_7_1(imap: ImapClient) -> None:
    """RFC 9051 7.1 (NONEXISTENT): SELECT of a missing mailbox answers NO with NONEXISTENT or no code."""
    result = imap.command("SELECT", quote("rfc9051-certainly-missing-mailbox"))
    assert result.status == "NO"
    assert result.tagged.code in {None, "NONEXISTENT"}


def test_bye_only_on_logout_rfc9051_7_1_5(imap: ImapClient) -> None:
    """RFC 9051 7.1.5: BYE is not sent during normal commands."""
    result = imap.ok("NOOP")
    assert all(response.status != "BYE" for response in result.untagged)


def test_continuation_for_synchronizing_literal_rfc9051_7_5(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 7.5/4.3: a synchronizing literal gets a "+" continuation before its data."""
    tag = imap.next_tag()
    imap.send(f'{tag} APPEND "{mailbox}" {{{len(corpus.SIMPLE)}}}\r\n'.encode())
    assert imap.read_response().tag == "+"
    imap.send(corpus.SIMPLE + b"\r\n")
    assert imap.complete(tag).status == "OK"
