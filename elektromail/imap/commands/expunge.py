"""EXPUNGE (RFC 9051 6.4.3) and UID EXPUNGE (RFC 4315 2.1, part of IMAP4rev2).

The store removes the messages; the session's view then sends the ``* n EXPUNGE`` responses when the
command completes, like any other expunge it learns of.
"""

from __future__ import annotations

from elektromail.imap.commands.fetch import selected_messages
from elektromail.imap.engine.command_table import SELECTED, Ok, command, no
from elektromail.imap.engine.parser import Reader, no_arguments
from elektromail.imap.engine.sequence import SequenceSet
from elektromail.imap.engine.session import Session

DELETED = "\\Deleted"


def parse_uid_expunge(reader: Reader) -> SequenceSet:
    reader.sp()
    sequence = reader.sequence_set()
    reader.end()
    return sequence


async def _expunge(session: Session, uids: SequenceSet | None) -> None:
    view = session.require_selected()
    if view.read_only:
        raise no("mailbox is read-only")
    if uids is None:
        candidates = view.messages
    else:
        candidates = [message for _, message in selected_messages(session, uids, by_uid=True)]
    doomed = [message.uid for message in candidates if DELETED in message.flags]
    if doomed:
        await session.context.store.expunge(view.mailbox, doomed, origin=session)


@command("EXPUNGE", states=SELECTED, parse=no_arguments)
async def expunge(session: Session, tag: str, arguments: None) -> Ok | None:
    await _expunge(session, None)
    return None


@command("UID EXPUNGE", states=SELECTED, parse=parse_uid_expunge)
async def uid_expunge(session: Session, tag: str, arguments: SequenceSet) -> Ok | None:
    await _expunge(session, arguments)
    return None
