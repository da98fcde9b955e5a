"""``GET /messages?q=`` on a large store: a page of 50 for a selective query, for a broad one, and the
next page through the cursor, in milliseconds of server time (the ``Server-Timing`` header the search
answers with; the round trip where a server does not send it). The goal: under 20 ms on 100,000 messages."""

from __future__ import annotations

import asyncio
import re
import time

import httpx

from bench.imap_client import login, message_small
from bench.model import Endpoint, Figure, Peer, Settings, StartOptions, Workload, WrongAnswer

QUERIES = {
    "selective": "from:sender777 subject:message",
    "broad": "subject:scaling",
    "negated": "from:sender42 -is:flagged -subject:4217",
}
REPEATS = 5  # the best of them
_DURATION = re.compile(r"dur=([0-9.]+)")


def _server_ms(response: httpx.Response, round_trip: float) -> float:
    found = _DURATION.search(response.headers.get("server-timing", ""))
    return float(found.group(1)) if found else round_trip * 1000


def _page(client: httpx.Client, query: str, cursor: str | None = None) -> tuple[dict[str, object], float]:
    params = {"q": query, "limit": "50"}
    if cursor is not None:
        params["cursor"] = cursor
    best = float("inf")
    body: dict[str, object] = {}
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get("/messages", params=params)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise WrongAnswer(f"GET /messages?q={query} answered {response.status_code}: {response.text[:200]}")
        body = response.json()
        best = min(best, _server_ms(response, elapsed))
    return body, best


async def fill(endpoint: Endpoint, size: int) -> None:
    filler = await login(endpoint, select=False)
    step = 5000
    for start in range(1, size + 1, step):
        await filler.append_many([message_small(n) for n in range(start, min(size, start + step - 1) + 1)])
    await filler.close()


def run(peer: Peer, settings: Settings) -> dict[str, float]:
    size = settings.scaling_sizes[-1]
    with peer.start(StartOptions(http=True)) as endpoint:
        asyncio.run(fill(endpoint, size))
        figures: dict[str, float] = {}
        with httpx.Client(base_url=f"http://127.0.0.1:{endpoint.http}", timeout=120) as client:
            for key, query in QUERIES.items():
                body, milliseconds = _page(client, query)
                if not body.get("messages"):
                    raise WrongAnswer(f"{query!r} found nothing")
                figures[key] = milliseconds
            first, _ = _page(client, QUERIES["broad"])
            cursor = first.get("cursor")
            if not isinstance(cursor, str):
                raise WrongAnswer("a broad query's first page has no cursor")
            second, figures["next-page"] = _page(client, QUERIES["broad"], cursor)
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
            Figure("next-page", "the broad query's second page, by cursor", "ms", higher_is_better=False),
        ),
        run=run,
        max_rounds=1,  # filling the store takes long; the figures are the server's own
    )
