"""The one-pass answer to a FETCH of one literal per message (elektromail.imap.commands.fetch_literals):
its buffers joined are the responses, message by message, whatever the message and the item."""

from __future__ import annotations

from datetime import UTC, datetime

from elektromail.imap.commands.fetch_literals import BATCH_MESSAGES, LiteralItem, literal_answer
from elektromail.mail.message import ParsedMessage
from elektromail.mail.sections import Section
from elektromail.store.model import Message

PLAIN = b"Subject: a\r\n\r\nbody\r\n"
WITH_NUL = b"Subject: n\r\n\r\nnul \x00 here\r\n"
EMPTY = b""


def _messages(*raws: bytes) -> list[Message]:
    date = datetime(2024, 1, 1, tzinfo=UTC)
    return [Message(10 * number, frozenset(), date, ParsedMessage(raw)) for number, raw in enumerate(raws, 1)]


def _answer(messages: list[Message], item: LiteralItem, with_uid: bool = False) -> tuple[bytes, list[int]]:
    altered: list[int] = []
    batches = list(literal_answer(messages, [range(len(messages))], item, with_uid, altered))
    return b"".join(b"".join(batch) for batch in batches), altered


def test_whole_messages_with_and_without_uid() -> None:
    messages = _messages(PLAIN, PLAIN + b"more\r\n")
    body = LiteralItem(b"BODY[]", Section(), None)
    assert _answer(messages, body) == (
        b"* 1 FETCH (BODY[] {20}\r\n" + PLAIN + b")\r\n* 2 FETCH (BODY[] {26}\r\n" + PLAIN + b"more\r\n)\r\n",
        [],
    )
    rfc822 = LiteralItem(b"RFC822", None, None)
    assert _answer(messages[:1], rfc822, with_uid=True) == (b"* 1 FETCH (UID 10 RFC822 {20}\r\n" + PLAIN + b")\r\n", [])


def test_a_nul_is_sent_as_0x80_and_reported_and_an_empty_message_has_no_buffer_of_its_own() -> None:
    messages = _messages(WITH_NUL, EMPTY, PLAIN)
    answer, altered = _answer(messages, LiteralItem(b"BODY[]", Section(), None))
    served = WITH_NUL.replace(b"\x00", b"\x80")
    assert answer == (
        b"* 1 FETCH (BODY[] {%d}\r\n" % len(served)
        + served
        + b")\r\n* 2 FETCH (BODY[] {0}\r\n)\r\n* 3 FETCH (BODY[] {20}\r\n"
        + PLAIN
        + b")\r\n"
    )
    assert altered == [1]


def test_sections_partials_and_missing_parts() -> None:
    messages = _messages(PLAIN)
    assert (
        _answer(messages, LiteralItem(b"BODY[]<2>", Section(), (2, 5)))[0] == b"* 1 FETCH (BODY[]<2> {5}\r\nbject)\r\n"
    )
    assert _answer(messages, LiteralItem(b"BODY[TEXT]", Section((), "TEXT"), None))[0] == (
        b"* 1 FETCH (BODY[TEXT] {6}\r\nbody\r\n)\r\n"
    )
    assert _answer(messages, LiteralItem(b"BODY[3]", Section((3,)), None), with_uid=True)[0] == (
        b"* 1 FETCH (UID 10 BODY[3] NIL)\r\n"
    )


def test_a_percent_in_the_label_is_sent_as_it_is() -> None:
    label = b"BODY[HEADER.FIELDS (X%)]"
    item = LiteralItem(label, Section((), "HEADER.FIELDS", ("x%",)), None)
    assert _answer(_messages(PLAIN), item)[0] == b"* 1 FETCH (" + label + b" {2}\r\n\r\n)\r\n"


def test_large_answers_come_in_batches() -> None:
    messages = _messages(*[PLAIN] * (BATCH_MESSAGES + 5))
    altered: list[int] = []
    batches = list(literal_answer(messages, [range(len(messages))], LiteralItem(b"RFC822", None, None), False, altered))
    assert [len(batch) for batch in batches] == [2 * BATCH_MESSAGES, 2 * 5 + 1]
    assert batches[1][0] == b")\r\n* %d FETCH (RFC822 {20}\r\n" % (BATCH_MESSAGES + 1)
