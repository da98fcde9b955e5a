"""STARTTLS (RFC 3207): when the command is refused, and the upgrade of the connection in place.

The session decides whether STARTTLS may go ahead (:func:`refusal`); the connection then runs
:func:`handshake`, which answers 220, drops any plaintext pipelined after the command and hands the
transport to ``loop.start_tls``. The session afterwards starts afresh (RFC 3207 4.2).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Callable
from typing import TYPE_CHECKING

from elektromail.smtp import replies
from elektromail.smtp.replies import Reply

if TYPE_CHECKING:
    from elektromail.smtp.settings import SmtpSettings
    from elektromail.tls import TlsProvider

log = logging.getLogger("elektromail.smtp")


def refusal(argument: str, tls_active: bool, settings: SmtpSettings) -> Reply | None:
    """Why STARTTLS cannot start now, or None when it can."""
    if argument:
        return replies.STARTTLS_NO_PARAMETERS
    if tls_active:
        return replies.TLS_ALREADY_ACTIVE
    if not settings.starttls or settings.context.tls is None:
        return replies.NOT_IMPLEMENTED
    return None


async def handshake(
    loop: asyncio.AbstractEventLoop,
    transport: asyncio.Transport,
    protocol: asyncio.Protocol,
    provider: TlsProvider,
    announce: Callable[[], bool],
) -> asyncio.Transport | Reply | None:
    """Upgrade ``transport``: the TLS transport, a reply when TLS is unavailable (the session carries on
    in plaintext), or None when the connection ended (the handshake failed or the client went away).

    ``announce`` writes the 220 and drops the plaintext buffered after STARTTLS (RFC 3207 6,
    CVE-2011-0411: it could have been injected, so it is never executed later); it returns False when
    the connection is already gone.
    """
    try:
        material = await provider.material()
    except Exception:
        log.exception("TLS certificate unavailable")
        return replies.TLS_NOT_AVAILABLE
    if not announce():
        return None
    try:
        upgraded = await loop.start_tls(transport, protocol, material.context, server_side=True)
    except (OSError, ssl.SSLError, ConnectionError) as error:
        log.info("STARTTLS handshake failed: %s", error)
        transport.abort()
        return None
    return upgraded
