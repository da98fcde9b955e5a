"""aiosmtpd as a test mail server is usually run: a handler that keeps every message in a list.

    python -P bench/peers/aiosmtpd_server.py SMTP_PORT COUNT_PORT [--reset-port N] [--uvloop] [--max-message-size N]

A connection to COUNT_PORT is answered with the number of messages kept, as one line; a connection to the
reset port empties the list first.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from aiosmtpd.smtp import SMTP


class KeepingHandler:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.original_content)
        return "250 OK"


async def serve(smtp_port: int, count_port: int, max_size: int, reset_port: int | None = None) -> None:
    handler = KeepingHandler()
    loop = asyncio.get_running_loop()
    await loop.create_server(
        lambda: SMTP(handler, hostname="127.0.0.1", data_size_limit=max_size), "127.0.0.1", smtp_port
    )

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"%d\n" % len(handler.messages))
        await writer.drain()
        writer.close()

    await asyncio.start_server(answer, "127.0.0.1", count_port)
    if reset_port is not None:

        async def reset(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            handler.messages = []
            await answer(reader, writer)

        await asyncio.start_server(reset, "127.0.0.1", reset_port)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("smtp_port", type=int)
    parser.add_argument("count_port", type=int)
    parser.add_argument("--reset-port", type=int, default=None)
    parser.add_argument("--uvloop", action="store_true")
    parser.add_argument("--max-message-size", type=int, default=33554432)
    args = parser.parse_args()
    coroutine = serve(args.smtp_port, args.count_port, args.max_message_size, args.reset_port)
    if args.uvloop:
        import uvloop

        uvloop.run(coroutine)
    else:
        asyncio.run(coroutine)


if __name__ == "__main__":
    main()
