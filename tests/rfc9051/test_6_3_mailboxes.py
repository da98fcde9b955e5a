"""RFC 9051 6.3: ENABLE, SELECT, EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE."""

from __future__ import annotations

from tests.rfc9051 import corpus
from tests.rfc9051.client import ImapClient, quote
from tests.rfc9051.conftest import Connect, NewName, list_names


def flags_of(value: object) -> set[str]:
    assert isinstance(value, list)
    return {str(flag).upper() for flag in value}


# ---------------------------------------------------------------- 6.3.1 ENABLE


def test_enable_imap4rev2_reports_enabled_rfc9051_6_3_1(session: Connect) -> None:
    """RFC 9051 6.3.1: ENABLE IMAP4rev2 answers an untagged ENABLED listing it."""
    client = session()
    if client.rev2_enabled:
        return  # the fixture's ENABLE already returned ENABLED IMAP4rev2
    result = client.ok("ENABLE", "IMAP4rev2")
    enabled = {str(item).upper() for response in result.of_kind("ENABLED") for item in response.data}
    assert "IMAP4REV2" in enabled


def test_enable_unknown_extension_is_ignored_rfc9051_6_3_1(imap: ImapClient) -> None:
    """RFC 9051 6.3.1: unknown extensions are ignored: OK, and not listed in ENABLED."""
    result = imap.ok("ENABLE", "X-NO-SUCH-EXTENSION")
    enabled = {str(item).upper() for response in result.of_kind("ENABLED") for item in response.data}
    assert "X-NO-SUCH-EXTENSION" not in enabled


def test_enable_before_login_is_rejected_rfc9051_6_3_1(connect: Connect) -> None:
    """RFC 9051 6.3.1: ENABLE is only valid in the authenticated state: rejected, or at least nothing enabled."""
    result = connect().command("ENABLE", "IMAP4rev2")
    enabled = {str(item).upper() for response in result.of_kind("ENABLED") for item in response.data}
    assert result.status in {"BAD", "NO"} or "IMAP4REV2" not in enabled


def test_enable_twice_does_not_repeat_rfc9051_6_3_1(imap: ImapClient) -> None:
    """RFC 9051 6.3.1: ENABLED lists only extensions newly enabled by this command."""
    imap.ok("ENABLE", "IMAP4rev2")
    result = imap.ok("ENABLE", "IMAP4rev2")
    enabled = {str(item).upper() for response in result.of_kind("ENABLED") for item in response.data}
    assert "IMAP4REV2" not in enabled


# ---------------------------------------------------------------- 6.3.2 SELECT


def test_select_required_untagged_responses_rfc9051_6_3_2(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.2: SELECT sends FLAGS and EXISTS, and OK codes UIDVALIDITY, UIDNEXT, PERMANENTFLAGS."""
    result = imap.ok("SELECT", quote(mailbox))
    assert result.of_kind("FLAGS")
    assert result.numbered("EXISTS") == [0]
    assert {"UIDVALIDITY", "UIDNEXT", "PERMANENTFLAGS"} <= result.codes()


def test_select_sends_list_response_rfc9051_6_3_2(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.2: an IMAP4rev2 SELECT also sends a LIST response with the mailbox name."""
    result = imap.ok("SELECT", quote(mailbox))
    names = [response.data[2] for response in result.of_kind("LIST")]
    assert mailbox.encode() in names or mailbox in names


def test_select_is_read_write_rfc9051_6_3_2(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.2: a successful SELECT of the user's own mailbox is tagged OK [READ-WRITE]."""
    assert imap.ok("SELECT", quote(mailbox)).tagged.code == "READ-WRITE"


def test_select_exists_counts_messages_rfc9051_6_3_2(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.2/7.4.1: EXISTS gives the number of messages."""
    imap.append(mailbox, corpus.SIMPLE)
    imap.append(mailbox, corpus.ENCODED)
    assert imap.ok("SELECT", quote(mailbox)).numbered("EXISTS") == [2]


def test_select_uidnext_is_above_every_uid_rfc9051_2_3_1_1(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 2.3.1.1: UIDNEXT is greater than every UID in the mailbox."""
    imap.append(mailbox, corpus.SIMPLE)
    result = imap.ok("SELECT", quote(mailbox))
    response = result.code_response("UIDNEXT")
    assert response is not None
    uid = imap.ok("FETCH", "1", "(UID)").fetches()[1]["UID"]
    assert isinstance(uid, int)
    assert isinstance(response.code_args[0], int)
    assert response.code_args[0] > uid


def test_select_uidvalidity_is_stable_rfc9051_2_3_1_1(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 2.3.1.1: UIDVALIDITY does not change between two selections of the same mailbox."""
    first = imap.ok("SELECT", quote(mailbox)).code_response("UIDVALIDITY")
    second = imap.ok("SELECT", quote(mailbox)).code_response("UIDVALIDITY")
    assert first is not None
    assert second is not None
    assert first.code_args == second.code_args
    assert isinstance(first.code_args[0], int)


def test_select_permanentflags_allows_keywords_rfc9051_6_3_2(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.2: PERMANENTFLAGS lists the system flags a client may store (\\Seen, \\Deleted...)."""
    response = imap.ok("SELECT", quote(mailbox)).code_response("PERMANENTFLAGS")
    assert response is not None
    flags = flags_of(response.code_args[0])
    assert {"\\SEEN", "\\ANSWERED", "\\FLAGGED", "\\DELETED", "\\DRAFT"} <= flags


def test_select_flags_lists_system_flags_rfc9051_7_3_5(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 7.3.5: the FLAGS response lists the flags applicable to this mailbox."""
    flags = flags_of(imap.ok("SELECT", quote(mailbox)).one("FLAGS").data[0])
    assert {"\\SEEN", "\\ANSWERED", "\\FLAGGED", "\\DELETED", "\\DRAFT"} <= flags


def test_select_missing_mailbox_is_no_rfc9051_6_3_2(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.2: SELECT of a mailbox that does not exist gets NO."""
    assert imap.command("SELECT", quote(new_name("-missing"))).status == "NO"


def test_failed_select_leaves_no_mailbox_selected_rfc9051_6_3_2(
    imap: ImapClient, mailbox: str, new_name: NewName
) -> None:
    """RFC 9051 6.3.2: when a SELECT fails, no mailbox stays selected (FETCH is then invalid)."""
    imap.append(mailbox, corpus.SIMPLE)
    imap.ok("SELECT", quote(mailbox))
    assert imap.command("SELECT", quote(new_name("-missing"))).status == "NO"
    assert imap.command("FETCH", "1", "(FLAGS)").status == "BAD"


def test_select_inbox_is_case_insensitive_rfc9051_5_1(imap: ImapClient) -> None:
    """RFC 9051 5.1: INBOX is case-insensitive."""
    imap.ok("SELECT", "inbox")
    imap.ok("SELECT", "InBoX")


def test_reselect_closes_previous_without_expunge_rfc9051_6_3_2(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.2: SELECT while selected deselects without expunging \\Deleted messages."""
    imap.append(mailbox, corpus.SIMPLE, flags="\\Deleted")
    imap.ok("SELECT", quote(mailbox))
    assert imap.ok("SELECT", quote(mailbox)).numbered("EXISTS") == [1]


def test_select_sends_closed_code_when_switching_rfc9051_7_1(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 7.1 (CLOSED): switching mailboxes sends OK [CLOSED] before the new mailbox's responses."""
    imap.ok("SELECT", quote(mailbox))
    result = imap.ok("SELECT", "INBOX")
    assert "CLOSED" in result.codes()


# ---------------------------------------------------------------- 6.3.3 EXAMINE


def test_examine_is_read_only_rfc9051_6_3_3(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.3: EXAMINE's tagged OK carries [READ-ONLY]."""
    assert imap.ok("EXAMINE", quote(mailbox)).tagged.code == "READ-ONLY"


def test_examine_required_responses_rfc9051_6_3_3(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.3: EXAMINE answers like SELECT: FLAGS, EXISTS, UIDVALIDITY, UIDNEXT."""
    result = imap.ok("EXAMINE", quote(mailbox))
    assert result.of_kind("FLAGS")
    assert result.numbered("EXISTS") == [0]
    assert {"UIDVALIDITY", "UIDNEXT"} <= result.codes()


def test_examine_does_not_set_seen_rfc9051_6_3_3(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.3: in an EXAMINEd mailbox a BODY[] fetch must not set \\Seen."""
    imap.append(mailbox, corpus.SIMPLE)
    imap.ok("EXAMINE", quote(mailbox))
    imap.ok("FETCH", "1", "BODY[]")
    imap.ok("SELECT", quote(mailbox))
    flags = flags_of(imap.ok("FETCH", "1", "(FLAGS)").fetches()[1]["FLAGS"])
    assert "\\SEEN" not in flags


def test_examine_store_is_rejected_rfc9051_6_3_3(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.3: no changes are permitted in a read-only mailbox: a STORE there changes nothing."""
    imap.append(mailbox, corpus.SIMPLE)
    imap.ok("EXAMINE", quote(mailbox))
    imap.command("STORE", "1", "+FLAGS", "(\\Flagged)")
    imap.ok("SELECT", quote(mailbox))
    assert "\\FLAGGED" not in flags_of(imap.ok("FETCH", "1", "(FLAGS)").fetches()[1]["FLAGS"])


def test_examine_missing_mailbox_is_no_rfc9051_6_3_3(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.3: EXAMINE of a missing mailbox gets NO."""
    assert imap.command("EXAMINE", quote(new_name("-missing"))).status == "NO"


# ---------------------------------------------------------------- 6.3.4 CREATE


def test_create_then_list_shows_it_rfc9051_6_3_4(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.4: a created mailbox appears in LIST."""
    name = new_name()
    imap.ok("CREATE", quote(name))
    assert list_names(imap, name) == [name]


def test_create_existing_is_no_rfc9051_6_3_4(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.4: creating an existing name is an error (NO), with ALREADYEXISTS where a code is given."""
    result = imap.command("CREATE", quote(mailbox))
    assert result.status == "NO"
    assert result.tagged.code in {None, "ALREADYEXISTS"}


def test_create_inbox_is_no_rfc9051_6_3_4(imap: ImapClient) -> None:
    """RFC 9051 6.3.4: creating INBOX (in any case) is an error."""
    assert imap.command("CREATE", "inbox").status == "NO"


def test_create_with_intermediate_levels_rfc9051_6_3_4(imap: ImapClient, new_name: NewName, delimiter: str) -> None:
    """RFC 9051 6.3.4: CREATE a/b/c creates the missing superior names so that LIST shows them."""
    top = new_name()
    leaf = f"{top}{delimiter}b{delimiter}c"
    imap.ok("CREATE", quote(leaf))
    names = set(list_names(imap, top + "*"))
    assert {top, f"{top}{delimiter}b", leaf} <= names


def test_create_with_trailing_delimiter_rfc9051_6_3_4(imap: ImapClient, new_name: NewName, delimiter: str) -> None:
    """RFC 9051 6.3.4: a trailing delimiter declares intent to have children; the name is created without it."""
    name = new_name()
    imap.ok("CREATE", quote(name + delimiter))
    assert name in list_names(imap, name)


def test_create_utf8_name_rfc9051_5_1(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 5.1: with IMAP4rev2 mailbox names are UTF-8 and come back unchanged."""
    # Modified UTF-7 for rev1 sessions (RFC 3501 5.1.3), UTF-8 once IMAP4rev2 is enabled.
    name = new_name("-Entwürfe") if imap.rev2_enabled else new_name("-Entw&APw-rfe")
    imap.ok("CREATE", quote(name))
    assert list_names(imap, name) == [name]


def test_create_with_literal_name_rfc9051_4_3(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 4.3/6.3.4: the mailbox name may be sent as a literal."""
    from tests.rfc9051.client import Literal

    name = new_name("-literal")
    imap.command("CREATE", Literal(name.encode())).check()
    assert list_names(imap, name) == [name]


def test_create_missing_argument_is_bad_rfc9051_6_3_4(imap: ImapClient) -> None:
    """RFC 9051 6.3.4: CREATE without a name is a syntax error."""
    assert imap.command("CREATE").status == "BAD"


# ---------------------------------------------------------------- 6.3.5 DELETE


def test_delete_removes_mailbox_rfc9051_6_3_5(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.5: DELETE removes the mailbox: it no longer lists."""
    name = new_name()
    imap.ok("CREATE", quote(name))
    imap.ok("DELETE", quote(name))
    assert list_names(imap, name) == []


def test_delete_missing_is_no_rfc9051_6_3_5(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.5: deleting a missing mailbox is NO (NONEXISTENT where a code is given)."""
    result = imap.command("DELETE", quote(new_name("-missing")))
    assert result.status == "NO"
    assert result.tagged.code in {None, "NONEXISTENT"}


def test_delete_inbox_is_no_rfc9051_6_3_5(imap: ImapClient) -> None:
    """RFC 9051 6.3.5: it is an error to attempt to delete INBOX."""
    assert imap.command("DELETE", "INBOX").status == "NO"


def test_delete_removes_messages_rfc9051_6_3_5(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.5: a mailbox recreated after DELETE is empty."""
    name = new_name()
    imap.ok("CREATE", quote(name))
    imap.append(name, corpus.SIMPLE)
    imap.ok("DELETE", quote(name))
    imap.ok("CREATE", quote(name))
    assert imap.ok("SELECT", quote(name)).numbered("EXISTS") == [0]


def test_delete_parent_keeps_children_rfc9051_6_3_5(imap: ImapClient, new_name: NewName, delimiter: str) -> None:
    """RFC 9051 6.3.5: deleting a name with inferiors leaves the inferiors (parent becomes \\NoSelect or stays)."""
    top = new_name()
    child = f"{top}{delimiter}child"
    imap.ok("CREATE", quote(child))
    result = imap.command("DELETE", quote(top))
    assert result.status in {"OK", "NO"}
    assert child in list_names(imap, top + "*")


def test_delete_new_uidvalidity_on_recreate_rfc9051_6_3_5(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 2.3.1.1/6.3.5: a mailbox recreated with the same name must not reuse UIDs of the old one."""
    name = new_name()
    imap.ok("CREATE", quote(name))
    imap.append(name, corpus.SIMPLE)
    first = imap.ok("SELECT", quote(name))
    old_uid = imap.ok("UID", "SEARCH", "ALL")
    imap.ok("UNSELECT") if "UNSELECT" in imap.capabilities or imap.rev2_enabled else imap.ok("CLOSE")
    imap.ok("DELETE", quote(name))
    imap.ok("CREATE", quote(name))
    imap.append(name, corpus.SIMPLE)
    second = imap.ok("SELECT", quote(name))
    before = first.code_response("UIDVALIDITY")
    after = second.code_response("UIDVALIDITY")
    assert before is not None
    assert after is not None
    new_uid = imap.ok("UID", "SEARCH", "ALL")
    assert before.code_args != after.code_args or old_uid.untagged[0].raw != new_uid.untagged[0].raw


# ---------------------------------------------------------------- 6.3.6 RENAME


def test_rename_moves_name_rfc9051_6_3_6(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.6: after RENAME the old name is gone and the new one exists, with its messages."""
    old, new = new_name("-old"), new_name("-new")
    imap.ok("CREATE", quote(old))
    imap.append(old, corpus.SIMPLE)
    imap.ok("RENAME", quote(old), quote(new))
    assert list_names(imap, old) == []
    assert imap.ok("SELECT", quote(new)).numbered("EXISTS") == [1]


def test_rename_to_existing_is_no_rfc9051_6_3_6(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.6: renaming onto an existing name is an error (NO, ALREADYEXISTS where a code is given)."""
    first, second = new_name("-a"), new_name("-b")
    imap.ok("CREATE", quote(first))
    imap.ok("CREATE", quote(second))
    result = imap.command("RENAME", quote(first), quote(second))
    assert result.status == "NO"
    assert result.tagged.code in {None, "ALREADYEXISTS"}


def test_rename_missing_is_no_rfc9051_6_3_6(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.6: renaming a missing mailbox is NO (NONEXISTENT where a code is given)."""
    result = imap.command("RENAME", quote(new_name("-missing")), quote(new_name("-other")))
    assert result.status == "NO"
    assert result.tagged.code in {None, "NONEXISTENT"}


def test_rename_moves_children_rfc9051_6_3_6(imap: ImapClient, new_name: NewName, delimiter: str) -> None:
    """RFC 9051 6.3.6: renaming a mailbox renames its inferior hierarchical names too."""
    old, new = new_name("-old"), new_name("-new")
    imap.ok("CREATE", quote(f"{old}{delimiter}kid"))
    imap.ok("RENAME", quote(old), quote(new))
    assert f"{new}{delimiter}kid" in list_names(imap, new + "*")
    assert list_names(imap, old + "*") == []


def test_rename_creates_superiors_rfc9051_6_3_6(imap: ImapClient, new_name: NewName, delimiter: str) -> None:
    """RFC 9051 6.3.6: a new name with superior levels creates them as needed."""
    old, top = new_name("-old"), new_name("-top")
    imap.ok("CREATE", quote(old))
    imap.ok("RENAME", quote(old), quote(f"{top}{delimiter}inner"))
    assert f"{top}{delimiter}inner" in list_names(imap, top + "*")


def test_rename_inbox_moves_messages_rfc9051_6_3_6(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.6: renaming INBOX moves its messages to the new mailbox and leaves INBOX existing.

    A server whose storage cannot do this may refuse with NO; INBOX must then be untouched.
    """
    target = new_name("-from-inbox")
    imap.ok("SELECT", "INBOX")
    # Start from a known content: only messages this test appends are checked.
    before = imap.search("ALL", uid=True)
    imap.append("INBOX", corpus.NO_BODY)
    imap.ok("UNSELECT") if imap.rev2_enabled or "UNSELECT" in imap.capabilities else imap.ok("CLOSE")
    renamed = imap.command("RENAME", "INBOX", quote(target))
    assert renamed.status in {"OK", "NO"}
    if renamed.status == "NO":
        assert imap.ok("SELECT", "INBOX").numbered("EXISTS") == [len(before) + 1]
        return
    assert "INBOX" in [name.upper() for name in list_names(imap, "INBOX")]
    moved = imap.ok("SELECT", quote(target)).numbered("EXISTS")
    assert moved == [len(before) + 1]
    # Put the messages back so the account is as before.
    imap.ok("MOVE" if imap.rev2_enabled or "MOVE" in imap.capabilities else "COPY", "1:*", "INBOX")


# ---------------------------------------------------------------- 6.3.7 / 6.3.8 SUBSCRIBE, UNSUBSCRIBE


def lsub_names(imap: ImapClient, pattern: str) -> list[str]:
    result = imap.ok("LIST", "(SUBSCRIBED)", '""', quote(pattern))
    return [str(r.data[2].decode() if isinstance(r.data[2], bytes) else r.data[2]) for r in result.of_kind("LIST")]


def test_subscribe_shows_in_list_subscribed_rfc9051_6_3_7(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.7/6.3.9: a subscribed mailbox is returned by LIST (SUBSCRIBED)."""
    imap.ok("SUBSCRIBE", quote(mailbox))
    try:
        assert lsub_names(imap, mailbox) == [mailbox]
    finally:
        imap.ok("UNSUBSCRIBE", quote(mailbox))


def test_subscribed_attribute_in_list_rfc9051_6_3_9(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.9.2: LIST (SUBSCRIBED) marks subscribed names with \\Subscribed."""
    imap.ok("SUBSCRIBE", quote(mailbox))
    try:
        result = imap.ok("LIST", "(SUBSCRIBED)", '""', quote(mailbox))
        assert "\\SUBSCRIBED" in flags_of(result.one("LIST").data[0])
    finally:
        imap.ok("UNSUBSCRIBE", quote(mailbox))


def test_unsubscribe_removes_subscription_rfc9051_6_3_8(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.8: after UNSUBSCRIBE the name is no longer in LIST (SUBSCRIBED)."""
    imap.ok("SUBSCRIBE", quote(mailbox))
    imap.ok("UNSUBSCRIBE", quote(mailbox))
    assert lsub_names(imap, mailbox) == []


def test_subscribe_missing_mailbox_rfc9051_6_3_7(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.7: a server MAY refuse to subscribe a missing name; if it accepts, LIST shows \\NonExistent."""
    name = new_name("-ghost")
    result = imap.command("SUBSCRIBE", quote(name))
    if result.status == "OK":
        try:
            listed = imap.ok("LIST", "(SUBSCRIBED)", '""', quote(name))
            assert "\\NONEXISTENT" in flags_of(listed.one("LIST").data[0])
        finally:
            imap.ok("UNSUBSCRIBE", quote(name))
    else:
        assert result.status == "NO"


def test_subscription_survives_delete_rfc9051_6_3_7(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.7: the server MUST NOT unilaterally remove a name from the subscriptions on DELETE."""
    name = new_name()
    imap.ok("CREATE", quote(name))
    imap.ok("SUBSCRIBE", quote(name))
    try:
        imap.ok("DELETE", quote(name))
        assert lsub_names(imap, name) == [name]
    finally:
        imap.ok("UNSUBSCRIBE", quote(name))


def subscribed_attributes(imap: ImapClient, name: str) -> set[str]:
    """The attributes LIST (SUBSCRIBED) gives ``name``; fails unless it is listed exactly once."""
    return flags_of(imap.ok("LIST", "(SUBSCRIBED)", '""', quote(name)).one("LIST").data[0])


def test_deleted_subscribed_name_is_nonexistent_rfc9051_6_3_9(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.9 / RFC 5258 3.4: a subscribed name whose mailbox was deleted is listed \\NonExistent."""
    name = new_name()
    imap.ok("CREATE", quote(name))
    imap.ok("SUBSCRIBE", quote(name))
    try:
        imap.ok("DELETE", quote(name))
        attributes = subscribed_attributes(imap, name)
        assert {"\\SUBSCRIBED", "\\NONEXISTENT"} <= attributes
        # Created again, the name is an ordinary subscribed mailbox once more.
        imap.ok("CREATE", quote(name))
        attributes = subscribed_attributes(imap, name)
        assert "\\SUBSCRIBED" in attributes
        assert not {"\\NONEXISTENT", "\\NOSELECT"} & attributes
        imap.ok("DELETE", quote(name))
    finally:
        imap.ok("UNSUBSCRIBE", quote(name))


def test_subscription_stays_with_old_name_on_rename_rfc9051_6_3_7(imap: ImapClient, new_name: NewName) -> None:
    """RFC 9051 6.3.7: RENAME takes the mailbox away from its name, but the server must not unilaterally
    drop that name from the subscriptions."""
    old, new = new_name("-old"), new_name("-new")
    imap.ok("CREATE", quote(old))
    imap.ok("SUBSCRIBE", quote(old))
    try:
        imap.ok("RENAME", quote(old), quote(new))
        assert {"\\SUBSCRIBED", "\\NONEXISTENT"} <= subscribed_attributes(imap, old)
        assert new in list_names(imap, new)
    finally:
        imap.ok("UNSUBSCRIBE", quote(old))
        imap.command("UNSUBSCRIBE", quote(new))
        imap.ok("DELETE", quote(new))


def test_unsubscribe_not_subscribed_rfc9051_6_3_8(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.8: UNSUBSCRIBE of a name that is not subscribed is OK or NO, never BAD."""
    assert imap.command("UNSUBSCRIBE", quote(mailbox)).status in {"OK", "NO"}


def test_lsub_for_rev1_clients_rfc3501_6_3_9(imap: ImapClient, mailbox: str) -> None:
    """RFC 9051 6.3.9 / Appendix E (LSUB deprecated): if LSUB is answered, it lists the subscription."""
    imap.ok("SUBSCRIBE", quote(mailbox))
    try:
        result = imap.command("LSUB", '""', quote(mailbox))
        if result.status == "OK":
            assert len(result.of_kind("LSUB")) == 1
        else:
            assert imap.rev2_enabled
            assert result.status == "BAD"
    finally:
        imap.ok("UNSUBSCRIBE", quote(mailbox))
