"""``GET /messages?q=`` on a large store: a page of 50 for a selective query, for a broad one, for free
words (a rare one, a rare one beside a common one, one every message has) and a body phrase, and the
next page through the cursor, in milliseconds of server time (the ``Server-Timing`` header the search
answers with; the round trip where a server does not send it). The goal: under 20 ms on 100,000 messages."""

from __future__ import annotations

import re
import time

import httpx

from bench import client_loop
from bench.imap_client import login, message_small
from bench.model import Endpoint, Figure, Peer, Settings, StartOptions, Workload, WrongAnswer

QUERIES = {
    # Free words read the subject and the body of every message: no column answers them. They go first,
    # so the first of "word" is a search over messages no query has read yet.
    "word": "54321",
    "words": "number 54321",
    "word-broad": "benchmark",
    "body": 'body:"number 54321 of"',
    "selective": "from:sender777 subject:message",
    "broad": "subject:scaling",
    "negated": "from:sender42 -is:flagged -subject:4217",
}
REPEATS = 5  # the best of them
_DURATION = re.compile(r"dur=([0-9.]+)")


def _server_ms(response: httpx.Response, round_trip: float) -> float:
    found = _DURATION.search(response.headers.get("server-timing", ""))
    return float(found.group(1)) if found else round_trip * 1000


def _page(client: httpx.Client, query: str, cursor: str | None = None) -> tuple[dict[str, object], float, float]:
    """The answer, and the best and the first of its server times."""
    params = {"q": query, "limit": "50"}
    if cursor is not None:
        params["cursor"] = cursor
    best = float("inf")
    times: list[float] = []
    body: dict[str, object] = {}
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get("/messages", params=params)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise WrongAnswer(f"GET /messages?q={query} answered {response.status_code}: {response.text[:200]}")
        body = response.json()
        times.append(_server_ms(response, elapsed))
        best = min(best, times[-1])
    return body, best, times[0]


async def fill(endpoint: Endpoint, size: int) -> None:
    filler = await login(endpoint, select=False)
    step = 5000
    for start in range(1, size + 1, step):
        await filler.append_many([message_small(n) for n in range(start, min(size, start + step - 1) + 1)])
    await filler.close()


def run(peer: Peer, settings: Settings) -> dict[str, float]:
    size = settings.scaling_sizes[-1]
    with peer.start(StartOptions(http=True)) as endpoint:
        client_loop.run(fill(endpoint, size))
        figures: dict[str, float] = {}
        with httpx.Client(base_url=f"http://127.0.0.1:{endpoint.http}", timeout=120) as client:
            for key, query in QUERIES.items():
                body, milliseconds, first_time = _page(client, query)
                if not body.get("messages"):
                    raise WrongAnswer(f"{query!r} found nothing")
                figures[key] = milliseconds
                if key == "word":
                    figures["word-first"] = first_time
            first, _, _ = _page(client, QUERIES["broad"])
            cursor = first.get("cursor")
            if not isinstance(cursor, str):
                raise WrongAnswer("a broad query's first page has no cursor")
            second, figures["next-page"], _ = _page(client, QUERIES["broad"], cursor)
            if first.get("total") != size or second.get("total") != size:
                raise WrongAnswer(f"total is {first.get('total')}, not {size}")
    return figures


def workload(settings: Settings) -> Workload:
    size = settings.scaling_sizes[-1]
    return Workload(
        name="search",
        title=f"GET /messages?q= on {size:,} messages: a page of 50",
        figures=(
            *(Figure(key, f"{query} (limit 50)", "ms", higher_is_better=False) for key, query in QUERIES.items()),
            Figure("word-first", f"{QUERIES['word']}, the first time", "ms", higher_is_better=False),
            Figure("next-page", "the broad query's second page, by cursor", "ms", higher_is_better=False),
        ),
        run=run,
        max_rounds=1,  # filling the store takes long; the figures are the server's own
    )
