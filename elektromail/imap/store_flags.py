"""STORE and UID STORE (RFC 9051 6.4.6): FLAGS, +FLAGS, -FLAGS and their .SILENT forms.

The store publishes the change; other sessions selecting the mailbox report it as untagged FETCH. This
session answers for itself (unless .SILENT), so its view ignores its own echo.
"""

from __future__ import annotations

from typing import NamedTuple

from elektromail.imap import responses
from elektromail.imap.commands import SELECTED, Ok, command, no
from elektromail.imap.fetch import selected_messages
from elektromail.imap.parser import Reader, SequenceSet
from elektromail.imap.session import Session
from elektromail.store.memory import FlagMode
from elektromail.store.model import Message

_MODES = {"FLAGS": FlagMode.REPLACE, "+FLAGS": FlagMode.ADD, "-FLAGS": FlagMode.REMOVE}
RECENT = "\\Recent"


class StoreArguments(NamedTuple):
    sequence: SequenceSet
    mode: FlagMode
    silent: bool
    flags: tuple[str, ...]


def parse_store(reader: Reader) -> StoreArguments:
    reader.sp()
    sequence = reader.sequence_set()
    reader.sp()
    name = reader.atom().upper()
    silent = name.endswith(".SILENT")
    mode = _MODES.get(name.removesuffix(".SILENT"))
    if mode is None:
        raise reader.error(f"unknown STORE item {name}")
    reader.sp()
    if reader.peek_is(b"("):
        flags = reader.flag_list()
    else:  # RFC 9051 9: store-att-flags also allows flags without parentheses
        flags = [reader.flag()]
        while reader.take(b" "):
            flags.append(reader.flag())
    reader.end()
    # \Recent is server-managed (RFC 3501 2.3.2): a client cannot set or clear it.
    return StoreArguments(sequence, mode, silent, tuple(flag for flag in flags if flag != RECENT))


async def _store(session: Session, arguments: StoreArguments, by_uid: bool) -> None:
    view = session.require_selected()
    wanted = selected_messages(session, arguments.sequence, by_uid)
    if view.read_only:
        raise no("mailbox is read-only")
    messages: list[Message] = [message for _, message in wanted if message.uid in view.mailbox.by_uid]
    await session.context.store.set_flags(view.mailbox, messages, arguments.flags, arguments.mode, origin=session)
    if arguments.silent:
        return
    rev1 = not session.rev2
    for seq, message in wanted:
        flags = responses.flag_list(view.flags_of(message, rev1))
        if by_uid:
            session.untagged(b"%d FETCH (UID %d FLAGS %s)" % (seq, message.uid, flags))
        else:
            session.untagged(b"%d FETCH (FLAGS %s)" % (seq, flags))


@command("STORE", states=SELECTED, parse=parse_store, expunge_ok=False)
async def store(session: Session, tag: str, arguments: StoreArguments) -> Ok | None:
    await _store(session, arguments, by_uid=False)
    return None


@command("UID STORE", states=SELECTED, parse=parse_store, expunge_ok=False)
async def uid_store(session: Session, tag: str, arguments: StoreArguments) -> Ok | None:
    await _store(session, arguments, by_uid=True)
    return None
