"""RFC 9051 6.3: LIST (with LIST-EXTENDED, LIST-STATUS, SPECIAL-USE), NAMESPACE, STATUS, APPEND, IDLE."""

from __future__ import annotations

import datetime
import time

import pytest

from tests.rfc9051 import corpus
from tests.rfc9051.capabilities import require
from tests.rfc9051.client import ImapClient, Literal, quote
from tests.rfc9051.conftest import Connect, NewName, list_names, mailbox_name


def attributes(value: object) -> set[str]:
    assert isinstance(value, list)
    return {str(item).upper() for item in value}


def status_items(imap: ImapClient, mailbox: str, items: str) -> dict[str, object]:
    response = imap.ok("STATUS", quote(mailbox), f"({items})").one("STATUS")
    pairs = response.data[1]
    assert isinstance(pairs, list)
    return {str(pairs[i]).upper(): pairs[i + 1] for i in range(0, len(pairs), 2)}


# ---------------------------------------------------------------- 6.3.9 LIST


def test_list_empty_pattern_returns_delimiter_rfc9051_6_3_9(imap: ImapClient) -> None:
    """RFC 9051 6.3.9: LIST "" "" returns one \\Noselect entry with the hierarchy delimiter and root."""
    response = imap.ok("LIST", '""', '""').one("LIST")
    assert "\\NOSELECT" in attributes(response.data[0])
    assert response.data[1] is None or len(mailbox_name(response.data[1])) == 1


def test_list_star_includes_inbox_rfc9051_6_3_9(imap: ImapClient) -> None:
    """RFC 9051 6.3.9/5.1: LIST "" "*" includes INBOX."""
    names = [name.upper() for name in list_names(imap, "*")]
    assert "INBOX" in names


def test_list_star_matches_children_rfc9051_6_3_9(imap: ImapClient, new_name: NewName, delimiter: str) -> None:
    """RFC 9051 6.3.9: "*" matches across hierarchy levels."""
    top = new_name()
    imap.ok("CREATE", quote(f"{top}{delimiter}a{delimiter}b"))
    assert f"{top}{delimiter}a{delimiter}b" in list_names(imap, top + "*")


def test_list_percent_stops_at_delimiter_rfc9051_6_3_9(imap: ImapClient, new_name: NewName, delimiter: str) -> None:
    """RFC 9051 6.3.9: "%" does not match the hierarchy delimiter."""
    top = new_name()
    imap.ok("CREATE", quote(f"{top}{delimiter}a{delimiter}b"))
    names = list_names(imap, f"{top}{delimiter}%")
    assert names == [f"{top}{delimiter}a"]


def test_list_reference_is_prefixed_rfc9051_6_3_9(imap: ImapClient, new_name: NewName, delimiter: str) -> None:
    """RFC 9051 6.3.9: the reference name is joined with the pattern."""
    top = new_name()
    imap.ok("CREATE", quote(f"{top}{delimiter}kid"))
    assert list_names(imap, "%", reference=f"{top}{delimiter}") == [f"{top}{delimiter}kid"]


def test_list_no_match_is_ok_and_empty_rfc9051_6_3_9(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.9: a pattern that matches nothing returns no LIST responses and OK."""
    assert list_names(imap, new_name("-nothing-*")) == []


def test_list_inbox_any_case_rfc9051_6_3_9(imap: ImapClient) -> None:
    """RFC 9051 5.1/6.3.9: INBOX matches case-insensitively."""
    assert [name.upper() for name in list_names(imap, "inbox")] == ["INBOX"]


def test_list_children_attributes_rfc9051_6_3_9(imap: ImapClient, new_name: NewName, delimiter: str) -> None:
    """RFC 9051 6.3.9 (CHILDREN return option): parents get \\HasChildren, leaves \\HasNoChildren."""
    top = new_name()
    leaf = f"{top}{delimiter}leaf"
    imap.ok("CREATE", quote(leaf))
    result = imap.ok("LIST", '""', quote(top + "*"), "RETURN", "(CHILDREN)")
    found = {mailbox_name(r.data[2]): attributes(r.data[0]) for r in result.of_kind("LIST")}
    assert "\\HASCHILDREN" in found[top]
    assert "\\HASNOCHILDREN" in found[leaf]


def test_list_extended_multiple_patterns_rfc9051_6_3_9(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.9 (LIST-EXTENDED): several patterns in parentheses are matched together."""
    require(imap, "LIST-EXTENDED")
    first, second = new_name("-one"), new_name("-two")
    imap.ok("CREATE", quote(first))
    imap.ok("CREATE", quote(second))
    result = imap.ok("LIST", '""', f"({quote(first)} {quote(second)})")
    assert sorted(mailbox_name(r.data[2]) for r in result.of_kind("LIST")) == sorted([first, second])


def test_list_subscribed_selection_rfc9051_6_3_9(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.9.1 (SUBSCRIBED selection): only subscribed mailboxes are returned."""
    require(imap, "LIST-EXTENDED")
    subscribed, plain = new_name("-sub"), new_name("-plain")
    imap.ok("CREATE", quote(subscribed))
    imap.ok("CREATE", quote(plain))
    imap.ok("SUBSCRIBE", quote(subscribed))
    try:
        result = imap.ok("LIST", "(SUBSCRIBED)", '""', quote(new_name("*")))
        assert [mailbox_name(r.data[2]) for r in result.of_kind("LIST")] == [subscribed]
    finally:
        imap.ok("UNSUBSCRIBE", quote(subscribed))


def test_list_return_subscribed_marks_rfc9051_6_3_9(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.9.2 (RETURN (SUBSCRIBED)): all matches listed; subscribed ones carry \\Subscribed."""
    require(imap, "LIST-EXTENDED")
    subscribed, plain = new_name("-sub"), new_name("-plain")
    imap.ok("CREATE", quote(subscribed))
    imap.ok("CREATE", quote(plain))
    imap.ok("SUBSCRIBE", quote(subscribed))
    try:
        result = imap.ok("LIST", '""', quote(new_name("*")), "RETURN", "(SUBSCRIBED)")
        found = {mailbox_name(r.data[2]): attributes(r.data[0]) for r in result.of_kind("LIST")}
        assert "\\SUBSCRIBED" in found[subscribed]
        assert "\\SUBSCRIBED" not in found[plain]
    finally:
        imap.ok("UNSUBSCRIBE", quote(subscribed))


def test_list_unknown_selection_option_is_bad_rfc9051_6_3_9(imap: ImapClient) -> None:
    """RFC 9051 6.3.9: an unrecognised selection option gets BAD."""
    require(imap, "LIST-EXTENDED")
    assert imap.command("LIST", "(X-NO-SUCH-OPTION)", '""', '"*"').status == "BAD"


def test_list_return_status_rfc9051_6_3_9(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.9 (LIST-STATUS): RETURN (STATUS (MESSAGES)) adds a STATUS response per mailbox."""
    require(imap, "LIST-STATUS")
    imap.append(mailbox, corpus.SIMPLE)
    imap.append(mailbox, corpus.NO_BODY)
    result = imap.ok("LIST", '""', quote(mailbox), "RETURN", "(STATUS (MESSAGES UIDNEXT))")
    assert len(result.of_kind("LIST")) == 1
    status = result.one("STATUS")
    assert mailbox_name(status.data[0]) == mailbox
    pairs = status.data[1]
    assert isinstance(pairs, list)
    values = {str(pairs[i]).upper(): pairs[i + 1] for i in range(0, len(pairs), 2)}
    assert values["MESSAGES"] == 2
    assert isinstance(values["UIDNEXT"], int)


def test_list_return_status_skips_noselect_rfc9051_6_3_9(imap: ImapClient, new_name: NewName, delimiter: str) -> None:
    """RFC 9051 6.3.9: no STATUS is returned for \\NoSelect or \\NonExistent names."""
    require(imap, "LIST-STATUS")
    top = new_name()
    imap.ok("CREATE", quote(f"{top}{delimiter}kid"))
    imap.command("DELETE", quote(top))
    result = imap.ok("LIST", '""', quote(top + "*"), "RETURN", "(STATUS (MESSAGES))")
    listed = {mailbox_name(r.data[2]): attributes(r.data[0]) for r in result.of_kind("LIST")}
    statuses = {mailbox_name(r.data[0]) for r in result.of_kind("STATUS")}
    for name, attrs in listed.items():
        if attrs & {"\\NOSELECT", "\\NONEXISTENT"}:
            assert name not in statuses
        else:
            assert name in statuses


def test_list_special_use_return_option_rfc9051_6_3_9(imap: ImapClient) -> None:
    """RFC 9051 6.3.9 / RFC 6154: RETURN (SPECIAL-USE) gives only known special-use attributes."""
    require(imap, "SPECIAL-USE")
    result = imap.ok("LIST", '""', '"*"', "RETURN", "(SPECIAL-USE)")
    special = {"\\ALL", "\\ARCHIVE", "\\DRAFTS", "\\FLAGGED", "\\JUNK", "\\SENT", "\\TRASH", "\\IMPORTANT"}
    standard = {"\\NOINFERIORS", "\\NOSELECT", "\\MARKED", "\\UNMARKED", "\\NONEXISTENT", "\\REMOTE"}
    standard |= {"\\HASCHILDREN", "\\HASNOCHILDREN", "\\SUBSCRIBED"}
    for response in result.of_kind("LIST"):
        for attribute in attributes(response.data[0]):
            assert attribute in special | standard or not attribute.startswith("\\")


def test_list_special_use_selection_rfc6154_5_3(imap: ImapClient) -> None:
    """RFC 9051 6.3.9 / RFC 6154 5.3: the SPECIAL-USE selection returns only mailboxes with a special use."""
    require(imap, "SPECIAL-USE")
    result = imap.ok("LIST", "(SPECIAL-USE)", '""', '"*"')
    special = {"\\ALL", "\\ARCHIVE", "\\DRAFTS", "\\FLAGGED", "\\JUNK", "\\SENT", "\\TRASH", "\\IMPORTANT"}
    for response in result.of_kind("LIST"):
        assert attributes(response.data[0]) & special


def test_create_special_use_rfc6154_3(imap: ImapClient, new_name: NewName) -> None:
    """RFC 6154 3 (CREATE-SPECIAL-USE, optional): where offered, CREATE (USE (\\Archive)) sets the attribute."""
    if "CREATE-SPECIAL-USE" not in imap.capabilities:
        pytest.skip("server does not advertise CREATE-SPECIAL-USE")
    name = new_name("-archive")
    result = imap.command("CREATE", quote(name), "(USE (\\Archive))")
    assert result.status == "OK" or result.tagged.code == "USEATTR"
    if result.status == "OK":
        listed = imap.ok("LIST", '""', quote(name), "RETURN", "(SPECIAL-USE)").one("LIST")
        assert "\\ARCHIVE" in attributes(listed.data[0])


def test_list_delimiter_is_consistent_rfc9051_6_3_9(imap: ImapClient, delimiter: str) -> None:
    """RFC 9051 6.3.9: every LIST response of the personal namespace carries the same delimiter (or NIL)."""
    result = imap.ok("LIST", '""', '"*"')
    for response in result.of_kind("LIST"):
        if response.data[1] is not None:
            assert mailbox_name(response.data[1]) == delimiter


def test_list_noinferiors_or_flags_are_atoms_rfc9051_7_3_1(imap: ImapClient) -> None:
    """RFC 9051 7.3.1: name attributes are flag atoms beginning with a backslash."""
    for response in imap.ok("LIST", '""', '"*"').of_kind("LIST"):
        assert all(attribute.startswith("\\") for attribute in attributes(response.data[0]))


def test_list_pattern_as_literal_rfc9051_6_3_9(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.9: the mailbox pattern may be a literal."""
    result = imap.command("LIST", '""', Literal(mailbox.encode())).check()
    assert [mailbox_name(r.data[2]) for r in result.of_kind("LIST")] == [mailbox]


# ---------------------------------------------------------------- 6.3.10 NAMESPACE


def test_namespace_has_personal_namespace_rfc9051_6_3_10(imap: ImapClient) -> None:
    """RFC 9051 6.3.10: NAMESPACE returns three lists; the personal one has a prefix and delimiter."""
    require(imap, "NAMESPACE")
    data = imap.ok("NAMESPACE").one("NAMESPACE").data
    assert len(data) == 3
    personal = data[0]
    assert isinstance(personal, list)
    assert personal
    assert isinstance(personal[0], list)
    assert isinstance(personal[0][0], bytes)


def test_namespace_delimiter_matches_list_rfc9051_6_3_10(imap: ImapClient, delimiter: str) -> None:
    """RFC 9051 6.3.10: the personal namespace's delimiter is the one LIST reports."""
    require(imap, "NAMESPACE")
    personal = imap.ok("NAMESPACE").one("NAMESPACE").data[0]
    assert isinstance(personal, list)
    assert mailbox_name(personal[0][1]) == delimiter


def test_namespace_other_and_shared_are_nil_or_lists_rfc9051_6_3_10(imap: ImapClient) -> None:
    """RFC 9051 6.3.10: other-users and shared namespaces are NIL or non-empty lists."""
    require(imap, "NAMESPACE")
    data = imap.ok("NAMESPACE").one("NAMESPACE").data
    for namespace in data[1:]:
        assert namespace is None or (isinstance(namespace, list) and namespace)


# ---------------------------------------------------------------- 6.3.11 STATUS


def test_status_messages_rfc9051_6_3_11(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.11: MESSAGES is the number of messages."""
    imap.append(mailbox, corpus.SIMPLE)
    imap.append(mailbox, corpus.ENCODED)
    assert status_items(imap, mailbox, "MESSAGES")["MESSAGES"] == 2


def test_status_unseen_rfc9051_6_3_11(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.11: UNSEEN counts messages without \\Seen."""
    imap.append(mailbox, corpus.SIMPLE, flags="\\Seen")
    imap.append(mailbox, corpus.ENCODED)
    imap.append(mailbox, corpus.NO_BODY)
    assert status_items(imap, mailbox, "UNSEEN")["UNSEEN"] == 2


def test_status_uidnext_grows_rfc9051_6_3_11(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.11/2.3.1.1: UIDNEXT increases after an APPEND."""
    before = status_items(imap, mailbox, "UIDNEXT")["UIDNEXT"]
    imap.append(mailbox, corpus.SIMPLE)
    after = status_items(imap, mailbox, "UIDNEXT")["UIDNEXT"]
    assert isinstance(before, int)
    assert isinstance(after, int)
    assert after > before


def test_status_uidvalidity_matches_select_rfc9051_6_3_11(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.11: STATUS UIDVALIDITY equals the value SELECT reports."""
    value = status_items(imap, mailbox, "UIDVALIDITY")["UIDVALIDITY"]
    response = imap.ok("SELECT", quote(mailbox)).code_response("UIDVALIDITY")
    assert response is not None
    assert response.code_args[0] == value


def test_status_deleted_rfc9051_6_3_11(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.11: DELETED counts messages with \\Deleted."""
    imap.append(mailbox, corpus.SIMPLE, flags="\\Deleted")
    imap.append(mailbox, corpus.ENCODED)
    assert status_items(imap, mailbox, "DELETED")["DELETED"] == 1


def test_status_size_rfc9051_6_3_11(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.11: SIZE is the total of the messages' RFC822.SIZE."""
    require(imap, "STATUS=SIZE")
    imap.append(mailbox, corpus.SIMPLE)
    imap.append(mailbox, corpus.ENCODED)
    assert status_items(imap, mailbox, "SIZE")["SIZE"] == len(corpus.SIMPLE) + len(corpus.ENCODED)


def test_status_several_items_rfc9051_6_3_11(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.11: several items in one request are all answered."""
    values = status_items(imap, mailbox, "MESSAGES UIDNEXT UIDVALIDITY UNSEEN")
    assert {"MESSAGES", "UIDNEXT", "UIDVALIDITY", "UNSEEN"} <= set(values)


def test_status_missing_mailbox_is_no_rfc9051_6_3_11(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.11: STATUS of a missing mailbox is NO."""
    assert imap.command("STATUS", quote(new_name("-missing")), "(MESSAGES)").status == "NO"


def test_status_unknown_item_is_bad_rfc9051_6_3_11(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.11: an unknown status item is a syntax error."""
    assert imap.command("STATUS", quote(mailbox), "(NOSUCHITEM)").status == "BAD"


def test_status_of_selected_mailbox_rfc9051_6_3_11(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.11: STATUS on the selected mailbox is allowed (the RFC discourages it, not forbids)."""
    imap.append(mailbox, corpus.SIMPLE)
    imap.ok("SELECT", quote(mailbox))
    assert status_items(imap, mailbox, "MESSAGES")["MESSAGES"] == 1


def test_status_mailbox_name_echoed_rfc9051_7_3_2(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 7.3.2: the STATUS response names the mailbox asked about."""
    response = imap.ok("STATUS", quote(mailbox), "(MESSAGES)").one("STATUS")
    assert mailbox_name(response.data[0]) == mailbox


# ---------------------------------------------------------------- 6.3.12 APPEND


def test_append_stores_exact_bytes_rfc9051_6_3_12(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.12: the appended message is stored as sent: BODY[] returns the same octets."""
    imap.append(mailbox, corpus.MULTIPART)
    imap.ok("SELECT", quote(mailbox))
    assert imap.ok("FETCH", "1", "BODY.PEEK[]").fetches()[1]["BODY[]"] == corpus.MULTIPART


def test_append_8bit_message_rfc9051_6_3_12(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.12/4.3: 8-bit octets in a literal survive unchanged."""
    imap.append(mailbox, corpus.ENCODED)
    imap.ok("SELECT", quote(mailbox))
    assert imap.ok("FETCH", "1", "BODY.PEEK[]").fetches()[1]["BODY[]"] == corpus.ENCODED


def test_append_with_flags_rfc9051_6_3_12(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.12: the flag list is set on the new message."""
    imap.append(mailbox, corpus.SIMPLE, flags="\\Seen \\Flagged")
    imap.ok("SELECT", quote(mailbox))
    flags = attributes(imap.ok("FETCH", "1", "(FLAGS)").fetches()[1]["FLAGS"])
    assert {"\\SEEN", "\\FLAGGED"} <= flags


def test_append_with_keyword_rfc9051_6_3_12(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.12/2.3.2: keywords may be set by APPEND when PERMANENTFLAGS has \\*."""
    imap.append(mailbox, corpus.SIMPLE, flags="$Forwarded")
    imap.ok("SELECT", quote(mailbox))
    assert "$FORWARDED" in attributes(imap.ok("FETCH", "1", "(FLAGS)").fetches()[1]["FLAGS"])


def test_append_with_date_time_rfc9051_6_3_12(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.12: the date-time argument becomes the INTERNALDATE."""
    imap.append(mailbox, corpus.SIMPLE, date="15-Mar-2021 12:34:56 +0000")
    imap.ok("SELECT", quote(mailbox))
    value = imap.ok("FETCH", "1", "(INTERNALDATE)").fetches()[1]["INTERNALDATE"]
    assert value == b"15-Mar-2021 12:34:56 +0000"


def test_append_date_time_with_offset_rfc9051_6_3_12(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.12/2.3.3: an INTERNALDATE with a zone offset denotes the same instant when fetched."""
    imap.append(mailbox, corpus.SIMPLE, date=" 5-Jan-2021 23:00:00 -0500")
    imap.ok("SELECT", quote(mailbox))
    value = imap.ok("FETCH", "1", "(INTERNALDATE)").fetches()[1]["INTERNALDATE"]
    assert isinstance(value, bytes)
    parsed = datetime.datetime.strptime(value.decode().strip(), "%d-%b-%Y %H:%M:%S %z")
    expected = datetime.datetime(2021, 1, 6, 4, 0, tzinfo=datetime.UTC)
    assert parsed == expected


def test_append_appenduid_rfc9051_6_3_12(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.12/7.1 (UIDPLUS): APPEND's OK carries [APPENDUID uidvalidity uid] matching the mailbox."""
    require(imap, "UIDPLUS")
    result = imap.append(mailbox, corpus.SIMPLE)
    assert result.tagged.code == "APPENDUID"
    uidvalidity, uid = result.tagged.code_args
    selected = imap.ok("SELECT", quote(mailbox)).code_response("UIDVALIDITY")
    assert selected is not None
    assert selected.code_args[0] == uidvalidity
    assert imap.search("ALL", uid=True) == [uid]


def test_append_missing_mailbox_trycreate_rfc9051_6_3_12(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.12: APPEND to a missing mailbox is NO [TRYCREATE]."""
    result = imap.command("APPEND", quote(new_name("-missing")), Literal(corpus.SIMPLE))
    assert result.status == "NO"
    assert result.tagged.code == "TRYCREATE"


def test_append_to_selected_sends_exists_rfc9051_6_3_12(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.12: appending to the selected mailbox reports the new message with EXISTS."""
    imap.ok("SELECT", quote(mailbox))
    result = imap.append(mailbox, corpus.SIMPLE)
    if not result.numbered("EXISTS"):
        result = imap.ok("NOOP")
    assert result.numbered("EXISTS") == [1]


def test_append_message_without_body_rfc9051_6_3_12(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.12: a message that is only a header block is accepted and kept."""
    imap.append(mailbox, corpus.NO_BODY)
    imap.ok("SELECT", quote(mailbox))
    assert imap.ok("FETCH", "1", "(RFC822.SIZE)").fetches()[1]["RFC822.SIZE"] == len(corpus.NO_BODY)


def test_append_invalid_flag_is_bad_rfc9051_6_3_12(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.12/9: \\Recent may not be set by APPEND; an unknown \\-flag is invalid (BAD or NO)."""
    result = imap.command("APPEND", quote(mailbox), "(\\NoSuchSystemFlag)", Literal(corpus.SIMPLE))
    assert result.status in {"BAD", "NO"}


def test_append_bad_date_is_bad_rfc9051_6_3_12(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.12 (date-time syntax): a malformed date-time is BAD, and nothing is stored."""
    result = imap.command("APPEND", quote(mailbox), quote("31-Foo-2021 99:00:00"), Literal(corpus.SIMPLE))
    assert result.status == "BAD" or result.status == "NO"
    assert status_items(imap, mailbox, "MESSAGES")["MESSAGES"] == 0


def test_append_non_synchronizing_literal_rfc7888(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 4.3 with LITERAL- (RFC 7888): a small {n+} literal is sent without waiting for "+"."""
    require(imap, "LITERAL-")
    tag = imap.next_tag()
    imap.send(f'{tag} APPEND "{mailbox}" {{{len(corpus.SIMPLE)}+}}\r\n'.encode() + corpus.SIMPLE + b"\r\n")
    result = imap.complete(tag)
    assert result.status == "OK"
    assert not [response for response in result.untagged if response.tag == "+"]
    assert status_items(imap, mailbox, "MESSAGES")["MESSAGES"] == 1


# ---------------------------------------------------------------- 6.3.13 IDLE


def test_idle_continuation_and_done_rfc9051_6_3_13(imap: ImapClient) -> None:
    """RFC 9051 6.3.13: IDLE answers "+", and DONE ends it with a tagged OK."""
    require(imap, "IDLE")
    imap.ok("SELECT", "INBOX")
    tag = imap.next_tag()
    imap.send(f"{tag} IDLE\r\n".encode())
    assert imap.read_response().tag == "+"
    imap.send(b"DONE\r\n")
    assert imap.complete(tag).status == "OK"


def test_idle_reports_new_message_rfc9051_6_3_13(session: Connect, mailbox: str) -> None:
    """RFC 9051 6.3.13: during IDLE the server sends EXISTS when another session appends."""
    watcher, writer = session(), session()
    require(watcher, "IDLE")
    watcher.ok("SELECT", quote(mailbox))
    tag = watcher.next_tag()
    watcher.send(f"{tag} IDLE\r\n".encode())
    assert watcher.read_response().tag == "+"
    writer.append(mailbox, corpus.SIMPLE)
    deadline = time.monotonic() + 5.0
    seen: list[int] = []
    while time.monotonic() < deadline and 1 not in seen:
        response = watcher.read_response(timeout=max(0.1, deadline - time.monotonic()))
        if response.kind == "EXISTS" and response.number is not None:
            seen.append(response.number)
    watcher.send(b"DONE\r\n")
    watcher.complete(tag)
    assert 1 in seen


def test_idle_reports_flag_change_rfc9051_6_3_13(session: Connect, mailbox: str) -> None:
    """RFC 9051 6.3.13/7.5.2: during IDLE a flag change by another session arrives as FETCH FLAGS."""
    watcher, writer = session(), session()
    writer.append(mailbox, corpus.SIMPLE)
    watcher.ok("SELECT", quote(mailbox))
    tag = watcher.next_tag()
    watcher.send(f"{tag} IDLE\r\n".encode())
    assert watcher.read_response().tag == "+"
    writer.ok("SELECT", quote(mailbox))
    writer.ok("STORE", "1", "+FLAGS.SILENT", "(\\Flagged)")
    deadline = time.monotonic() + 5.0
    got_fetch = False
    while time.monotonic() < deadline and not got_fetch:
        response = watcher.read_response(timeout=max(0.1, deadline - time.monotonic()))
        got_fetch = response.kind == "FETCH" and response.number == 1
    watcher.send(b"DONE\r\n")
    watcher.complete(tag)
    assert got_fetch


def test_idle_in_authenticated_state_rfc9051_6_3_13(imap: ImapClient) -> None:
    """RFC 9051 6.3.13: IDLE is valid in the authenticated state as well."""
    tag = imap.next_tag()
    imap.send(f"{tag} IDLE\r\n".encode())
    assert imap.read_response().tag == "+"
    imap.send(b"DONE\r\n")
    assert imap.complete(tag).status == "OK"


def test_idle_bad_continuation_ends_idle_rfc9051_6_3_13(imap: ImapClient) -> None:
    """RFC 9051 6.3.13: anything but DONE ends IDLE with BAD (or a BYE); the tag completes either way."""
    tag = imap.next_tag()
    imap.send(f"{tag} IDLE\r\n".encode())
    assert imap.read_response().tag == "+"
    imap.send(b"NOT-DONE\r\n")
    try:
        result = imap.complete(tag)
    except ConnectionError:
        return
    assert result.status in {"BAD", "OK", "NO"}
