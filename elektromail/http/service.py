"""uvicorn's HTTP/1.1 protocol serving the control plane on the supervisor's own listening socket.

The supervisor binds the socket like every other listener (same errors, same log line, same port
reporting) and hands out protocol instances from :func:`http_factory`. uvicorn's own ``Server`` is not
used: it would install signal handlers and run a 100 ms tick loop, and the supervisor owns both signals
and lifecycle. Each connection registers with the server's connection registry so a graceful stop closes
it like an SMTP or IMAP session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from email.utils import formatdate
from typing import cast

from uvicorn.config import Config as UvicornConfig
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from elektromail import __version__
from elektromail.context import Connections, ServerContext
from elektromail.http.app import create_app
from elektromail.http.event_stream import CONNECTION_STATE, StreamConnection
from elektromail.http.plane import ServerControl

# RFC 9110 6.6.1: an origin server with a clock sends Date; uvicorn keeps it in the shared state.
DATE_REFRESH_SECONDS = 1.0
SERVER_HEADER = f"elektromail/{__version__}".encode()


class HttpConnection(asyncio.Protocol, StreamConnection):
    """One HTTP connection: uvicorn's protocol, registered with the supervisor's connection registry.
    Its requests find it in their scope's state (:data:`CONNECTION_STATE`): an event stream writes to
    its transport and hears of its end from it, needing no task of its own to watch for a disconnect."""

    __slots__ = ("inner", "connections")

    def __init__(self, config: UvicornConfig, server_state: ServerState, connections: Connections) -> None:
        StreamConnection.__init__(self)
        self.inner = H11Protocol(config, server_state, {CONNECTION_STATE: self})
        self.connections = connections

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.connections.add(self)
        self.transport = cast(asyncio.Transport, transport)
        self.inner.connection_made(self.transport)

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        self.inner.eof_received()
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        try:
            self.inner.connection_lost(exc)
        finally:
            self.connections.discard(self)
            self.lost()

    def pause_writing(self) -> None:
        self.writing_paused = True
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.writing_paused = False
        self.inner.resume_writing()

    def shutdown(self) -> None:
        """Close when idle; otherwise finish the current response, then close."""
        self.inner.shutdown()


class HttpService:
    """The control plane's app, uvicorn state and protocol factory for one server."""

    def __init__(self, context: ServerContext, server: ServerControl) -> None:
        app, self.plane = create_app(context, server)
        self.config = UvicornConfig(
            app,
            lifespan="off",
            http=H11Protocol,
            ws="none",
            log_config=None,
            access_log=False,
            proxy_headers=False,
            server_header=False,
            date_header=False,
            timeout_keep_alive=30,
        )
        self.config.load()
        self.state = ServerState()
        self.context = context
        self._date_timer: asyncio.TimerHandle | None = None
        self._refresh_headers()

    def _refresh_headers(self) -> None:
        date = formatdate(usegmt=True).encode()
        self.state.default_headers = [(b"date", date), (b"server", SERVER_HEADER)]
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._date_timer = loop.call_later(DATE_REFRESH_SECONDS, self._refresh_headers)

    def factory(self) -> Callable[[], asyncio.Protocol]:
        connections = self.context.connections

        def make() -> asyncio.Protocol:
            return HttpConnection(self.config, self.state, connections)

        return make

    def close(self) -> None:
        """Release pending waits (they answer 503), end event streams and stop refreshing headers;
        connections close via the supervisor's registry."""
        self.plane.waiters.close()
        self.context.events.close()  # event streams end, so their connections can close
        if self._date_timer is not None:
            self._date_timer.cancel()
            self._date_timer = None
