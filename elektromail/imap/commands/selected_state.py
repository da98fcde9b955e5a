"""Selected-state commands that end or checkpoint the selection (RFC 9051 6.4): CHECK (rev1), CLOSE,
UNSELECT (RFC 3691)."""

from __future__ import annotations

from elektromail.imap.engine.command_table import SELECTED, Ok, command
from elektromail.imap.engine.parser import no_arguments
from elektromail.imap.engine.session import Session


@command("CHECK", states=SELECTED, parse=no_arguments)
async def check(session: Session, tag: str, arguments: None) -> Ok | None:
    return None  # every change is already committed when its command completes


@command("CLOSE", states=SELECTED, parse=no_arguments)
async def close(session: Session, tag: str, arguments: None) -> Ok | None:
    """Silently expunge \\Deleted messages (unless read-only), then leave the selected state."""
    view = session.require_selected()
    session.deselect()
    if not view.read_only:
        deleted = [message.uid for message in view.mailbox.messages if "\\Deleted" in message.flags]
        if deleted:
            await session.context.store.expunge(view.mailbox, deleted, origin=session)
    return None


@command("UNSELECT", states=SELECTED, parse=no_arguments)
async def unselect(session: Session, tag: str, arguments: None) -> Ok | None:
    session.deselect()
    return None
