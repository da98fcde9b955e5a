"""What every session shares: configuration, store, delivery, TLS, the lifecycle state, and the registry of
live sessions the supervisor closes at shutdown."""

from __future__ import annotations

import asyncio
import enum
from typing import TYPE_CHECKING, Protocol

from elektromail.config import Config
from elektromail.delivery.service import Delivery
from elektromail.events.bus import EventBus
from elektromail.events.publisher import EventPublisher
from elektromail.imap.engine.shared import ImapShared
from elektromail.store import Store
from elektromail.transcripts.registry import Transcripts

if TYPE_CHECKING:
    from elektromail.tls import TlsProvider


class LifecycleState(enum.Enum):
    """Where a server is in its life. It only moves forward, in this order."""

    STARTING = "starting"  # building the store, binding listeners
    READY = "ready"  # every listener is up
    STOPPING = "stopping"  # listeners closed, sessions told to go (BYE / 421 / HTTP 503)
    STOPPED = "stopped"  # sessions gone or abandoned, store closed (or start-up failed)


_ORDER = list(LifecycleState)


class Lifecycle:
    """The one lifecycle state of a server: the supervisor moves it, and /healthz, the listeners' sessions
    and the signal handlers read it."""

    __slots__ = ("state", "stopping", "_stopped")

    def __init__(self) -> None:
        self.state = LifecycleState.STARTING
        # True from the moment a stop begins, and ever after. Kept rather than derived from ``state``:
        # every new connection reads it.
        self.stopping = False
        self._stopped = asyncio.Event()

    def advance(self, state: LifecycleState) -> None:
        """Move to ``state``; a state never goes back (a stop during start-up stays a stop)."""
        if _ORDER.index(state) > _ORDER.index(self.state):
            self.state = state
            self.stopping = state is LifecycleState.STOPPING or state is LifecycleState.STOPPED
            if state is LifecycleState.STOPPED:
                self._stopped.set()

    @property
    def ready(self) -> bool:
        return self.state is LifecycleState.READY

    async def wait_stopped(self) -> None:
        await self._stopped.wait()


class Session(Protocol):
    """A live protocol session the supervisor can end."""

    def shutdown(self) -> None:
        """Say goodbye the protocol's way (IMAP ``* BYE``, SMTP ``421``) and close the transport."""


class Connections:
    """Live sessions, so that a graceful stop can greet each one and wait for it to go."""

    def __init__(self) -> None:
        self._sessions: set[Session] = set()
        # Made by the first wait for the last session to go, and set by that going: a session's start and
        # end only touch the set while nobody waits, which is the whole life of a server but its stop.
        self._emptied: asyncio.Event | None = None

    def add(self, session: Session) -> None:
        self._sessions.add(session)

    def discard(self, session: Session) -> None:
        sessions = self._sessions
        sessions.discard(session)
        if not sessions and self._emptied is not None:
            self._emptied.set()

    def __len__(self) -> int:
        return len(self._sessions)

    def shutdown_all(self) -> None:
        for session in tuple(self._sessions):
            session.shutdown()

    async def wait_empty(self, timeout: float) -> bool:
        if not self._sessions:
            return True
        if self._emptied is None or self._emptied.is_set():
            self._emptied = asyncio.Event()
        try:
            await asyncio.wait_for(self._emptied.wait(), timeout)
        except TimeoutError:
            return False
        return True


class ServerContext:
    """Shared by every listener and session of one server. Built by the supervisor once everything it holds
    is ready: nothing in it is replaced later (the DSN rules inside ``delivery`` change at run time)."""

    def __init__(
        self,
        config: Config,
        store: Store,
        delivery: Delivery,
        tls: TlsProvider | None,
        lifecycle: Lifecycle,
    ) -> None:
        self.config = config
        self.store = store
        self.delivery = delivery
        self.tls = tls  # None when TLS is off entirely
        self.lifecycle = lifecycle
        self.connections = Connections()
        self.imap = ImapShared()
        self.transcripts = Transcripts(config.transcripts, config.transcript_sessions, config.transcript_kib)
        self.events = EventBus()
        self.publisher = EventPublisher(self.events)
        self.transcripts.listeners.add(self.publisher.session_changed)
        self.transcripts.audience = self.events  # no session events are built before a subscriber
        store.observer = self.publisher  # every store change becomes events

    @property
    def stopping(self) -> bool:
        return self.lifecycle.stopping
