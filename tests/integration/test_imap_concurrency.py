"""Two sessions of one user see each other's changes: at command boundaries, and at once in IDLE."""

from __future__ import annotations

from collections.abc import Iterator

import imapclient
import pytest

from elektromail import ServerThread
from elektromail.store import FlagMode
from tests.integration.imap_client import RawImap, status_of
from tests.servers import client_host, require_in_process

MESSAGE = b"Subject: concurrent\r\n\r\nbody\r\n"


def deliver(server: ServerThread, count: int = 1) -> None:
    for _ in range(count):
        server.call(lambda: server.server.store.deliver(["user"], MESSAGE))


def set_flags(server: ServerThread, uids: list[int], flags: list[str], mode: FlagMode = FlagMode.ADD) -> None:
    store = server.server.store

    async def change() -> None:
        account = store.account("user")
        assert account is not None
        inbox = account.inbox
        await store.set_flags(inbox, [inbox.by_uid[uid] for uid in uids], flags, mode)

    server.call(change)


def expunge(server: ServerThread, uids: list[int]) -> None:
    store = server.server.store

    async def remove() -> None:
        account = store.account("user")
        assert account is not None
        await store.expunge(account.inbox, uids)

    server.call(remove)


@pytest.fixture
def pair(server: ServerThread) -> Iterator[tuple[RawImap, RawImap]]:
    first, second = RawImap(server.imap_port), RawImap(server.imap_port)
    for client in (first, second):
        client.login()
        client.command("SELECT INBOX")
    yield first, second
    first.close()
    second.close()


def test_new_message_is_announced_at_the_next_command(server: ServerThread, pair: tuple[RawImap, RawImap]) -> None:
    first, second = pair
    deliver(server)
    lines = first.command("NOOP")
    assert lines[:2] == [b"* 1 EXISTS", b"* 1 RECENT"]
    lines = second.command("NOOP")
    assert lines[:2] == [b"* 1 EXISTS", b"* 0 RECENT"]  # \Recent went to the first session
    assert len(first.command("NOOP")) == 1  # nothing new: only the tagged OK


def test_append_in_one_session_reaches_the_other(pair: tuple[RawImap, RawImap]) -> None:
    first, second = pair
    first.send(b"a1 APPEND INBOX {%d+}\r\n" % len(MESSAGE) + MESSAGE + b"\r\n")
    assert b"* 1 EXISTS" in first.until_tagged("a1")
    assert b"* 1 EXISTS" in second.command("CHECK")


def test_flag_change_is_an_unsolicited_fetch(server: ServerThread, pair: tuple[RawImap, RawImap]) -> None:
    first, second = pair
    deliver(server)
    first.command("NOOP")
    second.command("NOOP")
    first.command("FETCH 1 BODY[]")  # sets \Seen from the first session
    lines = second.command("NOOP")
    assert lines[0] == b"* 1 FETCH (UID 1 FLAGS (\\Seen))"
    set_flags(server, [1], ["\\Flagged"])
    assert first.command("NOOP")[0] == b"* 1 FETCH (UID 1 FLAGS (\\Flagged \\Seen \\Recent))"


def test_expunge_waits_for_a_command_that_allows_it(server: ServerThread, pair: tuple[RawImap, RawImap]) -> None:
    first, _ = pair
    deliver(server, 3)
    first.command("NOOP")
    expunge(server, [2])
    lines = first.command("FETCH 1:* (UID)")  # RFC 9051 7.5.1: no EXPUNGE during FETCH
    assert not any(line.endswith(b"EXPUNGE") for line in lines)
    assert b"* 2 FETCH (UID 2)" in lines  # the client's sequence numbers still hold
    lines = first.command("NOOP")
    assert lines[0] == b"* 2 EXPUNGE"
    lines = first.command("FETCH 1:* (UID)")
    assert lines[:2] == [b"* 1 FETCH (UID 1)", b"* 2 FETCH (UID 3)"]


def test_added_then_expunged_before_the_client_heard_is_never_announced(
    server: ServerThread, pair: tuple[RawImap, RawImap]
) -> None:
    first, _ = pair
    deliver(server)
    expunge(server, [1])
    assert status_of(first.command("NOOP")) == b"OK"
    assert len(first.command("NOOP")) == 1


def test_idle_delivers_updates_immediately(server: ServerThread, pair: tuple[RawImap, RawImap]) -> None:
    first, second = pair
    first.send(b"i1 IDLE\r\n")
    assert first.read_line().startswith(b"+ ")
    deliver(server)
    assert first.read_line() == b"* 1 EXISTS"
    assert first.read_line() == b"* 1 RECENT"
    second.command("NOOP")
    second.command("FETCH 1 BODY[]")
    assert first.read_line() == b"* 1 FETCH (UID 1 FLAGS (\\Seen \\Recent))"
    expunge(server, [1])
    assert first.read_line() == b"* 1 EXPUNGE"
    first.send(b"DONE\r\n")
    assert first.read_line() == b"i1 OK IDLE completed"
    assert status_of(first.command("NOOP")) == b"OK"


def test_idle_needs_done(pair: tuple[RawImap, RawImap]) -> None:
    first, _ = pair
    first.send(b"i1 IDLE\r\n")
    first.read_line()
    first.send(b"NOPE\r\n")
    assert first.read_line().startswith(b"i1 BAD")
    assert status_of(first.command("NOOP")) == b"OK"


def test_deleting_the_selected_mailbox_elsewhere_ends_the_session(server: ServerThread) -> None:
    with RawImap(server.imap_port) as first, RawImap(server.imap_port) as second:
        first.login()
        second.login()
        first.command("CREATE Box")
        first.command("SELECT Box")
        assert status_of(second.command("DELETE Box")) == b"OK"
        assert first.command("NOOP")[0].startswith(b"* BYE")


def test_imapclient_idle_sees_delivery(server: ServerThread) -> None:
    require_in_process(server)  # delivers through the store
    client = imapclient.IMAPClient(client_host(), port=server.imap_port, ssl=False, timeout=5)
    client.login("user", "pass")
    client.select_folder("INBOX")
    client.idle()
    deliver(server)
    responses = client.idle_check(timeout=5)
    client.idle_done()
    assert (1, b"EXISTS") in responses
    client.logout()


SYSTEM_FLAGS = b"\\Seen \\Answered \\Flagged \\Deleted \\Draft"


def flags_line(keyword: bytes) -> bytes:
    return b"* FLAGS (" + SYSTEM_FLAGS + b" " + keyword + b")"


@pytest.fixture
def both_see_a_message(pair: tuple[RawImap, RawImap]) -> tuple[RawImap, RawImap]:
    """The pair, after the first session APPENDed one message (it took \\Recent) and both heard of it."""
    first, second = pair
    first.send(b"a0 APPEND INBOX {%d+}\r\n" % len(MESSAGE) + MESSAGE + b"\r\n")
    assert status_of(first.until_tagged("a0")) == b"OK"
    assert b"* 1 EXISTS" in second.command("NOOP")
    return pair


def test_new_keyword_is_announced_to_every_session_before_a_fetch_shows_it(
    both_see_a_message: tuple[RawImap, RawImap],
) -> None:
    """RFC 9051 7.3.5: FLAGS (and PERMANENTFLAGS) before the first FETCH that carries a new keyword."""
    first, second = both_see_a_message
    own = first.command("STORE 1 +FLAGS ($Label1)")
    assert own[0] == flags_line(b"$Label1")
    assert own[1].startswith(b"* OK [PERMANENTFLAGS (" + SYSTEM_FLAGS + b" $Label1 \\*)]")
    assert own[2] == b"* 1 FETCH (FLAGS ($Label1 \\Recent))"  # the first session took \Recent
    fetched = second.command("FETCH 1 FLAGS")  # the pending update has not been delivered yet
    assert fetched[0] == flags_line(b"$Label1")
    assert fetched[1].startswith(b"* OK [PERMANENTFLAGS (")
    assert fetched[2] == b"* 1 FETCH (FLAGS ($Label1))"
    assert b"* FLAGS" not in b"\n".join(second.command("NOOP"))  # told once
    assert b"* FLAGS" not in b"\n".join(first.command("STORE 1 -FLAGS ($Label1)"))


def test_new_keyword_reaches_an_idle_session_before_its_fetch(both_see_a_message: tuple[RawImap, RawImap]) -> None:
    first, second = both_see_a_message
    second.send(b"i1 IDLE\r\n")
    assert second.read_response().startswith(b"+ ")
    first.command("STORE 1 +FLAGS.SILENT (Work)")
    assert second.read_response() == flags_line(b"Work")
    assert second.read_response().startswith(b"* OK [PERMANENTFLAGS (" + SYSTEM_FLAGS + b" Work \\*)]")
    assert second.read_response() == b"* 1 FETCH (UID 1 FLAGS (Work))"
    second.send(b"DONE\r\n")
    assert status_of(second.until_tagged("i1")) == b"OK"


def test_appended_message_with_a_new_keyword_is_announced_before_exists(pair: tuple[RawImap, RawImap]) -> None:
    first, second = pair
    first.send(b"a1 APPEND INBOX (Todo) {%d+}\r\n" % len(MESSAGE) + MESSAGE + b"\r\n")
    first.until_tagged("a1")
    lines = second.command("NOOP")
    assert lines[0] == flags_line(b"Todo")
    assert lines[2] == b"* 1 EXISTS"


def test_store_on_a_message_expunged_elsewhere_announces_its_keywords(
    both_see_a_message: tuple[RawImap, RawImap],
) -> None:
    """The message stays in the first session's view until EXPUNGE may be sent; STORE still reports its
    flags, so a keyword the other session gave it is announced first."""
    first, second = both_see_a_message
    second.command("STORE 1 +FLAGS.SILENT (Invoice \\Deleted)")
    second.command("EXPUNGE")
    lines = first.command("STORE 1 +FLAGS (\\Flagged)")
    assert lines[0] == flags_line(b"Invoice")
    assert lines[2].startswith(b"* 1 FETCH (FLAGS (") and b"Invoice" in lines[2]
    assert b"* 1 EXPUNGE" in first.command("NOOP")
