"""The SMTP state machine without a socket: lines and message content in, reply lines out.

The session queues reply bytes and returns what it needs from its connection (a deferred reply, TLS);
these helpers play the connection's part just far enough to run a deferred reply to its end.
"""

from __future__ import annotations

import base64

import pytest

from elektromail.config import Config
from elektromail.context import Lifecycle, ServerContext
from elektromail.delivery.rules import parse_rules
from elektromail.delivery.service import Delivery
from elektromail.smtp import replies
from elektromail.smtp.actions import START_TLS, Action, Deferred
from elektromail.smtp.data import ChunkReader, DataReader
from elektromail.smtp.limits import BAD_COMMAND_LIMIT
from elektromail.smtp.session import SmtpSession
from elektromail.smtp.settings import SmtpSettings
from elektromail.smtp.state import State
from elektromail.store import Store


async def _session(config: Config | None = None, rules: str | None = None) -> SmtpSession:
    store = Store()
    await store.add_user("user", "pass")
    config = config or Config()
    context = ServerContext(config, store, Delivery.from_config(config, store), None, Lifecycle())
    context.delivery.rules = parse_rules(rules)
    session = SmtpSession(SmtpSettings(context))
    session.greet()
    return session


def _replies(session: SmtpSession) -> list[str]:
    """The reply lines queued so far, taken off the session's output."""
    text = b"".join(session.out).decode()
    session.out.clear()
    return text.split("\r\n")[:-1]


async def _settle(session: SmtpSession, action: Action) -> None:
    """Run a deferred reply as the connection would (without sleeping through a rule's delay)."""
    assert action is not START_TLS
    if isinstance(action, Deferred):
        reply = action.reply if action.work is None else await action.work()
        session.resume(reply)


async def _say(session: SmtpSession, *lines: str) -> list[str]:
    """Send command lines in one pipelined batch; the replies to all of them."""
    for line in lines:
        await _settle(session, session.line(line.encode()))
    return _replies(session)


async def _data(session: SmtpSession, content: bytes) -> list[str]:
    """The DATA section (with its terminator) after a 354."""
    assert _state(session) is State.DATA and isinstance(session.data, DataReader)
    result = session.data.feed(bytearray(content))
    assert result is not None
    await _settle(session, session.message_complete(result))
    return _replies(session)


async def _chunk(session: SmtpSession, header: str, octets: bytes) -> list[str]:
    """``BDAT`` and its octets."""
    assert session.line(header.encode()) is None
    assert _state(session) is State.CHUNK and isinstance(session.chunk, ChunkReader)
    assert session.chunk.feed(bytearray(octets))
    await _settle(session, session.chunk_complete())
    return _replies(session)


def _inbox(session: SmtpSession) -> list[bytes]:
    account = session.settings.context.store.account("user")
    assert account is not None
    return [message.raw for message in account.mailboxes["INBOX"].messages]


def _state(session: SmtpSession) -> State:
    return session.state  # read afresh: each command may move it


def _codes(lines: list[str]) -> list[str]:
    return [line[:3] for line in lines]


MESSAGE = b"From: a@example.org\r\nDate: Mon, 7 Dec 2026 06:00:00 +0000\r\n\r\nHello\r\n..dot\r\n"


async def test_the_banner_then_a_transaction_stores_the_message() -> None:
    session = await _session()
    assert _replies(session)[0].startswith("220 ")
    ehlo = await _say(session, "EHLO client.example")
    assert ehlo[0].startswith("250-") and "250-PIPELINING" in ehlo and "250-CHUNKING" in ehlo
    assert _codes(await _say(session, "MAIL FROM:<a@example.org>", "RCPT TO:<user@example.org>", "DATA")) == [
        "250",
        "250",
        "354",
    ]
    assert await _data(session, MESSAGE + b".\r\n") == ["250 2.0.0 Message accepted for delivery"]
    assert _inbox(session) == [MESSAGE.replace(b"\r\n..dot", b"\r\n.dot")]
    assert _state(session) is State.COMMAND and session.envelope.sender is None


async def test_commands_out_of_sequence_get_503_and_change_nothing() -> None:
    session = await _session()
    _replies(session)
    assert await _say(session, "MAIL FROM:<a@example.org>") == ["503 5.5.1 Send HELO/EHLO first"]
    await _say(session, "EHLO client.example")
    assert _codes(await _say(session, "RCPT TO:<user@example.org>", "DATA", "BDAT 3 LAST")) == ["503", "503"]
    assert _state(session) is State.CHUNK  # the refused chunk's octets are still read, never taken for commands
    assert session.chunk is not None and session.chunk.feed(bytearray(b"abc"))
    session.chunk_complete()
    assert _codes(_replies(session)) == ["503"]
    assert _codes(await _say(session, "MAIL FROM:<a@example.org>", "MAIL FROM:<b@example.org>")) == ["250", "503"]
    assert _codes(await _say(session, "DATA")) == ["503"]  # no RCPT yet
    assert session.envelope.sender == "a@example.org" and _state(session) is State.COMMAND


async def test_rset_ends_the_transaction_and_quit_closes() -> None:
    session = await _session()
    await _say(session, "EHLO client.example", "MAIL FROM:<a@example.org>", "RCPT TO:<user@example.org>")
    assert await _say(session, "RSET") == ["250 2.0.0 Reset OK"]
    assert session.envelope.sender is None and session.envelope.recipients == []
    assert _codes(await _say(session, "DATA")) == ["503"]
    assert await _say(session, "QUIT") == ["221 2.0.0 Bye"]
    assert _state(session) is State.CLOSED


async def test_commands_outside_a_transaction_leave_the_shared_empty_envelope_untouched() -> None:
    first, second = await _session(), await _session()
    for session in (first, second):
        _replies(session)
        await _say(
            session, "EHLO client.example", "RCPT TO:<user@example.org>", "RCPT TO:<user@example.org> NOTIFY=NEVER"
        )
        await _say(session, "DATA")
        await _chunk(session, "BDAT 3", b"abc")
        await _say(session, "RSET", "AUTH PLAIN AHVzZXIAcGFzcw==")
    assert first.envelope is second.envelope  # between transactions every session has the same one
    empty = first.envelope
    assert empty.sender is None and empty.recipients == [] and not empty.rcpt_attempted
    assert empty.chunks is None and empty.mail_parameters == {} and empty.rcpt_parameters == []
    await _say(first, "MAIL FROM:<a@example.org> SIZE=10", "RCPT TO:<user@example.org>")
    await _say(second, "MAIL FROM:<b@example.org>")
    assert first.envelope is not empty and second.envelope is not empty and first.envelope is not second.envelope
    assert [first.envelope.sender, second.envelope.sender] == ["a@example.org", "b@example.org"]
    assert empty.sender is None and empty.recipients == [] and empty.mail_parameters == {}


async def test_a_pipelined_batch_is_answered_in_order() -> None:
    session = await _session()
    _replies(session)
    for line in ("EHLO c", "MAIL FROM:<a@example.org>", "RCPT TO:<nobody@example.org>", "RCPT TO:<", "NOOP"):
        assert session.line(line.encode()) is None
    replies = _replies(session)
    assert replies[0] == "250-" + session.settings.hostname
    assert replies[-4:] == [
        "250 2.1.0 Sender OK",
        "250 2.1.5 Recipient OK",
        "501 5.1.3 Bad recipient address syntax",
        "250 2.0.0 OK",
    ]


async def test_bdat_chunks_make_one_message_and_data_after_bdat_is_refused() -> None:
    session = await _session()
    await _say(session, "EHLO c", "MAIL FROM:<a@example.org>", "RCPT TO:<user@example.org>")
    assert await _chunk(session, "BDAT 6", b"Hello ") == ["250 2.0.0 6 octets received"]
    assert _codes(await _say(session, "DATA")) == ["503"]
    assert await _chunk(session, "BDAT 7 LAST", b"world\r\n") == ["250 2.0.0 Message accepted for delivery"]
    assert _inbox(session) == [b"Hello world\r\n"]


async def test_auth_plain_succeeds_once_and_fails_with_a_wrong_password() -> None:
    session = await _session(Config(smtp_auth_required=True))
    await _say(session, "EHLO c")
    assert _codes(await _say(session, "MAIL FROM:<a@example.org>")) == ["530"]
    wrong = base64.b64encode(b"\0user\0nope").decode()
    assert await _say(session, f"AUTH PLAIN {wrong}") == ["535 5.7.8 Authentication credentials invalid"]
    right = base64.b64encode(b"\0user\0pass").decode()
    assert await _say(session, f"AUTH PLAIN {right}") == ["235 2.7.0 Authentication successful"]
    assert session.user == "user"
    assert _codes(await _say(session, f"AUTH PLAIN {right}", "MAIL FROM:<a@example.org>")) == ["503", "250"]


async def test_auth_with_challenges_takes_the_next_line_as_a_response() -> None:
    session = await _session()
    await _say(session, "EHLO c")
    assert await _say(session, "AUTH PLAIN") == ["334 "]
    assert _state(session) is State.SASL
    assert _codes(await _say(session, "*")) == ["501"]
    assert _state(session) is State.COMMAND and session.user is None
    assert await _say(session, "AUTH PLAIN") == ["334 "]
    assert await _say(session, base64.b64encode(b"\0user\0pass").decode()) == ["235 2.7.0 Authentication successful"]
    assert _codes(await _say(session, "AUTH LOGIN", "HELO c", "AUTH LOGIN")) == ["503", "250", "503"]


async def test_strict_mode_refuses_undeclared_8bit_and_takes_it_when_declared() -> None:
    session = await _session(Config(smtp_strict=True))
    eight_bit = MESSAGE.replace(b"Hello", "Grüße".encode())
    await _say(session, "EHLO c", "MAIL FROM:<a@example.org>", "RCPT TO:<user@example.org>", "DATA")
    assert _codes(await _data(session, eight_bit + b".\r\n")) == ["554"]
    await _say(session, "MAIL FROM:<a@example.org> BODY=8BITMIME", "RCPT TO:<user@example.org>", "DATA")
    assert _codes(await _data(session, eight_bit + b".\r\n")) == ["250"]
    assert _inbox(session) == [eight_bit.replace(b"\r\n..dot", b"\r\n.dot")]


async def test_a_non_ascii_address_needs_smtputf8_and_parameters_need_ehlo() -> None:
    session = await _session()
    await _say(session, "HELO c")
    assert _codes(await _say(session, "MAIL FROM:<a@example.org> BODY=8BITMIME")) == ["555"]
    await _say(session, "EHLO c")
    assert _codes(await _say(session, "MAIL FROM:<jörg@example.org>")) == ["553"]
    assert _codes(await _say(session, "MAIL FROM:<jörg@example.org> SMTPUTF8")) == ["250"]


async def test_repeated_bad_commands_end_the_session_with_421() -> None:
    session = await _session()
    _replies(session)
    replies = await _say(session, *["BOGUS"] * BAD_COMMAND_LIMIT)
    assert _codes(replies) == ["500"] * BAD_COMMAND_LIMIT + ["421"]
    assert _state(session) is State.CLOSED


async def test_fault_rules_stage_a_delay_a_refusal_and_a_hang_up() -> None:
    rules = (
        '[{"action": "delay", "ms": 250, "recipient": "slow@*"},'
        ' {"action": "tempfail", "recipient": "busy@*"},'
        ' {"action": "disconnect", "stage": "rcpt", "recipient": "gone@*"}]'
    )
    session = await _session(rules=rules)
    await _say(session, "EHLO c", "MAIL FROM:<a@example.org>")
    delayed = session.line(b"RCPT TO:<slow@example.org>")
    assert isinstance(delayed, Deferred) and delayed.delay_ms == 250
    await _settle(session, delayed)
    assert _codes(_replies(session)) == ["250"]
    assert _codes(await _say(session, "RCPT TO:<busy@example.org>")) == ["451"]
    assert await _say(session, "RCPT TO:<gone@example.org>") == []
    assert _state(session) is State.CLOSED


async def test_starttls_is_refused_where_it_is_not_offered() -> None:
    session = await _session()
    assert _codes(await _say(session, "EHLO c", "STARTTLS"))[-1] == "502"  # no TLS configured


def _envelope_facts(session: SmtpSession) -> tuple[object, ...]:
    envelope = session.envelope
    recipients = [(r.address, r.user, r.verdict, r.notify, r.original_recipient) for r in envelope.recipients]
    return (envelope.sender, recipients, envelope.rcpt_attempted, envelope.mail_parameters, envelope.record())


SHAPE_DIALOGUES = [
    ["MAIL FROM:<a@example.org>"],  # before EHLO
    ["EHLO c.example", "MAIL FROM:<a@example.org>", "RCPT TO:<Alice+tag@example.org>", "RCPT TO:<user@example.org>"],
    ["EHLO c.example", "RCPT TO:<user@example.org>", "MAIL FROM:<a@example.org>", "MAIL FROM:<b@example.org>"],
    ["HELO c.example", "MAIL FROM:<a@[192.0.2.1]>", "RCPT TO:<x@y.example>", "RCPT TO:<z@y.example>"],  # over the limit
]


async def test_commands_in_the_common_shape_are_answered_as_any_other_spelling() -> None:
    """Upper-case MAIL/RCPT without parameters take a shorter path; lower-case verbs take the generic one."""
    configs = [Config(max_recipients=1), Config(smtp_auth_required=True)]
    rules = [None, '[{"recipient": "*@y.example", "action": "reject"}]']
    for dialogue in SHAPE_DIALOGUES:
        for config in configs:
            for rule in rules:
                common, other = await _session(config, rule), await _session(config, rule)
                answers = await _say(common, *dialogue)
                spelled = [line[:4].lower() + line[4:] if line[:4] in ("MAIL", "RCPT") else line for line in dialogue]
                assert answers == await _say(other, *spelled)
                assert _envelope_facts(common) == _envelope_facts(other)


async def test_a_store_that_fails_costs_the_message_not_the_session(monkeypatch: pytest.MonkeyPatch) -> None:
    session = await _session()
    store = session.settings.context.store
    await _say(session, "EHLO c.example", "MAIL FROM:<a@example.org>", "RCPT TO:<user@example.org>", "DATA")

    def broken(*arguments: object) -> None:
        raise RuntimeError("the store broke")

    monkeypatch.setattr(store, "deliver_at_once", broken)
    assert await _data(session, MESSAGE + b".\r\n") == [replies.LOCAL_ERROR.wire.decode().rstrip()]
    monkeypatch.undo()
    assert _codes(await _say(session, "MAIL FROM:<a@example.org>", "RCPT TO:<user@example.org>", "DATA")) == [
        "250",
        "250",
        "354",
    ]
    assert await _data(session, MESSAGE + b".\r\n") == ["250 2.0.0 Message accepted for delivery"]
    assert len(_inbox(session)) == 1
