"""The bench client over a real socket: a literal that holds the tag is not the end of the answer, and a
line after the tagged one in the same write does not leave the client waiting."""

from __future__ import annotations

import asyncio

from bench import client_loop
from bench.imap_answer import Answer
from bench.imap_client import Client

TRICKY = b"* 1 FETCH (BODY[] {8}\r\nb1 OK\r\n)\r\n"


async def _serve_then_ask() -> tuple[bytes, Answer, bytes]:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"* OK ready\r\n")
        tag = (await reader.readline()).split()[0]
        writer.write(TRICKY + tag + b" OK done\r\n* 2 EXISTS\r\n")
        await reader.read()  # until the client has gone
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    async with server:
        client = await Client.connect(server.sockets[0].getsockname()[1])
        response = await asyncio.wait_for(client.command(b"FETCH 1 BODY[]"), 5)
        rest = bytes(client.inbox.data[: client.inbox.filled])
        await client.close()
    return response, client.answer, rest


def test_the_answer_ends_at_the_tagged_line_outside_literals() -> None:
    response, answer, rest = client_loop.run(_serve_then_ask())
    assert response == TRICKY + b"b1 OK done\r\n"
    assert answer == Answer(len(TRICKY), len(response), 1, 1, 8)
    assert rest == b"* 2 EXISTS\r\n"  # kept for whoever reads next
