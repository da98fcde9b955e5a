"""SMTP sessions driven in process with smtp-source's exact reads: a workload for instruction counts.

Over sockets, how reads fall (a message in one read or two) and how often the loop wakes depend on the
machine's load, which moves callgrind's counts by more than recording costs. Here the server's SMTP
protocol objects get the same reads every time, from a transport that discards what is written: a
connection per message (greeting, ``EHLO``, ``MAIL``, ``RCPT``, ``DATA``, 4 KiB and its terminator,
``QUIT``) or several messages over each connection, on the event loop the server runs on. Run it twice
under callgrind with different counts; the difference over the difference in messages is the cost of
one (the transcript of a connection holds 256 KiB, about 500 of these messages: past that, recording
costs a comparison, so keep ``--per-connection`` well under that to count what recording costs)::

    valgrind --tool=callgrind python -m bench.smtp_in_process --messages 3200 [--per-connection 100]

``ELEKTROMAIL_TRANSCRIPTS=off`` turns recording off, as for the server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
from typing import Any

import uvloop

from elektromail.config import load_config
from elektromail.server import Server

MESSAGE = b"".join(
    [b"From: <bench@example.test>\r\nTo: <user@localhost>\r\nSubject: in process\r\n\r\n"]
    + [b"%075d\r\n" % number for number in range(51)]
)
COMMANDS = (b"MAIL FROM:<bench@example.test>\r\n", b"RCPT TO:<user@localhost>\r\n", b"DATA\r\n")


class Transport:
    """What a connection needs of a transport: it takes writes and closes at once."""

    def __init__(self, number: int) -> None:
        self.protocol: Any = None
        self.peer = ("127.0.0.1", 10000 + number % 50000)

    def get_extra_info(self, name: str, default: object = None) -> object:
        return self.peer if name == "peername" else default

    def write(self, data: bytes) -> None:
        pass

    def close(self) -> None:
        if self.protocol is not None:
            protocol, self.protocol = self.protocol, None
            protocol.connection_lost(None)

    def is_closing(self) -> bool:
        return self.protocol is None

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def _transaction(protocol: Any) -> None:
    for command in COMMANDS:
        protocol.data_received(command)
    protocol.data_received(MESSAGE + b".\r\n")


async def drive(messages: int, per_connection: int) -> None:
    """``messages`` in all, ``per_connection`` over each connection (then ``QUIT``)."""
    server = Server(load_config(dict(os.environ, SMTP_PORT="0", IMAP_PORT="0", BIND_ADDR="127.0.0.1")))
    await server.start()
    try:
        factory = server.listeners[0].factory
        for number in range(0, messages, per_connection):
            protocol: Any = factory()  # an SmtpConnection
            transport = Transport(number)
            transport.protocol = protocol
            protocol.connection_made(transport)
            protocol.data_received(b"EHLO bench.example\r\n")
            for _ in range(min(per_connection, messages - number)):
                _transaction(protocol)
                await asyncio.sleep(0)  # a turn of the loop, as between reads over a socket
            protocol.data_received(b"QUIT\r\n")
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--per-connection", type=int, default=1, help="messages per connection (default 1)")
    arguments = parser.parse_args()
    uvloop.run(drive(arguments.messages, arguments.per_connection))


if __name__ == "__main__":
    main()
