"""COPY, MOVE and their UID forms (RFC 9051 6.4.7, 6.4.8; RFC 6851 MOVE; RFC 4315 COPYUID)."""

from __future__ import annotations

from typing import NamedTuple

from elektromail.imap.commands.fetch import selected_messages
from elektromail.imap.commands.mailboxes import find_mailbox
from elektromail.imap.engine import codes
from elektromail.imap.engine.command_table import SELECTED, Ok, capability, command, no
from elektromail.imap.engine.parser import Reader
from elektromail.imap.engine.responses import sequence_text
from elektromail.imap.engine.sequence import SequenceSet
from elektromail.imap.engine.session import Session
from elektromail.store.model import Mailbox, Message

capability("MOVE", "UIDPLUS")


class CopyArguments(NamedTuple):
    sequence: SequenceSet
    mailbox: str


def parse_copy(reader: Reader) -> CopyArguments:
    reader.sp()
    sequence = reader.sequence_set()
    reader.sp()
    mailbox = reader.mailbox()
    reader.end()
    return CopyArguments(sequence, mailbox)


def _target(session: Session, name: str) -> Mailbox:
    target = find_mailbox(session, name)
    if target is None or not target.selectable:
        raise no("no such mailbox", codes.TRYCREATE)  # RFC 9051 6.4.7: the client may CREATE and retry
    return target


def _still_there(session: Session, sequence: SequenceSet, by_uid: bool) -> list[Message]:
    """The named messages not yet expunged by someone else (those are skipped, as Dovecot does)."""
    view = session.require_selected()
    return [m for _, m in selected_messages(session, sequence, by_uid) if m.uid in view.mailbox.by_uid]


def copy_uid_code(target: Mailbox, sources: list[Message], copies: list[Message]) -> str:
    """COPYUID uidvalidity source-uids target-uids, both sets in the same order (RFC 4315 3)."""
    source_uids = sequence_text([message.uid for message in sources]).decode("ascii")
    target_uids = sequence_text([message.uid for message in copies]).decode("ascii")
    return f"{codes.COPYUID} {target.uid_validity} {source_uids} {target_uids}"


async def _copy(session: Session, arguments: CopyArguments, by_uid: bool) -> Ok | None:
    target = _target(session, arguments.mailbox)
    messages = _still_there(session, arguments.sequence, by_uid)
    if not messages:
        return None
    copies = await session.context.store.copy(messages, target)
    return Ok(None, copy_uid_code(target, messages, copies))


async def _move(session: Session, arguments: CopyArguments, by_uid: bool) -> Ok | None:
    view = session.require_selected()
    if view.read_only:
        raise no("mailbox is read-only", codes.CANNOT)
    target = _target(session, arguments.mailbox)
    messages = _still_there(session, arguments.sequence, by_uid)
    if not messages:
        return None
    copies = await session.context.store.move(view.mailbox, messages, target, origin=session)
    # RFC 6851 4.3: COPYUID goes in an untagged OK before the EXPUNGE responses the session then sends.
    session.untagged(b"OK [" + copy_uid_code(target, messages, copies).encode("ascii") + b"] moved")
    return None


@command("COPY", states=SELECTED, parse=parse_copy, expunge_ok=False)
async def copy(session: Session, tag: str, arguments: CopyArguments) -> Ok | None:
    return await _copy(session, arguments, by_uid=False)


@command("UID COPY", states=SELECTED, parse=parse_copy, expunge_ok=False)
async def uid_copy(session: Session, tag: str, arguments: CopyArguments) -> Ok | None:
    return await _copy(session, arguments, by_uid=True)


@command("MOVE", states=SELECTED, parse=parse_copy, expunge_ok=True)
async def move(session: Session, tag: str, arguments: CopyArguments) -> Ok | None:
    return await _move(session, arguments, by_uid=False)


@command("UID MOVE", states=SELECTED, parse=parse_copy, expunge_ok=True)
async def uid_move(session: Session, tag: str, arguments: CopyArguments) -> Ok | None:
    return await _move(session, arguments, by_uid=True)
