"""What every session shares: configuration, store, and the registry the supervisor closes at shutdown."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

from elektromail.config import Config
from elektromail.delivery.routing import Router
from elektromail.delivery.rules import DsnRules
from elektromail.delivery.service import Delivery, local_hostname
from elektromail.store import Store

if TYPE_CHECKING:
    from elektromail.tls import TlsProvider


class Session(Protocol):
    """A live protocol session the supervisor can end."""

    def shutdown(self) -> None:
        """Say goodbye the protocol's way (IMAP ``* BYE``, SMTP ``421``) and close the transport."""


class Connections:
    """Live sessions, so that a graceful stop can greet each one and wait for it to go."""

    def __init__(self) -> None:
        self._sessions: set[Session] = set()
        self._empty = asyncio.Event()
        self._empty.set()

    def add(self, session: Session) -> None:
        self._sessions.add(session)
        self._empty.clear()

    def discard(self, session: Session) -> None:
        self._sessions.discard(session)
        if not self._sessions:
            self._empty.set()

    def __len__(self) -> int:
        return len(self._sessions)

    def shutdown_all(self) -> None:
        for session in tuple(self._sessions):
            session.shutdown()

    async def wait_empty(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._empty.wait(), timeout)
        except TimeoutError:
            return False
        return True


class ServerContext:
    """Shared by every listener and session of one server."""

    def __init__(self, config: Config, store: Store) -> None:
        self.config = config
        self.store = store
        self.connections = Connections()
        self.tls: TlsProvider | None = None  # None when TLS is off entirely
        # Routing without DSN rules until the supervisor decodes ELEKTROMAIL_DSN_RULES (Server._prepare).
        self.delivery = Delivery(store, DsnRules(), Router(store.owner_of), local_hostname())
        self.stopping = False
