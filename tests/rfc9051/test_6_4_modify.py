"""RFC 9051 6.4: CLOSE, UNSELECT, EXPUNGE, STORE, COPY, MOVE, UID forms and UID EXPUNGE."""

from __future__ import annotations

from tests.rfc9051 import corpus
from tests.rfc9051.capabilities import require
from tests.rfc9051.client import ImapClient, quote
from tests.rfc9051.conftest import NewName


def fill(imap: ImapClient, mailbox: str, count: int, flags: str = "") -> None:
    for index in range(count):
        imap.append(mailbox, corpus.ALL[index % len(corpus.ALL)], flags=flags)
    imap.ok("SELECT", quote(mailbox))


def flags(imap: ImapClient, sequence: int) -> set[str]:
    value = imap.ok("FETCH", str(sequence), "(FLAGS)").fetches()[sequence]["FLAGS"]
    assert isinstance(value, list)
    return {str(flag).upper() for flag in value}


def count(imap: ImapClient, mailbox: str) -> int:
    response = imap.ok("STATUS", quote(mailbox), "(MESSAGES)").one("STATUS")
    pairs = response.data[1]
    assert isinstance(pairs, list)
    value = pairs[1]
    assert isinstance(value, int)
    return value


# ---------------------------------------------------------------- 6.4.1 CLOSE, 6.4.2 UNSELECT


def test_close_expunges_silently_rfc9051_6_4_1(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.1: CLOSE removes \\Deleted messages without sending EXPUNGE responses."""
    fill(imap, mailbox, 2)
    imap.ok("STORE", "1", "+FLAGS.SILENT", "(\\Deleted)")
    result = imap.ok("CLOSE")
    assert not result.of_kind("EXPUNGE")
    assert count(imap, mailbox) == 1


def test_close_returns_to_authenticated_rfc9051_6_4_1(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.1: after CLOSE no mailbox is selected."""
    fill(imap, mailbox, 1)
    imap.ok("CLOSE")
    assert imap.command("FETCH", "1", "(FLAGS)").status == "BAD"


def test_close_of_examined_does_not_expunge_rfc9051_6_4_1(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.1: CLOSE of a read-only (EXAMINEd) mailbox removes nothing."""
    imap.append(mailbox, corpus.SIMPLE, flags="\\Deleted")
    imap.ok("EXAMINE", quote(mailbox))
    imap.ok("CLOSE")
    assert count(imap, mailbox) == 1


def test_unselect_does_not_expunge_rfc9051_6_4_2(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.2: UNSELECT leaves the selected state without expunging."""
    require(imap, "UNSELECT")
    fill(imap, mailbox, 1, flags="\\Deleted")
    imap.ok("UNSELECT")
    assert count(imap, mailbox) == 1
    assert imap.command("FETCH", "1", "(FLAGS)").status == "BAD"


def test_unselect_without_selection_is_bad_rfc9051_6_4_2(imap: ImapClient) -> None:
    """RFC 9051 6.4.2: UNSELECT is only valid in the selected state."""
    require(imap, "UNSELECT")
    assert imap.command("UNSELECT").status in {"BAD", "NO"}


def test_close_without_selection_is_bad_rfc9051_6_4_1(imap: ImapClient) -> None:
    """RFC 9051 6.4.1: CLOSE is only valid in the selected state."""
    assert imap.command("CLOSE").status in {"BAD", "NO"}


# ---------------------------------------------------------------- 6.4.3 EXPUNGE


def test_expunge_reports_each_removal_rfc9051_6_4_3(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.3: EXPUNGE sends an untagged EXPUNGE for each removed message (numbers shift down)."""
    fill(imap, mailbox, 4)
    imap.ok("STORE", "2,4", "+FLAGS.SILENT", "(\\Deleted)")
    result = imap.ok("EXPUNGE")
    assert result.numbered("EXPUNGE") in ([4, 2], [2, 3])


def test_expunge_keeps_undeleted_rfc9051_6_4_3(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.3: messages without \\Deleted stay."""
    fill(imap, mailbox, 3)
    imap.ok("STORE", "1", "+FLAGS.SILENT", "(\\Deleted)")
    imap.ok("EXPUNGE")
    assert count(imap, mailbox) == 2


def test_expunge_nothing_deleted_rfc9051_6_4_3(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.3: with nothing \\Deleted, EXPUNGE succeeds and reports nothing."""
    fill(imap, mailbox, 2)
    assert imap.ok("EXPUNGE").numbered("EXPUNGE") == []


def test_expunge_in_examined_is_rejected_rfc9051_6_4_3(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.3/6.4.3: a read-only mailbox is not expunged (NO, or OK that removes nothing)."""
    imap.append(mailbox, corpus.SIMPLE, flags="\\Deleted")
    imap.ok("EXAMINE", quote(mailbox))
    result = imap.command("EXPUNGE")
    assert result.status in {"NO", "OK"}
    assert not result.numbered("EXPUNGE")
    assert count(imap, mailbox) == 1


def test_uid_expunge_only_given_uids_rfc9051_6_4_9(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.9 (UID EXPUNGE): only \\Deleted messages in the UID set are removed."""
    require(imap, "UIDPLUS")
    fill(imap, mailbox, 3, flags="\\Deleted")
    uids = imap.search("ALL", uid=True)
    result = imap.ok("UID", "EXPUNGE", str(uids[1]))
    assert result.numbered("EXPUNGE") == [2]
    assert imap.search("ALL", uid=True) == [uids[0], uids[2]]


def test_uids_not_reused_after_expunge_rfc9051_2_3_1_1(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 2.3.1.1: a new message never gets the UID of an expunged one."""
    fill(imap, mailbox, 1)
    old = imap.search("ALL", uid=True)
    imap.ok("STORE", "1", "+FLAGS.SILENT", "(\\Deleted)")
    imap.ok("EXPUNGE")
    imap.append(mailbox, corpus.SIMPLE)
    imap.ok("NOOP")
    assert imap.search("ALL", uid=True)[0] > old[0]


# ---------------------------------------------------------------- 6.4.6 STORE


def test_store_add_flags_rfc9051_6_4_6(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.6: +FLAGS adds and answers with the new FLAGS."""
    fill(imap, mailbox, 1, flags="\\Seen")
    items = imap.ok("STORE", "1", "+FLAGS", "(\\Flagged)").fetches()[1]
    assert {"\\SEEN", "\\FLAGGED"} <= {str(flag).upper() for flag in items["FLAGS"]}  # type: ignore[attr-defined]


def test_store_remove_flags_rfc9051_6_4_6(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.6: -FLAGS removes only the named flags."""
    fill(imap, mailbox, 1, flags="\\Seen \\Flagged")
    imap.ok("STORE", "1", "-FLAGS", "(\\Flagged)")
    assert flags(imap, 1) & {"\\SEEN", "\\FLAGGED"} == {"\\SEEN"}


def test_store_replace_flags_rfc9051_6_4_6(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.6: FLAGS replaces the whole set."""
    fill(imap, mailbox, 1, flags="\\Seen \\Flagged")
    imap.ok("STORE", "1", "FLAGS", "(\\Answered)")
    assert flags(imap, 1) & {"\\SEEN", "\\FLAGGED", "\\ANSWERED"} == {"\\ANSWERED"}


def test_store_silent_sends_no_fetch_rfc9051_6_4_6(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.6: .SILENT suppresses the FETCH response to the storing session."""
    fill(imap, mailbox, 1)
    assert imap.ok("STORE", "1", "+FLAGS.SILENT", "(\\Flagged)").of_kind("FETCH") == []
    assert "\\FLAGGED" in flags(imap, 1)


def test_store_keyword_rfc9051_6_4_6(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.6/2.3.2: keywords are stored like system flags."""
    fill(imap, mailbox, 1)
    imap.ok("STORE", "1", "+FLAGS", "($Label1 customword)")
    assert {"$LABEL1", "CUSTOMWORD"} <= flags(imap, 1)


def test_store_range_rfc9051_6_4_6(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.6: STORE applies to every message in the set."""
    fill(imap, mailbox, 3)
    imap.ok("STORE", "1:*", "+FLAGS.SILENT", "(\\Seen)")
    assert imap.search("UNSEEN") == []


def test_uid_store_rfc9051_6_4_9(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.9: UID STORE addresses by UID and its FETCH includes UID."""
    fill(imap, mailbox, 2)
    uids = imap.search("ALL", uid=True)
    items = imap.ok("UID", "STORE", str(uids[1]), "+FLAGS", "(\\Flagged)").fetches()
    assert list(items) == [2]
    assert items[2]["UID"] == uids[1]


def test_store_bad_syntax_is_bad_rfc9051_6_4_6(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.6: an unknown data item name is BAD."""
    fill(imap, mailbox, 1)
    assert imap.command("STORE", "1", "XFLAGS", "(\\Seen)").status == "BAD"


# ---------------------------------------------------------------- 6.4.7 COPY, 6.4.8 MOVE


def test_copy_adds_to_target_rfc9051_6_4_7(imap: ImapClient, mailbox: str, new_name: NewName) -> None:
    """RFC 9051 6.4.7: COPY appends the messages to the target and leaves the source as is."""
    other = new_name("-target")
    imap.ok("CREATE", quote(other))
    fill(imap, mailbox, 2)
    imap.ok("COPY", "1:2", quote(other))
    assert count(imap, other) == 2
    assert count(imap, mailbox) == 2


def test_copy_keeps_flags_and_internaldate_rfc9051_6_4_7(imap: ImapClient, mailbox: str, new_name: NewName) -> None:
    """RFC 9051 6.4.7: flags and internal date are preserved in the copy."""
    other = new_name("-target")
    imap.ok("CREATE", quote(other))
    imap.append(mailbox, corpus.SIMPLE, flags="\\Flagged", date="15-Mar-2021 12:00:00 +0000")
    imap.ok("SELECT", quote(mailbox))
    imap.ok("COPY", "1", quote(other))
    imap.ok("SELECT", quote(other))
    items = imap.ok("FETCH", "1", "(FLAGS INTERNALDATE BODY.PEEK[])").fetches()[1]
    assert "\\FLAGGED" in {str(flag).upper() for flag in items["FLAGS"]}  # type: ignore[attr-defined]
    assert items["INTERNALDATE"] == b"15-Mar-2021 12:00:00 +0000"
    assert items["BODY[]"] == corpus.SIMPLE


def test_copy_copyuid_rfc9051_6_4_7(imap: ImapClient, mailbox: str, new_name: NewName) -> None:
    """RFC 9051 6.4.7/7.1 (UIDPLUS): COPY answers OK [COPYUID uidvalidity source-uids target-uids]."""
    require(imap, "UIDPLUS")
    other = new_name("-target")
    imap.ok("CREATE", quote(other))
    fill(imap, mailbox, 2)
    response = imap.ok("COPY", "1:2", quote(other)).code_response("COPYUID")
    assert response is not None
    assert len(response.code_args) == 3


def test_copy_missing_target_trycreate_rfc9051_6_4_7(imap: ImapClient, mailbox: str, new_name: NewName) -> None:
    """RFC 9051 6.4.7: copying to a missing mailbox is NO [TRYCREATE]."""
    fill(imap, mailbox, 1)
    result = imap.command("COPY", "1", quote(new_name("-missing")))
    assert result.status == "NO"
    assert result.tagged.code == "TRYCREATE"


def test_uid_copy_rfc9051_6_4_9(imap: ImapClient, mailbox: str, new_name: NewName) -> None:
    """RFC 9051 6.4.9: UID COPY addresses by UID."""
    other = new_name("-target")
    imap.ok("CREATE", quote(other))
    fill(imap, mailbox, 3)
    uids = imap.search("ALL", uid=True)
    imap.ok("UID", "COPY", str(uids[2]), quote(other))
    imap.ok("SELECT", quote(other))
    assert imap.ok("FETCH", "1", "(BODY.PEEK[])").fetches()[1]["BODY[]"] == corpus.ALL[2]


def test_move_removes_from_source_rfc9051_6_4_8(imap: ImapClient, mailbox: str, new_name: NewName) -> None:
    """RFC 9051 6.4.8: MOVE puts the messages in the target and expunges them from the source."""
    require(imap, "MOVE")
    other = new_name("-target")
    imap.ok("CREATE", quote(other))
    fill(imap, mailbox, 3)
    result = imap.ok("MOVE", "1,3", quote(other))
    assert len(result.numbered("EXPUNGE")) == 2
    assert count(imap, other) == 2
    assert count(imap, mailbox) == 1


def test_move_copyuid_before_expunge_rfc9051_6_4_8(imap: ImapClient, mailbox: str, new_name: NewName) -> None:
    """RFC 9051 6.4.8: MOVE sends COPYUID in an untagged OK before the EXPUNGEs (or in the tagged OK)."""
    require(imap, "MOVE")
    other = new_name("-target")
    imap.ok("CREATE", quote(other))
    fill(imap, mailbox, 1)
    result = imap.ok("MOVE", "1", quote(other))
    assert result.code_response("COPYUID") is not None


def test_uid_move_rfc9051_6_4_9(imap: ImapClient, mailbox: str, new_name: NewName) -> None:
    """RFC 9051 6.4.9: UID MOVE addresses by UID."""
    require(imap, "MOVE")
    other = new_name("-target")
    imap.ok("CREATE", quote(other))
    fill(imap, mailbox, 2)
    uids = imap.search("ALL", uid=True)
    imap.ok("UID", "MOVE", str(uids[0]), quote(other))
    assert imap.search("ALL", uid=True) == [uids[1]]


def test_move_missing_target_trycreate_rfc9051_6_4_8(imap: ImapClient, mailbox: str, new_name: NewName) -> None:
    """RFC 9051 6.4.8: moving to a missing mailbox is NO [TRYCREATE], and nothing is removed."""
    require(imap, "MOVE")
    fill(imap, mailbox, 1)
    result = imap.command("MOVE", "1", quote(new_name("-missing")))
    assert result.status == "NO"
    assert result.tagged.code == "TRYCREATE"
    assert count(imap, mailbox) == 1


def test_uid_command_unknown_subcommand_is_bad_rfc9051_6_4_9(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.9: UID takes only COPY, MOVE, FETCH, SEARCH, STORE, EXPUNGE."""
    fill(imap, mailbox, 1)
    assert imap.command("UID", "NOOP").status == "BAD"


def test_uid_range_of_missing_uids_is_ok_rfc9051_6_4_9(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.4.9: a UID set with no existing UIDs is not an error (STORE changes nothing)."""
    fill(imap, mailbox, 1)
    imap.ok("UID", "STORE", "4000000000", "+FLAGS", "(\\Flagged)")
    assert "\\FLAGGED" not in flags(imap, 1)
