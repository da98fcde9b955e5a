"""IMAP connection (placeholder until the IMAP engine lands): greets, answers LOGOUT, refuses the rest."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

from elektromail.context import ServerContext


class ImapConnection(asyncio.Protocol):
    def __init__(self, context: ServerContext) -> None:
        self.context = context
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not subclass asyncio.Transport, so no isinstance check here.
        self.transport = cast(asyncio.Transport, transport)
        self.context.connections.add(self)
        self.transport.write(b"* OK elektromail ready\r\n")

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        while (end := self.buffer.find(b"\r\n")) >= 0:
            line = bytes(self.buffer[:end])
            del self.buffer[: end + 2]
            if line.upper() == b"LOGOUT":
                self.transport.write(b"* BYE logging out\r\n")
                self.transport.close()
                return
            self.transport.write(b"* BAD not implemented\r\n")

    def connection_lost(self, exc: Exception | None) -> None:
        self.context.connections.discard(self)

    def shutdown(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(b"* BYE server shutting down\r\n")
            self.transport.close()


def imap_factory(context: ServerContext, implicit_tls: bool = False) -> Callable[[], asyncio.Protocol]:
    return lambda: ImapConnection(context)
