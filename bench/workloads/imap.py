"""The five IMAP workloads on APPENDed messages of about 4 KB (multipart/alternative, encoded-word
subject): FETCH of ENVELOPEs, FETCH of whole messages, ten UID SEARCHes, STORE, parallel sessions."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from bench import client_loop
from bench.imap_client import exists, login, message_4k, populate
from bench.model import Endpoint, Figure, Peer, Settings, StartOptions, Workload, WrongAnswer

SEARCHES = (
    b"UID SEARCH ALL",
    b"UID SEARCH UNSEEN",
    b"UID SEARCH FROM sender1",
    b"UID SEARCH SUBJECT message",
    b"UID SEARCH LARGER 4000",
    b"UID SEARCH SENTSINCE 1-Jan-2022",
    b"UID SEARCH OR FLAGGED TO other",
    b"UID SEARCH HEADER Message-ID bench-7",
    b"UID SEARCH BODY consectetur",
    b"UID SEARCH NOT DELETED 1:500",
)


# A workload's result: how many operations it did, and when the last answer was in (perf_counter, the
# client's ``answered_at``). The answers are checked after that moment: the check is the same work
# whichever server answered, and timing it would only dilute the difference between servers.
Done = tuple[int, float]


async def fetch_envelopes(endpoint: Endpoint, messages: int) -> Done:
    client = await login(endpoint)
    response = await client.command(b"FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE)")
    await client.close()
    finished = client.answered_at
    if response.count(b"ENVELOPE (") != messages:
        raise WrongAnswer(f"FETCH ENVELOPE answered {response.count(b'ENVELOPE (')} of {messages} messages")
    return messages, finished


async def fetch_bodies(endpoint: Endpoint, messages: int) -> Done:
    client = await login(endpoint)
    response = await client.command(b"FETCH 1:* BODY.PEEK[]")
    await client.close()
    finished = client.answered_at
    answer, octets = client.answer, sum(len(message_4k(number)) for number in range(1, messages + 1))
    if (answer.untagged, answer.literals, answer.literal_octets) != (messages, messages, octets):
        raise WrongAnswer(
            f"FETCH BODY.PEEK[] answered {answer.untagged} responses, {answer.literals} literals of "
            f"{answer.literal_octets} octets for {messages} messages of {octets}"
        )
    if response.count(b"Lorem ipsum") < 60 * messages:
        raise WrongAnswer("FETCH BODY.PEEK[] returned less than every message")
    return messages, finished


async def uid_searches(endpoint: Endpoint, messages: int) -> Done:
    client = await login(endpoint)
    everything = await client.command(SEARCHES[0])
    for search in SEARCHES[1:]:
        await client.command(search)
    await client.close()
    finished = client.answered_at
    found = everything.split(b"* SEARCH", 1)[-1].split(b"\r\n", 1)[0].split()
    if len(found) != messages:
        raise WrongAnswer(f"UID SEARCH ALL found {len(found)} of {messages}")
    return len(SEARCHES), finished


async def store_all(endpoint: Endpoint, messages: int) -> Done:
    client = await login(endpoint)
    await client.command(b"STORE 1:* +FLAGS (\\Flagged)")
    await client.command(b"STORE 1:* -FLAGS (\\Flagged)")
    await client.close()
    return 2 * messages, client.answered_at


def parallel_sessions(sessions: int) -> Callable[[Endpoint, int], Awaitable[Done]]:
    async def run(endpoint: Endpoint, messages: int) -> Done:
        async def one() -> float:
            client = await login(endpoint, select=False)
            selected = await client.command(b"SELECT INBOX")
            if exists(selected) != messages:
                raise WrongAnswer(f"SELECT shows {exists(selected)} of {messages} messages")
            await client.command(b"FETCH 1:10 (FLAGS UID ENVELOPE)")
            await client.close()
            return client.answered_at

        return sessions, max(await asyncio.gather(*(one() for _ in range(sessions))))

    return run


async def measure(endpoint: Endpoint, settings: Settings) -> dict[str, float]:
    messages = settings.imap_messages
    await populate(endpoint, [message_4k(n) for n in range(1, messages + 1)])
    workloads = {
        "fetch-envelope": fetch_envelopes,
        "fetch-body": fetch_bodies,
        "search": uid_searches,
        "store": store_all,
        "sessions": parallel_sessions(settings.imap_sessions),
    }
    figures: dict[str, float] = {}
    repeats = 1 if settings.quick else 2  # the best of them: the first fills parsed-message caches
    for key, workload in workloads.items():
        best = 0.0
        for _ in range(repeats):
            started = time.perf_counter()
            operations, finished = await workload(endpoint, messages)
            best = max(best, operations / (finished - started))
        figures[key] = best
    return figures


def run(peer: Peer, settings: Settings) -> dict[str, float]:
    with peer.start(StartOptions()) as endpoint:
        return client_loop.run(measure(endpoint, settings))


def workload(settings: Settings) -> Workload:
    return Workload(
        name="imap",
        title="IMAP on a mailbox of 4 KB messages",
        figures=(
            Figure("fetch-envelope", "FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE)", "msg/s"),
            Figure("fetch-body", "FETCH 1:* BODY.PEEK[]", "msg/s"),
            Figure("search", f"{len(SEARCHES)} UID SEARCHes (flags, headers, body, dates, sizes)", "cmd/s"),
            Figure("store", "STORE 1:* +FLAGS then -FLAGS", "msg/s"),
            Figure("sessions", "parallel sessions: LOGIN, SELECT, FETCH 1:10, LOGOUT", "sessions/s"),
        ),
        run=run,
    )
