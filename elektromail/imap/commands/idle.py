"""IDLE (RFC 2177, RFC 9051 6.3.13): updates for the selected mailbox go out as they happen until DONE."""

from __future__ import annotations

import asyncio

from elektromail.imap.engine.command_table import AUTHENTICATED, Ok, bad, command
from elektromail.imap.engine.parser import no_arguments
from elektromail.imap.engine.session import Session

DONE = b"DONE"


@command("IDLE", states=AUTHENTICATED, parse=no_arguments)
async def idle(session: Session, tag: str, arguments: None) -> Ok | None:
    session.raw(b"+ idling\r\n")
    session.deliver_updates(expunge_ok=True)
    session.flush()
    session.idling = True
    try:
        # RFC 9051 5.4: the inactivity timer applies during IDLE too (at least 30 minutes).
        async with asyncio.timeout(session.context.config.imap_idle_timeout):
            line = await session.connection.read_line()
    except TimeoutError:
        session.untagged(b"BYE autologout: idle for too long")
        session.connection.close()
        raise bad("idle timeout") from None
    finally:
        session.idling = False
    if line.strip().upper() != DONE:
        raise bad("expected DONE")
    return None
