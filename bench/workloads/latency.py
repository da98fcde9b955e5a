"""Delivery latency: from the end of DATA (SMTP, or LMTP where the server has no SMTP) until ``* n EXISTS``
reaches 1, 10 and 100 IDLE-ing sessions, and until ``GET /messages/wait`` answers (elektromail)."""

from __future__ import annotations

import asyncio
import json
import statistics
import time
import urllib.request

from bench import client_loop
from bench.imap_client import Client, login, message_4k
from bench.model import Endpoint, Figure, Peer, Settings, StartOptions, Workload, WrongAnswer
from bench.workloads.smtp_delivery import Sender

TIMEOUT = 30.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def idle(client: Client) -> None:
    client.send(b"i IDLE\r\n")
    line = await client.readline()
    if not line.startswith(b"+"):
        raise WrongAnswer(f"IDLE: {line[:100]!r}")


async def seen_exists(client: Client, count: int) -> float:
    """Wait for ``* count EXISTS``; return when it arrived."""
    while True:
        line = await asyncio.wait_for(client.readline(), TIMEOUT)
        if not line:
            raise WrongAnswer("an IDLE session was closed")
        if line.startswith(b"* %d EXISTS" % count):
            return time.perf_counter()


async def to_idlers(endpoint: Endpoint, sessions: int, messages: int, held: int) -> list[float]:
    clients = [await login(endpoint) for _ in range(sessions)]
    for client in clients:
        await idle(client)
    sender = await Sender.connect(endpoint)
    latencies: list[float] = []
    try:
        for number in range(held + 1, held + messages + 1):
            waiting = [asyncio.ensure_future(seen_exists(client, number)) for client in clients]
            await asyncio.sleep(0)
            sent = await sender.send(endpoint.recipient, message_4k(number))
            try:
                arrived = await asyncio.gather(*waiting)
            except TimeoutError:
                raise WrongAnswer(f"no * {number} EXISTS within {TIMEOUT:.0f} s of delivery") from None
            latencies += [moment - sent for moment in arrived]
    finally:
        await sender.close()
        for client in clients:
            client.send(b"DONE\r\n")
            await client.close()
    return latencies


def _wait(url: str) -> float:
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        if not json.load(response).get("messages"):
            raise WrongAnswer("/messages/wait answered without the message")
    return time.perf_counter()


async def to_http_wait(endpoint: Endpoint, messages: int, held: int) -> list[float]:
    sender = await Sender.connect(endpoint)
    latencies = []
    try:
        for number in range(held + 1, held + messages + 1):
            url = f"http://127.0.0.1:{endpoint.http}/messages/wait?count={number}&timeout={TIMEOUT:.0f}"
            waiter = asyncio.ensure_future(asyncio.to_thread(_wait, url))
            await asyncio.sleep(0.02)  # the request is parked in the server before the message comes
            sent = await sender.send(endpoint.recipient, message_4k(number))
            latencies.append(await waiter - sent)
    finally:
        await sender.close()
    return latencies


async def measure(endpoint: Endpoint, settings: Settings) -> dict[str, float]:
    figures: dict[str, float] = {}
    if endpoint.smtp is None and endpoint.lmtp is None:
        return figures  # no way in for mail (Dovecot without dovecot-lmtpd)
    held = 0
    for sessions in settings.idle_sessions:
        latencies = await to_idlers(endpoint, sessions, settings.latency_messages, held)
        held += settings.latency_messages
        figures[f"idle{sessions}-median"] = statistics.median(latencies) * 1000
        figures[f"idle{sessions}-p99"] = percentile(latencies, 0.99) * 1000
    if endpoint.http is not None:
        latencies = await to_http_wait(endpoint, settings.latency_messages, held)
        figures["wait-median"] = statistics.median(latencies) * 1000
        figures["wait-p99"] = percentile(latencies, 0.99) * 1000
    return figures


def run(peer: Peer, settings: Settings) -> dict[str, float]:
    with peer.start(StartOptions(http=peer.name.startswith("elektromail"))) as endpoint:
        return client_loop.run(measure(endpoint, settings))


def workload(settings: Settings) -> Workload:
    figures = [
        Figure(f"idle{n}-{stat}", f"{stat} to {n} IDLE session{'s' * (n > 1)}", "ms", higher_is_better=False)
        for n in settings.idle_sessions
        for stat in ("median", "p99")
    ]
    figures += [Figure(f"wait-{stat}", f"{stat} to /messages/wait", "ms", False) for stat in ("median", "p99")]
    return Workload(
        name="latency", title="Delivery latency (end of DATA to notification)", figures=tuple(figures), run=run
    )
