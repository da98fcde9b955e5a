"""Hundreds of GET /events streams open at once, over real sockets: every stream hears every delivery,
and the server goes on answering SMTP and HTTP while they are open."""

from __future__ import annotations

import asyncio
import json
import smtplib

import httpx
import pytest

from elektromail import ServerThread
from tests.conftest import ServerFactory
from tests.servers import client_host

pytestmark = pytest.mark.timeout(120)

STREAMS = 300
MESSAGES = 5
DEADLINE = 60.0


def deliver(server: ServerThread, count: int) -> None:
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=30) as smtp:
        for number in range(count):
            smtp.sendmail("sender@example.com", ["crowd@example.com"], f"Subject: {number}\r\n\r\nbody\r\n".encode())


async def listen(client: httpx.AsyncClient, opened: asyncio.Queue[int], expected: int) -> list[int]:
    """The uids of the message.stored events one stream hears, until it has heard ``expected``."""
    uids: list[int] = []
    async with client.stream("GET", "/events", params={"types": "message.stored"}) as response:
        await opened.put(response.status_code)
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                uids.append(int(json.loads(line[6:])["uid"]))
                if len(uids) == expected:
                    break
    return uids


async def crowd(server: ServerThread) -> list[list[int]]:
    limits = httpx.Limits(max_connections=STREAMS + 10, max_keepalive_connections=0)
    base = f"http://{client_host()}:{server.http_port}"
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=httpx.Timeout(30)) as client:
        opened: asyncio.Queue[int] = asyncio.Queue()
        listeners = [asyncio.create_task(listen(client, opened, MESSAGES)) for _ in range(STREAMS)]
        statuses = [await asyncio.wait_for(opened.get(), DEADLINE) for _ in range(STREAMS)]
        assert statuses == [200] * STREAMS
        await asyncio.to_thread(deliver, server, MESSAGES)
        heard = await asyncio.wait_for(asyncio.gather(*listeners), DEADLINE)
        # Still answering with every stream open: a query and a new SMTP session.
        listed = await client.get("/messages")
        assert listed.status_code == 200 and listed.json()["total"] == MESSAGES
        return heard


def test_every_stream_hears_every_delivery(make_server: ServerFactory) -> None:
    server = make_server(http_port=0)
    heard = asyncio.run(crowd(server))
    assert len(heard) == STREAMS
    assert all(uids == list(range(1, MESSAGES + 1)) for uids in heard), {tuple(uids) for uids in heard}
    with smtplib.SMTP(client_host(), server.smtp_port, timeout=10) as smtp:
        assert smtp.noop()[0] == 250
