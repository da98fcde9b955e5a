"""Cost per message as the mailbox grows: SELECT, ``FETCH 1:* (FLAGS)`` and ``UID SEARCH`` on mailboxes
of 1k, 10k and 100k small messages. One server is filled step by step and measured at each size."""

from __future__ import annotations

import time

from bench import client_loop
from bench.imap_client import exists, login, message_small
from bench.model import Endpoint, Figure, Peer, Settings, StartOptions, Workload, WrongAnswer

COMMANDS = {
    "select": b"SELECT INBOX",
    "fetch-flags": b"FETCH 1:* (FLAGS)",
    "search": b"UID SEARCH FROM sender1 SUBJECT message",
}
REPEATS = 3  # the best of them


async def measure(endpoint: Endpoint, sizes: tuple[int, ...]) -> dict[str, float]:
    filler = await login(endpoint, select=False)
    figures: dict[str, float] = {}
    held = 0
    for size in sizes:
        messages = [message_small(n) for n in range(held + 1, size + 1)]
        if endpoint.fill is not None:
            endpoint.fill(messages)
        else:
            await filler.append_many(messages)
        held = size
        client = await login(endpoint, select=False)
        for key, command in COMMANDS.items():
            best = float("inf")
            for _ in range(REPEATS):
                started = time.perf_counter()
                response = await client.command(command)
                best = min(best, client.answered_at - started)
                if key == "select" and exists(response) != size:
                    raise WrongAnswer(f"SELECT shows {exists(response)} of {size} messages")
                if key == "fetch-flags" and client.answer.untagged != size:
                    raise WrongAnswer(f"FETCH (FLAGS) answered {client.answer.untagged} of {size} messages")
            figures[f"{key}@{size}"] = best / size * 1e6
        await client.close()
    await filler.close()
    return figures


def run(peer: Peer, settings: Settings) -> dict[str, float]:
    with peer.start(StartOptions()) as endpoint:
        return client_loop.run(measure(endpoint, settings.scaling_sizes))


def figures(sizes: tuple[int, ...]) -> tuple[Figure, ...]:
    return tuple(
        Figure(f"{key}@{size}", f"{command.decode()} on {size:,} messages", "µs/msg", higher_is_better=False)
        for key, command in COMMANDS.items()
        for size in sizes
    )


def workload(settings: Settings) -> Workload:
    return Workload(
        name="scaling",
        title="Mailbox size: cost per message",
        figures=figures(settings.scaling_sizes),
        run=run,
        scaling=True,
        max_rounds=2,  # filling 100,000 messages three times per server takes long
    )
