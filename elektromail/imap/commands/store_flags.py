"""STORE and UID STORE (RFC 9051 6.4.6): FLAGS, +FLAGS, -FLAGS and their .SILENT forms, and the
UNCHANGEDSINCE modifier (RFC 7162 3.1.3).

The store publishes the change; other sessions selecting the mailbox report it as untagged FETCH. This
session answers for itself (unless .SILENT), so its view ignores its own echo.
"""

from __future__ import annotations

from typing import NamedTuple

from elektromail.imap.commands.condstore import enable_condstore, mod_sequence
from elektromail.imap.commands.fetch import selected_messages
from elektromail.imap.engine import codes, responses
from elektromail.imap.engine.command_table import SELECTED, Ok, command, no
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.responses import sequence_text
from elektromail.imap.engine.sequence import SequenceSet
from elektromail.imap.engine.session import Session
from elektromail.store import FlagMode
from elektromail.store.model import Message

_MODES = {"FLAGS": FlagMode.REPLACE, "+FLAGS": FlagMode.ADD, "-FLAGS": FlagMode.REMOVE}
RECENT = "\\Recent"
UNCHANGEDSINCE = "UNCHANGEDSINCE"


class StoreArguments(NamedTuple):
    sequence: SequenceSet
    mode: FlagMode
    silent: bool
    flags: tuple[str, ...]
    unchanged_since: int | None = None  # RFC 7162 3.1.3: leave alone messages changed after this


def parse_store(reader: Reader) -> StoreArguments:
    reader.sp()
    sequence = reader.sequence_set()
    reader.sp()
    unchanged_since = _unchanged_since(reader) if reader.peek_is(b"(") else None
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
    flags_without_recent = tuple(flag for flag in flags if flag != RECENT)
    return StoreArguments(sequence, mode, silent, flags_without_recent, unchanged_since)


def _unchanged_since(reader: Reader) -> int:
    """RFC 7162 store-modifiers: ``"(" UNCHANGEDSINCE SP mod-sequence-valzer ")" SP``, the one modifier known."""
    reader.expect(b"(")
    name = reader.keyword()
    if name != UNCHANGEDSINCE:
        raise reader.error(f"unknown STORE modifier {name}")
    reader.sp()
    value = mod_sequence(reader)
    reader.expect(b")", ") after STORE modifiers")
    reader.sp()
    return value


async def _store(session: Session, arguments: StoreArguments, by_uid: bool) -> Ok | None:
    view = session.require_selected()
    wanted = selected_messages(session, arguments.sequence, by_uid)
    if view.read_only:
        raise no("mailbox is read-only")
    unchanged_since = arguments.unchanged_since
    failed: list[int] = []
    if unchanged_since is not None:
        enable_condstore(session)  # RFC 7162 3.1: STORE UNCHANGEDSINCE is an enabling command
        # The test and the change happen without a pause in between, so no other session can slip in.
        passed = [(seq, message) for seq, message in wanted if message.modseq <= unchanged_since]
        failed = [message.uid if by_uid else seq for seq, message in wanted if message.modseq > unchanged_since]
        wanted = passed
    messages: list[Message] = [message for _, message in wanted if message.uid in view.mailbox.by_uid]
    changed = await session.context.store.set_flags(
        view.mailbox, messages, arguments.flags, arguments.mode, origin=session
    )
    # Other sessions hear of a new keyword through their views; this one before its own FETCH responses.
    view.announce_keywords(session.out)
    if session.condstore:
        _report_with_modseq(session, wanted, changed, arguments.silent)
    elif not arguments.silent:
        rev1 = not session.rev2
        for seq, message in wanted:
            flags = responses.flag_list(view.flags_of(message, rev1))
            if by_uid:
                session.untagged(b"%d FETCH (UID %d FLAGS %s)" % (seq, message.uid, flags))
            else:
                session.untagged(b"%d FETCH (FLAGS %s)" % (seq, flags))
    if failed:
        # RFC 7162 3.1.3: sequence numbers for STORE, UIDs for UID STORE, of the messages left alone.
        modified = codes.MODIFIED + " " + sequence_text(sorted(failed)).decode("ascii")
        return Ok("conditional STORE failed", modified)
    return None


def _report_with_modseq(
    session: Session, wanted: list[tuple[int, Message]], changed: list[Message], silent: bool
) -> None:
    """RFC 7162 3.1: a CONDSTORE session hears UID and MODSEQ with the flags; with .SILENT it still hears
    the new MODSEQ of each message the STORE changed (3.1.3), but not the flags it asked for."""
    view = session.require_selected()
    if silent:
        changed_uids = {message.uid for message in changed}
        for seq, message in wanted:
            if message.uid in changed_uids:
                session.untagged(b"%d FETCH (UID %d MODSEQ (%d))" % (seq, message.uid, message.modseq))
        return
    rev1 = not session.rev2
    for seq, message in wanted:
        flags = responses.flag_list(view.flags_of(message, rev1))
        session.untagged(b"%d FETCH (UID %d FLAGS %s MODSEQ (%d))" % (seq, message.uid, flags, message.modseq))


@command("STORE", states=SELECTED, parse=parse_store, expunge_ok=False)
async def store(session: Session, tag: str, arguments: StoreArguments) -> Ok | None:
    return await _store(session, arguments, by_uid=False)


@command("UID STORE", states=SELECTED, parse=parse_store, expunge_ok=False)
async def uid_store(session: Session, tag: str, arguments: StoreArguments) -> Ok | None:
    return await _store(session, arguments, by_uid=True)
