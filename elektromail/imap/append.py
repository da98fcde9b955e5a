"""APPEND (RFC 9051 6.3.12) with flags, internal date, LITERAL+ (RFC 7888), APPENDUID (RFC 4315),
APPENDLIMIT (RFC 7889: the connection refuses a larger literal with TOOBIG before reading it) and the UTF8
data extension that UTF8=ACCEPT brings (RFC 6855 4)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from elektromail.imap import codes, responses
from elektromail.imap.commands import AUTHENTICATED, Ok, capability, command, no
from elektromail.imap.parser import Reader
from elektromail.imap.selected import RECENT
from elektromail.imap.session import Session

capability("UIDPLUS")


class AppendArguments(NamedTuple):
    mailbox: str
    flags: tuple[str, ...]
    internal_date: datetime | None
    message: bytes


def parse_append(reader: Reader) -> AppendArguments:
    reader.sp()
    mailbox = reader.mailbox()
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
        message = reader.literal()
        reader.expect(b")", "')' after the UTF8 literal")
    else:
        message = reader.literal()
    reader.end()
    return AppendArguments(mailbox, tuple(flag for flag in flags if flag != RECENT), internal_date, message)


@command("APPEND", states=AUTHENTICATED, parse=parse_append, large_literals=True)
async def append(session: Session, tag: str, arguments: AppendArguments) -> Ok | None:
    account = session.require_account()
    mailbox = account.mailbox(arguments.mailbox)
    if mailbox is None or not mailbox.selectable:
        raise no("no such mailbox", codes.TRYCREATE)
    if not arguments.message:
        raise no("cannot store an empty message", codes.CANNOT)
    if len(arguments.message) > session.context.config.max_message_size:
        raise no("message too large", codes.TOOBIG)
    message = await session.context.store.append(
        mailbox, arguments.message, arguments.flags, arguments.internal_date, origin=session
    )
    return Ok(None, responses.code(codes.APPENDUID, mailbox.uid_validity, message.uid))
