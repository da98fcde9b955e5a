"""Raw-socket IMAP: exact bytes on the wire, literals, limits, SASL, bad input and recovery."""

from __future__ import annotations

import base64
import socket
from collections.abc import Iterator

import pytest

from elektromail import ServerThread
from elektromail.imap.engine import codes
from elektromail.imap.engine.limits import APPEND_TOTAL_FACTOR, MAX_COMMAND_WITHOUT_APPEND
from tests.conftest import ServerFactory
from tests.integration.imap_client import RawImap, status_of
from tests.servers import client_host


@pytest.fixture
def raw(server: ServerThread) -> Iterator[RawImap]:
    client = RawImap(server.imap_port)
    yield client
    client.close()


def test_greeting_carries_capabilities(raw: RawImap) -> None:
    assert raw.greeting.startswith(b"* OK [CAPABILITY IMAP4rev2 IMAP4rev1 ")
    assert b"AUTH=PLAIN" in raw.greeting
    # Extensions IMAP4rev2 folds in are named too, for IMAP4rev1 clients (RFC 9051 Appendix E).
    for extension in (b"BINARY", b"STATUS=SIZE", b"MOVE", b"UIDPLUS", b"ESEARCH", b"LIST-STATUS"):
        assert b" " + extension + b" " in raw.greeting.replace(b"]", b" ]")


def test_bad_input_gets_bad_and_the_session_goes_on(raw: RawImap) -> None:
    assert status_of(raw.command("FROBNICATE")) == b"BAD"
    assert status_of(raw.command("LOGIN onlyuser")) == b"BAD"
    assert status_of(raw.command('LOGIN "unterminated pass')) == b"BAD"
    raw.send(b"\r\n")
    assert raw.read_line().startswith(b"* BAD")
    raw.send(b"+tag NOOP\r\n")
    assert raw.read_line().startswith(b"* BAD")
    assert status_of(raw.command("NOOP")) == b"OK"
    raw.login()
    assert status_of(raw.command("SELECT")) == b"BAD"
    assert status_of(raw.command("FETCH 1 FLAGS")) == b"BAD"  # not in the selected state
    assert status_of(raw.command("LOGIN user pass")) == b"BAD"  # already authenticated
    assert status_of(raw.command("SELECT INBOX")) == b"OK"


def test_commands_are_case_insensitive_and_pipelined(raw: RawImap) -> None:
    raw.send(b"a1 login user pass\r\na2 select inbox\r\na3 noop\r\n")
    assert status_of(raw.until_tagged("a1")) == b"OK"
    assert b"[READ-WRITE]" in raw.until_tagged("a2")[-1]
    assert status_of(raw.until_tagged("a3")) == b"OK"


def test_synchronizing_literal_gets_a_continuation(raw: RawImap) -> None:
    raw.send(b"a1 LOGIN {4}\r\n")
    assert raw.read_line().startswith(b"+ ")
    raw.send(b"user {4}\r\n")
    assert raw.read_line().startswith(b"+ ")
    raw.send(b"pass\r\n")
    assert status_of(raw.until_tagged("a1")) == b"OK"


def test_non_synchronizing_literal_needs_no_continuation(raw: RawImap) -> None:
    raw.send(b"a1 LOGIN {4+}\r\nuser {4+}\r\npass\r\n")
    assert raw.read_line().startswith(b"a1 OK")


def test_huge_literal_before_login_is_refused_without_reading(raw: RawImap) -> None:
    raw.send(b"a1 LOGIN {4294967295}\r\n")
    line = raw.read_line()
    assert line.startswith(b"a1 NO [" + codes.TOOBIG.encode() + b"]")
    assert status_of(raw.command("LOGIN user pass")) == b"OK"


def test_huge_non_synchronizing_literal_closes_with_bye(raw: RawImap) -> None:
    raw.send(b"a1 LOGIN {4294967295+}\r\nuser")
    assert raw.read_line().startswith(b"* BYE [TOOBIG]")
    with pytest.raises((ConnectionError, OSError)):
        raw.read_line()


def test_small_refused_non_synchronizing_literal_is_drained(raw: RawImap) -> None:
    blob = b"x" * 10000  # over the pre-login literal limit but small enough to drain
    raw.send(b"a1 LOGIN {%d+}\r\n" % len(blob) + blob + b" pass\r\n")
    assert raw.read_line().startswith(b"a1 NO [TOOBIG]")
    assert status_of(raw.command("LOGIN user pass")) == b"OK"


def test_overlong_line_before_login_ends_the_session(raw: RawImap) -> None:
    """Like Dovecot ("* BYE Input buffer full"): before authentication an overlong line is not worth
    waiting out."""
    raw.send(b"a1 LOGIN " + b"x" * (70 * 1024) + b"\r\n")
    assert raw.read_line() == b"* BYE line too long"
    with pytest.raises((ConnectionError, OSError)):
        raw.read_line()


def test_ten_mib_line_is_answered_before_it_ends_and_the_next_command_is_served(raw: RawImap) -> None:
    """Like Dovecot: the tagged BAD goes out once the line passes the limit, while the client is still
    sending; the rest of the line is skipped, whatever its length, and the next command is served."""
    raw.login()
    raw.send(b"a1 SELECT ")
    chunk = b"x" * (1024 * 1024)
    for _ in range(10):
        raw.send(chunk)
    assert raw.read_line() == b"a1 BAD line too long"  # no CRLF sent yet
    raw.send(b"y" * 1000 + b"\r\n")
    assert status_of(raw.command("SELECT INBOX")) == b"OK"


def test_overlong_line_without_a_tag_is_answered_untagged(raw: RawImap) -> None:
    raw.login()
    raw.send(b"x" * (70 * 1024) + b"\r\n")
    assert raw.read_line() == b"* BAD line too long"
    assert status_of(raw.command("NOOP")) == b"OK"


def test_literal_size_that_is_no_number_is_a_syntax_error(raw: RawImap) -> None:
    raw.send(b"a1 LOGIN {99999999999999999999}\r\n")
    assert raw.read_line() == b"a1 BAD literal size is not a valid number"
    raw.login()
    raw.send(b"a2 SELECT {4294967296}\r\n")  # RFC 3501 9: a literal size is a 32-bit number
    assert raw.read_line() == b"a2 BAD literal size is not a valid number"
    assert status_of(raw.command("ENABLE IMAP4rev2")) == b"OK"
    raw.send(b"a3 SELECT {4294967296}\r\n")  # RFC 9051 9: number64, so this is only too large
    assert raw.read_line().startswith(b"a3 NO [TOOBIG]")
    raw.send(b"a4 SELECT {" + b"9" * 30 + b"}\r\n")
    assert raw.read_line() == b"a4 BAD literal size is not a valid number"
    assert status_of(raw.command("SELECT INBOX")) == b"OK"


def test_non_synchronizing_literal_of_no_number_ends_the_session(raw: RawImap) -> None:
    """Its length is unknown, so what follows cannot be told from the next command (as Dovecot does)."""
    raw.login()
    raw.send(b"a1 SELECT {99999999999999999999+}\r\nINBOX\r\n")
    assert raw.read_line() == b"* BYE literal size is not a valid number"
    with pytest.raises((ConnectionError, OSError)):
        raw.read_line()


@pytest.mark.parametrize("name", [b"~foo", b"~", b"a~b", b"x]y"])
def test_tilde_names_work_unquoted(raw: RawImap, name: bytes) -> None:
    """``~`` is an ATOM-CHAR (RFC 9051 9); only append-data reads ``~{`` as a literal8."""
    raw.login()
    assert status_of(raw.command(b'LIST "" ' + name)) == b"OK"
    assert status_of(raw.command(b"CREATE " + name)) == b"OK"
    assert raw.command(b'LIST "" ' + name)[0] == b'* LIST (\\HasNoChildren) "/" "' + name + b'"'
    assert raw.command(b'LIST "" ' + name + b"*")[0] == b'* LIST (\\HasNoChildren) "/" "' + name + b'"'
    assert b"[READ-WRITE]" in raw.command(b"SELECT " + name)[-1]
    assert status_of(raw.command(b"STATUS " + name + b" (MESSAGES)")) == b"OK"
    assert status_of(raw.command(b"SELECT " + name + b"*")) == b"BAD"  # wildcards only in list-mailbox
    assert status_of(raw.command(b"LIST % *")) == b"BAD"  # the reference is a mailbox, not a pattern
    assert status_of(raw.command(b"NOOP")) == b"OK"


def test_too_many_bad_commands_end_the_session(raw: RawImap) -> None:
    for _ in range(20):
        raw.send(b"x BOGUS\r\n")
    lines = [raw.read_line() for _ in range(21)]
    assert lines[-1].startswith(b"* BYE")


def test_authenticate_plain_with_initial_response(raw: RawImap) -> None:
    token = base64.b64encode(b"\0user\0pass").decode()
    lines = raw.command(f"AUTHENTICATE PLAIN {token}")
    assert lines[-1].startswith(b"t1 OK [CAPABILITY ")


def test_authenticate_plain_with_continuation(raw: RawImap) -> None:
    raw.send(b"a1 AUTHENTICATE PLAIN\r\n")
    assert raw.read_line() == b"+ "
    raw.send(base64.b64encode(b"\0user\0wrong") + b"\r\n")
    assert raw.read_line().startswith(b"a1 NO [AUTHENTICATIONFAILED]")


def test_authenticate_login_and_cancel(raw: RawImap) -> None:
    raw.send(b"a1 AUTHENTICATE LOGIN\r\n")
    assert raw.read_line() == b"+ VXNlcm5hbWU6"
    raw.send(b"*\r\n")
    assert raw.read_line().startswith(b"a1 BAD")
    raw.send(b"a2 AUTHENTICATE LOGIN " + base64.b64encode(b"user") + b"\r\n")
    assert raw.read_line() == b"+ UGFzc3dvcmQ6"
    raw.send(base64.b64encode(b"pass") + b"\r\n")
    assert raw.read_line().startswith(b"a2 OK")


def test_authenticate_bad_base64_and_unknown_mechanism(raw: RawImap) -> None:
    assert status_of(raw.command("AUTHENTICATE PLAIN !!!")) == b"BAD"
    lines = raw.command("AUTHENTICATE GSSAPI")
    assert status_of(lines) == b"NO"
    assert status_of(raw.command("LOGIN user pass")) == b"OK"


def test_id_before_login(raw: RawImap) -> None:
    lines = raw.command('ID ("name" "raw test" "version" NIL)')
    assert lines[0].startswith(b'* ID ("name" "elektromail"')
    assert status_of(raw.command("ID NIL")) == b"OK"
    assert status_of(raw.command("ID (")) == b"BAD"


def test_enable_is_refused_before_login(raw: RawImap) -> None:
    assert status_of(raw.command("ENABLE IMAP4rev2")) == b"BAD"


def test_append_with_literal_plus_and_utf8_names(raw: RawImap) -> None:
    raw.login()
    assert status_of(raw.command('CREATE "Entw&APw-rfe"')) == b"OK"
    listed = raw.command('LIST "" "Entw*"')
    assert listed[0] == b'* LIST (\\HasNoChildren) "/" "Entw&APw-rfe"'
    message = b"Subject: x\r\n\r\nhi\r\n"
    raw.send(b'a1 APPEND "Entw&APw-rfe" (\\Seen) {%d+}\r\n' % len(message) + message + b"\r\n")
    reply = raw.until_tagged("a1")[-1]
    assert reply.startswith(b"a1 OK [APPENDUID ")
    assert raw.command("ENABLE UTF8=ACCEPT")[0] == b"* ENABLED UTF8=ACCEPT"
    listed = raw.command('LIST "" "Entw*"')
    assert listed[0] == '* LIST (\\HasNoChildren) "/" "Entwürfe"'.encode()
    status = raw.command('STATUS "Entwürfe" (MESSAGES UNSEEN)'.encode())
    assert status[0] == '* STATUS "Entwürfe" (MESSAGES 1 UNSEEN 0)'.encode()


def test_append_utf8_data_extension(raw: RawImap) -> None:
    """RFC 6855 4: with UTF8=ACCEPT, APPEND takes ``UTF8 (~{n} ...)`` and stores the octets unchanged."""
    raw.login()
    assert raw.command("ENABLE UTF8=ACCEPT")[0] == b"* ENABLED UTF8=ACCEPT"
    message = "From: Jörg <jörg@bücher.example>\r\nSubject: Grüße\r\n\r\nhallo\r\n".encode()
    raw.send(b"a1 APPEND INBOX (\\Seen) UTF8 (~{%d+}\r\n" % len(message) + message + b")\r\n")
    assert raw.until_tagged("a1")[-1].startswith(b"a1 OK [APPENDUID ")
    raw.send(b"a2 APPEND INBOX utf8 (~{%d}\r\n" % len(message))
    assert raw.read_line().startswith(b"+ ")
    raw.send(message + b")\r\n")
    assert raw.until_tagged("a2")[-1].startswith(b"a2 OK [APPENDUID ")
    raw.command("SELECT INBOX")
    fetched = raw.command("FETCH 1:2 (FLAGS BODY.PEEK[])")
    assert b"".join(fetched).count(message) == 2
    assert fetched[0].startswith(b"* 1 FETCH (FLAGS (\\Seen ")
    # The data must be a literal8, in parentheses.
    raw.send(b"a3 APPEND INBOX UTF8 ({%d+}\r\n" % len(message) + message + b")\r\n")
    assert status_of(raw.until_tagged("a3")) == b"BAD"
    raw.send(b"a4 APPEND INBOX UTF8 (~{%d+}\r\n" % len(message) + message + b"\r\n")
    assert status_of(raw.until_tagged("a4")) == b"BAD"
    assert raw.command("STATUS INBOX (MESSAGES)")[0] == b'* STATUS "INBOX" (MESSAGES 2)'


def test_multiappend_is_all_or_nothing(raw: RawImap) -> None:
    """RFC 3502: several messages in one APPEND; if one cannot be stored, none is."""
    raw.login()
    first, second = b"Subject: one\r\n\r\n1\r\n", b"Subject: two\r\n\r\n2\r\n"
    raw.send(b"a1 APPEND INBOX {%d}\r\n" % len(first))
    assert raw.read_line().startswith(b"+ ")
    raw.send(first + b' (\\Flagged) "01-Jan-2020 10:00:00 +0000" {%d}\r\n' % len(second))
    assert raw.read_line().startswith(b"+ ")
    raw.send(second + b"\r\n")
    reply = raw.until_tagged("a1")[-1]
    assert reply.startswith(b"a1 OK [APPENDUID ") and b" 1:2]" in reply
    # An empty message in the middle: NO, and neither of the others is stored.
    raw.send(b"a2 APPEND INBOX {%d+}\r\n%b {0+}\r\n {%d+}\r\n%b\r\n" % (len(first), first, len(second), second))
    assert raw.until_tagged("a2")[-1].startswith(b"a2 NO [CANNOT]")
    # A broken second message is a syntax error for the whole command: nothing is stored either.
    raw.send(b"a3 APPEND INBOX {%d+}\r\n%b (\\Seen\r\n" % (len(first), first))
    assert status_of(raw.until_tagged("a3")) == b"BAD"
    assert raw.command("STATUS INBOX (MESSAGES)")[0] == b'* STATUS "INBOX" (MESSAGES 2)'


def test_multiappend_total_and_per_message_limits(make_server: ServerFactory) -> None:
    limit = 300_000
    server = make_server(max_message_size=limit)
    raw = RawImap(server.imap_port)
    try:
        raw.login()
        small, large = b"Subject: s\r\n\r\nx\r\n", b"Subject: l\r\n\r\n" + b"y" * limit + b"\r\n"
        raw.send(b"a1 APPEND INBOX {%d+}\r\n%b {%d+}\r\n%b\r\n" % (len(small), small, len(large), large))
        assert b"[TOOBIG]" in raw.until_tagged("a1")[-1]
        # Each message within APPENDLIMIT, but together beyond four times it (and the room left for the
        # command's own text): TOOBIG, nothing stored.
        message = b"Subject: b\r\n\r\n" + b"z" * (limit - 100)
        assert 8 * len(message) > APPEND_TOTAL_FACTOR * limit + MAX_COMMAND_WITHOUT_APPEND
        batch = b"".join(b" {%d+}\r\n%b" % (len(m), m) for m in [message] * 8)
        raw.send(b"a2 APPEND INBOX" + batch + b"\r\n")
        assert b"[TOOBIG]" in raw.until_tagged("a2")[-1]
        assert raw.command("STATUS INBOX (MESSAGES)")[0] == b'* STATUS "INBOX" (MESSAGES 0)'
        assert status_of(raw.command("NOOP")) == b"OK"
    finally:
        raw.close()


def test_fetch_preview(raw: RawImap) -> None:
    """RFC 8970: FETCH PREVIEW (with or without LAZY) gives the start of the text, and sets no flag."""
    raw.login()
    assert b" PREVIEW " in raw.greeting.replace(b"]", b" ]")
    message = b"Subject: p\r\nContent-Type: text/html\r\n\r\n<p>Hello &quot;you&quot;</p>\r\n"
    raw.send(b"a1 APPEND INBOX {%d+}\r\n%b\r\n" % (len(message), message))
    assert status_of(raw.until_tagged("a1")) == b"OK"
    raw.command("SELECT INBOX")
    assert raw.command("FETCH 1 (PREVIEW)")[0] == b'* 1 FETCH (PREVIEW "Hello \\"you\\"")'
    assert raw.command("FETCH 1 (PREVIEW (LAZY) FLAGS)")[0] == b'* 1 FETCH (PREVIEW "Hello \\"you\\"" FLAGS (\\Recent))'
    # A parenthesis after PREVIEW that is not LAZY is the FETCH modifiers' (CHANGEDSINCE, RFC 7162).
    (fetched,) = [line for line in raw.command("FETCH 1 PREVIEW (CHANGEDSINCE 0)") if line.startswith(b"* 1 FETCH")]
    assert fetched.startswith(b'* 1 FETCH (PREVIEW "Hello \\"you\\"" ') and b"MODSEQ (" in fetched
    assert status_of(raw.command("FETCH 1 (PREVIEW (EAGER))")) == b"BAD"


def test_rev1_rejects_8bit_mailbox_names(raw: RawImap) -> None:
    raw.login()
    assert status_of(raw.command('CREATE "Entwürfe"'.encode())) == b"BAD"


def test_rev2_select_sends_list_and_no_recent(server: ServerThread, raw: RawImap) -> None:
    server.call(lambda: server.server.store.deliver(["user"], b"Subject: a\r\n\r\nx\r\n"))
    raw.login()
    raw.command("ENABLE IMAP4rev2")
    lines = raw.command("SELECT INBOX")
    assert b"* 1 EXISTS" in lines
    assert not any(line.endswith(b"RECENT") for line in lines)
    assert not any(b"[UNSEEN" in line for line in lines)
    assert b'* LIST (\\HasNoChildren) "/" "INBOX"' in lines
    assert any(line.startswith(b"* OK [UIDVALIDITY ") for line in lines)
    assert any(line.startswith(b"* OK [UIDNEXT 2]") for line in lines)
    assert any(line.startswith(b"* OK [PERMANENTFLAGS (") for line in lines)
    lines = raw.command("SELECT INBOX")
    assert lines[0] == b"* OK [CLOSED] previous mailbox closed"


def test_fetch_rejects_numbers_beyond_the_mailbox(server: ServerThread, raw: RawImap) -> None:
    raw.login()
    raw.command("SELECT INBOX")
    assert status_of(raw.command("FETCH 1 FLAGS")) == b"BAD"
    assert status_of(raw.command("UID FETCH 1:* FLAGS")) == b"OK"


def test_list_extended_syntax_errors(raw: RawImap) -> None:
    raw.login()
    assert status_of(raw.command('LIST (RECURSIVEMATCH) "" "*"')) == b"BAD"
    assert status_of(raw.command('LIST (BOGUS) "" "*"')) == b"BAD"
    assert status_of(raw.command('LIST "" "*" RETURN (BOGUS)')) == b"BAD"
    assert status_of(raw.command('LIST "" ("INBOX" "Nope")')) == b"OK"


def test_literal_split_over_many_packets(server: ServerThread) -> None:
    with socket.create_connection((client_host(), server.imap_port), timeout=5) as sock:
        sock.recv(4096)
        for piece in (b"a1 LOG", b"IN {4+}\r\nu", b"ser ", b'"pa', b'ss"\r\n'):
            sock.sendall(piece)
        data = b""
        while b"\r\n" not in data:
            data += sock.recv(4096)
        assert data.startswith(b"a1 OK")


def test_append_limit_applies_only_to_append(make_server: ServerFactory) -> None:
    server = make_server(max_message_size=50)
    with RawImap(server.imap_port) as raw:
        raw.login()
        raw.send(b"a1 APPEND INBOX {51}\r\n")
        assert raw.read_line().startswith(b"a1 NO [TOOBIG]")
        raw.send(b"a2 APPEND INBOX {5+}\r\nab\r\nc\r\n")
        assert raw.read_line().startswith(b"a2 OK [APPENDUID")


def test_overlong_line_instead_of_done_ends_idle_with_bad(raw: RawImap) -> None:
    raw.login()
    raw.command("SELECT INBOX")
    raw.send(b"i1 IDLE\r\n")
    assert raw.read_line().startswith(b"+ ")
    raw.send(b"D" * (70 * 1024))
    assert raw.read_line() == b"i1 BAD IDLE: line too long"
    raw.send(b"ONE\r\n")  # the rest of that line is skipped
    assert status_of(raw.command("NOOP")) == b"OK"


def test_overlong_line_after_a_literal_is_answered_with_the_commands_tag(raw: RawImap) -> None:
    raw.login()
    raw.send(b"a1 LIST {1+}\r\nx " + b"y" * (70 * 1024) + b"\r\n")
    assert raw.read_line() == b"a1 BAD line too long"
    assert status_of(raw.command("NOOP")) == b"OK"
