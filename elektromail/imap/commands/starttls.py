"""STARTTLS (RFC 9051 6.2.1): upgrade a plaintext connection before authentication.

The tagged OK goes out in plaintext, then the handshake starts at once. Anything the client pipelined
after the command is discarded, never executed inside TLS (RFC 9051 11.1, the CVE-2011-0411 class).
"""

from __future__ import annotations

from elektromail.imap.engine.command_table import ALREADY_REPLIED, NOT_AUTHENTICATED, Ok, bad, command
from elektromail.imap.engine.parser import no_arguments
from elektromail.imap.engine.session import Session


@command("STARTTLS", states=NOT_AUTHENTICATED, parse=no_arguments)
async def starttls(session: Session, tag: str, arguments: None) -> Ok | None:
    provider = session.context.tls
    if not session.starttls_available or provider is None:
        raise bad("STARTTLS is not available" if not session.connection.tls_active else "TLS is already active")
    material = await provider.material()
    session.tagged(tag, "OK", "begin TLS negotiation now")
    session.flush()
    await session.connection.start_tls(material.context)
    return ALREADY_REPLIED
