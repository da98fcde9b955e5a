"""APPEND (RFC 9051 6.3.12) with flags, internal date, LITERAL+ (RFC 7888), APPENDUID (RFC 4315),
APPENDLIMIT (RFC 7889: the connection refuses a larger literal with TOOBIG before reading it), MULTIAPPEND
(RFC 3502) and the UTF8 data extension that UTF8=ACCEPT brings (RFC 6855 4)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import NamedTuple

from elektromail.imap.commands.mailboxes import find_mailbox
from elektromail.imap.engine import codes
from elektromail.imap.engine.command_table import AUTHENTICATED, Ok, capability, command, no
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.responses import sequence_text
from elektromail.imap.engine.selected import RECENT
from elektromail.imap.engine.session import Session
from elektromail.store.provenance import IMAP, Delivery, Provenance

capability("UIDPLUS", "MULTIAPPEND")


class AppendMessage(NamedTuple):
    flags: tuple[str, ...]
    internal_date: datetime | None
    message: bytes


class AppendArguments(NamedTuple):
    mailbox: str
    messages: list[AppendMessage]


def parse_append(reader: Reader) -> AppendArguments:
    """``APPEND mailbox append-message *(SP append-message)``: MULTIAPPEND (RFC 3502) repeats the part
    after the mailbox name."""
    reader.sp()
    mailbox = reader.mailbox()
    messages = [_append_message(reader)]
    while not reader.at_end():
        if reader.peek_is(b"  "):  # imapclient's multiappend puts two spaces between messages: tolerated
            reader.take(b" ")
        messages.append(_append_message(reader))
    reader.end()
    return AppendArguments(mailbox, messages)


def _append_message(reader: Reader) -> AppendMessage:
    """``SP [flag-list SP] [date-time SP] append-data``."""
    reader.sp()
    flags: list[str] = []
    if reader.peek() == ord("("):
        flags = reader.flag_list()
        reader.sp()
    internal_date = None
    if reader.peek() == ord('"'):
        internal_date = reader.date_time()
        reader.sp()
    if reader.take(b"UTF8 ("):  # append-data =/ "UTF8" SP "(" literal8 ")": the message has UTF-8 headers
        if reader.peek() != ord("~"):
            raise reader.error("UTF8 data must be a literal8 (~{n})")
        message = reader.literal8()
        reader.expect(b")", "')' after the UTF8 literal")
    else:
        message = reader.literal_or_literal8()  # RFC 9051 9 append-data = literal / literal8 / ...
    return AppendMessage(tuple(flag for flag in flags if flag != RECENT), internal_date, message)


@command("APPEND", states=AUTHENTICATED, parse=parse_append, large_literals=True)
async def append(session: Session, tag: str, arguments: AppendArguments) -> Ok | None:
    mailbox = find_mailbox(session, arguments.mailbox)
    if mailbox is None or not mailbox.selectable:
        raise no("no such mailbox", codes.TRYCREATE)
    # All or nothing (RFC 3502 6.3.11): every message is checked before any is stored.
    for item in arguments.messages:
        if not item.message:
            raise no("cannot store an empty message", codes.CANNOT)
        if len(item.message) > session.context.config.max_message_size:
            raise no("message too large", codes.TOOBIG)
    items = [(item.message, item.flags, item.internal_date) for item in arguments.messages]
    transcript = session.connection.transcript
    arrival = Provenance(
        delivery=Delivery(
            protocol=IMAP,
            received_at=datetime.now(UTC),
            session_id=transcript.id or None,
            client=transcript.client,
            tls=transcript.tls if session.connection.tls_active else None,
            auth=transcript.auth,
        )
    )
    messages = await session.context.store.append_many(mailbox, items, origin=session, provenance=arrival)
    for message in messages:
        transcript.stored(mailbox.message_id(message.uid))
    uids = sequence_text([message.uid for message in messages]).decode("ascii")
    return Ok(None, f"{codes.APPENDUID} {mailbox.uid_validity} {uids}")
