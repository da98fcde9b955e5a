"""RFC 9051 6.4.4.1 and 7.1 / RFC 5182 (SEARCHRES): SEARCH RETURN (SAVE) and the "$" sequence set.

Each test works in its own mailbox of five messages; message n carries the keyword ``$Tag<n>`` so a test
can tell exactly which messages a command touched.
"""

from __future__ import annotations

from tests.rfc9051 import corpus
from tests.rfc9051.capabilities import require
from tests.rfc9051.client import ImapClient, quote
from tests.rfc9051.conftest import NewName

COUNT = 5


def fill(imap: ImapClient, mailbox: str) -> list[int]:
    """Five tagged messages, the mailbox SELECTed; returns their UIDs."""
    require(imap, "SEARCHRES")
    for number in range(1, COUNT + 1):
        imap.append(mailbox, corpus.ALL[number % len(corpus.ALL)], flags=f"$Tag{number}")
    imap.ok("SELECT", quote(mailbox))
    fetched = imap.ok("FETCH", "1:*", "(UID)").fetches()
    return [int(str(fetched[seq]["UID"])) for seq in sorted(fetched)]


def save(imap: ImapClient, criteria: str, options: str = "SAVE", uid: bool = False) -> None:
    imap.ok(*(["UID"] if uid else []), "SEARCH", f"RETURN ({options})", criteria)


def fetched_sequences(imap: ImapClient, *command: str) -> list[int]:
    return sorted(imap.ok(*command).fetches())


def keyword_holders(imap: ImapClient, keyword: str) -> list[int]:
    return imap.search(f"KEYWORD {keyword}")


def test_fetch_saved_result_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: FETCH $ fetches exactly the messages the last SAVE kept."""
    fill(imap, mailbox)
    save(imap, "OR KEYWORD $Tag2 KEYWORD $Tag4")
    assert fetched_sequences(imap, "FETCH", "$", "(FLAGS)") == [2, 4]


def test_uid_fetch_saved_result_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: "$" means the same messages in UID FETCH, whether SEARCH or UID SEARCH saved them."""
    uids = fill(imap, mailbox)
    save(imap, "UID " + str(uids[2]), uid=True)
    result = imap.ok("UID", "FETCH", "$", "(FLAGS)").fetches()
    assert [int(str(items["UID"])) for items in result.values()] == [uids[2]]


def test_save_alone_sends_no_esearch_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: RETURN (SAVE) on its own returns no search result, only keeps it."""
    fill(imap, mailbox)
    result = imap.ok("SEARCH", "RETURN (SAVE)", "ALL")
    assert not result.of_kind("ESEARCH")
    assert not result.of_kind("SEARCH")


def test_save_with_min_keeps_only_the_minimum_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: SAVE combined with MIN (and neither ALL nor COUNT) keeps only the lowest match."""
    fill(imap, mailbox)
    result = imap.ok("SEARCH", "RETURN (SAVE MIN)", "2:4")
    assert result.of_kind("ESEARCH")
    assert fetched_sequences(imap, "FETCH", "$", "(UID)") == [2]


def test_store_saved_result_rfc9051_6_4_6(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1 / RFC 9051 6.4.6: STORE $ changes the flags of the saved messages only."""
    fill(imap, mailbox)
    save(imap, "3:4")
    imap.ok("STORE", "$", "+FLAGS.SILENT", "(\\Flagged)")
    assert imap.search("FLAGGED") == [3, 4]


def test_uid_store_saved_result_rfc9051_6_4_6(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: UID STORE $ answers FETCH responses for the saved messages only."""
    uids = fill(imap, mailbox)
    save(imap, "KEYWORD $Tag1")
    result = imap.ok("UID", "STORE", "$", "+FLAGS", "(\\Seen)")
    assert [int(str(items["UID"])) for items in result.fetches().values()] == [uids[0]]
    assert imap.search("SEEN") == [1]


def test_uid_copy_saved_result_rfc9051_6_4_7(imap: ImapClient, mailbox: str, new_name: NewName) -> None:
    """RFC 5182 2.1 / RFC 9051 6.4.7: UID COPY $ copies exactly the saved messages."""
    fill(imap, mailbox)
    target = new_name("-copy")
    imap.ok("CREATE", quote(target))
    save(imap, "OR KEYWORD $Tag1 KEYWORD $Tag5", uid=True)
    imap.ok("UID", "COPY", "$", quote(target))
    imap.ok("SELECT", quote(target))
    assert keyword_holders(imap, "$Tag1") == [1]
    assert keyword_holders(imap, "$Tag5") == [2]
    assert imap.search("ALL") == [1, 2]


def test_move_saved_result_rfc9051_6_4_8(imap: ImapClient, mailbox: str, new_name: NewName) -> None:
    """RFC 5182 2.1 / RFC 9051 6.4.8: MOVE $ moves the saved messages and only them."""
    fill(imap, mailbox)
    target = new_name("-move")
    imap.ok("CREATE", quote(target))
    save(imap, "KEYWORD $Tag3")
    imap.ok("MOVE", "$", quote(target))
    assert keyword_holders(imap, "$Tag3") == []
    assert imap.search("ALL") == [1, 2, 3, 4]


def test_search_within_saved_result_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: "$" is a search key (as a sequence set and after UID) naming the saved messages."""
    fill(imap, mailbox)
    save(imap, "2:4")
    assert imap.search("$ NOT KEYWORD $Tag3") == [2, 4]
    assert imap.search("UID $") == [2, 3, 4]


def test_save_replaces_previous_result_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: a later SAVE replaces the saved result, even when it refers to "$" itself."""
    fill(imap, mailbox)
    save(imap, "1:3")
    save(imap, "$ NOT 1")
    assert fetched_sequences(imap, "FETCH", "$", "(UID)") == [2, 3]


def test_dollar_before_any_save_is_empty_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: before any SAVE, "$" is the empty set: OK and nothing fetched."""
    fill(imap, mailbox)
    result = imap.ok("FETCH", "$", "(UID)")
    assert not result.of_kind("FETCH")


def test_save_without_match_empties_result_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: a SAVE that matches nothing leaves "$" empty."""
    fill(imap, mailbox)
    save(imap, "ALL")
    save(imap, "KEYWORD $NoSuchTag")
    assert not imap.ok("FETCH", "$", "(UID)").of_kind("FETCH")


def test_failed_save_empties_result_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: a SEARCH RETURN (SAVE) that fails (here: an unknown charset) empties "$"."""
    fill(imap, mailbox)
    save(imap, "ALL")
    result = imap.command("SEARCH", "RETURN (SAVE)", "CHARSET", "X-NO-SUCH-CHARSET", "ALL")
    assert result.status == "NO"
    assert not imap.ok("FETCH", "$", "(UID)").of_kind("FETCH")


def test_unparsable_save_keeps_result_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: a SEARCH RETURN (SAVE) rejected with BAD does not change "$"."""
    fill(imap, mailbox)
    save(imap, "2:3")
    assert imap.command("SEARCH", "RETURN (SAVE)", "NO-SUCH-SEARCH-KEY").status == "BAD"
    assert fetched_sequences(imap, "FETCH", "$", "(UID)") == [2, 3]


def test_select_resets_saved_result_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: SELECT (even of the same mailbox) starts with an empty saved result."""
    fill(imap, mailbox)
    save(imap, "ALL")
    imap.ok("SELECT", quote(mailbox))
    assert not imap.ok("FETCH", "$", "(UID)").of_kind("FETCH")


def test_unselect_resets_saved_result_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: after UNSELECT and EXAMINE, "$" is empty again."""
    fill(imap, mailbox)
    save(imap, "ALL")
    imap.ok("UNSELECT")
    imap.ok("EXAMINE", quote(mailbox))
    assert not imap.ok("FETCH", "$", "(UID)").of_kind("FETCH")


def test_expunged_messages_leave_saved_result_rfc9051_6_4_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 5182 2.1: an expunged message drops out of "$"; the others keep their place in it."""
    uids = fill(imap, mailbox)
    save(imap, "2:3")
    imap.ok("STORE", "2", "+FLAGS.SILENT", "(\\Deleted)")
    imap.ok("EXPUNGE")
    result = imap.ok("FETCH", "$", "(UID)").fetches()
    assert {seq: int(str(items["UID"])) for seq, items in result.items()} == {2: uids[2]}


def test_dollar_cannot_join_a_sequence_set_rfc9051_9(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 9 (seq-last-command): "$" stands alone; "1,$" is a syntax error."""
    fill(imap, mailbox)
    assert imap.command("FETCH", "1,$", "(UID)").status == "BAD"
