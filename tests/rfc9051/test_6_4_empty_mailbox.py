"""RFC 9051 6.4 and 9 (seq-number): message commands in a selected mailbox that holds no message.

Sequence numbers name existing messages: RFC 9051 9 says a number beyond the message count gets a tagged
BAD, which "includes * if the selected mailbox is empty" (Dovecot answers the same). UIDs are different:
6.4.9 ignores UIDs that do not exist, so the UID forms complete with OK and touch nothing. SEARCH keys are
criteria, not references, so a sequence-set key simply matches nothing.
"""

from __future__ import annotations

import pytest

from tests.rfc9051 import corpus
from tests.rfc9051.client import ImapClient, quote, search_numbers


def select_empty(imap: ImapClient, mailbox: str) -> None:
    result = imap.ok("SELECT", quote(mailbox))
    assert result.numbered("EXISTS") == [0]


@pytest.mark.parametrize("sequence", ["1:*", "*", "1", "*:1"])
def test_fetch_sequence_numbers_in_empty_mailbox_is_bad_rfc9051_9(
    imap: ImapClient, mailbox: str, sequence: str
) -> None:
    """RFC 9051 9 (seq-number): FETCH of any sequence number, "*" included, in an empty mailbox is BAD."""
    select_empty(imap, mailbox)
    result = imap.command("FETCH", sequence, "(FLAGS)")
    assert result.status == "BAD"
    assert not result.of_kind("FETCH")


@pytest.mark.parametrize("sequence", ["1:*", "*", "1", "4294967295"])
def test_uid_fetch_in_empty_mailbox_is_ok_and_empty_rfc9051_6_4_9(
    imap: ImapClient, mailbox: str, sequence: str
) -> None:
    """RFC 9051 6.4.9: UIDs that do not exist are ignored: UID FETCH completes with OK and no FETCH."""
    select_empty(imap, mailbox)
    result = imap.ok("UID", "FETCH", sequence, "(FLAGS)")
    assert not result.of_kind("FETCH")


def test_store_and_copy_in_empty_mailbox_rfc9051_6_4_6(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 9 / 6.4.9: STORE and COPY by sequence number are BAD, their UID forms OK and without effect."""
    select_empty(imap, mailbox)
    assert imap.command("STORE", "1:*", "+FLAGS", "(\\Seen)").status == "BAD"
    assert imap.command("COPY", "1:*", "INBOX").status == "BAD"
    stored = imap.ok("UID", "STORE", "1:*", "+FLAGS", "(\\Seen)")
    assert not stored.of_kind("FETCH")
    copied = imap.ok("UID", "COPY", "1:*", "INBOX")
    assert "COPYUID" not in copied.codes()  # nothing was copied, so there is nothing to report


def test_search_in_empty_mailbox_matches_nothing_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.4: a sequence-set search key in an empty mailbox is no error; it matches nothing."""
    select_empty(imap, mailbox)
    assert search_numbers(imap.ok("SEARCH", "1:*")) == []
    assert search_numbers(imap.ok("UID", "SEARCH", "UID", "1:*")) == []


def test_session_usable_after_bad_fetch_rfc9051_9(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 9: the BAD for a FETCH in an empty mailbox ends only that command; once a message arrives,
    the same FETCH returns it."""
    select_empty(imap, mailbox)
    assert imap.command("FETCH", "1:*", "(UID)").status == "BAD"
    imap.append(mailbox, corpus.SIMPLE)
    imap.ok("NOOP")  # the session learns of the new message (EXISTS)
    assert list(imap.ok("FETCH", "1:*", "(UID)").fetches()) == [1]
