"""What recording session transcripts costs: SMTP ingest and IMAP throughput of elektromail with
recording on (the default) against the same package with ``ELEKTROMAIL_TRANSCRIPTS=off``, paired in each
round. The goal is a ratio of at least 0.95 everywhere."""

from __future__ import annotations

import asyncio
import time

from bench.imap_client import message_4k, populate
from bench.model import Endpoint, Figure, Peer, Settings, StartOptions, Workload
from bench.workloads.imap import fetch_bodies, fetch_envelopes, parallel_sessions, uid_searches
from bench.workloads.smtp_delivery import smtp_source


async def imap_figures(endpoint: Endpoint, settings: Settings) -> dict[str, float]:
    messages = settings.imap_messages
    await populate(endpoint, [message_4k(n) for n in range(1, messages + 1)])
    steps = {
        "imap-fetch-envelope": fetch_envelopes,
        "imap-fetch-body": fetch_bodies,
        "imap-search": uid_searches,
        "imap-sessions": parallel_sessions(settings.imap_sessions),
    }
    figures: dict[str, float] = {}
    for key, step in steps.items():
        best = 0.0
        for _ in range(1 if settings.quick else 2):
            started = time.perf_counter()
            operations, finished = await step(endpoint, messages)
            best = max(best, operations / (finished - started))
        figures[key] = best
    return figures


def run(peer: Peer, settings: Settings) -> dict[str, float]:
    with peer.start(StartOptions()) as endpoint:
        n, length = settings.smtp_messages, settings.message_length
        per_connection = smtp_source(endpoint, n, length, "-s", str(settings.smtp_sessions))
        one_connection = smtp_source(endpoint, n, length, "-s", "1", "-d")
        figures = {"smtp-per-connection": n / per_connection, "smtp-one-connection": n / one_connection}
    with peer.start(StartOptions()) as endpoint:  # a fresh INBOX: the IMAP steps check what they read
        figures.update(asyncio.run(imap_figures(endpoint, settings)))
    return figures


def workload(settings: Settings) -> Workload:
    return Workload(
        name="transcripts",
        title="Session transcripts: recording on against off",
        figures=(
            Figure("smtp-per-connection", "SMTP, a connection per message (smtp-source)", "msg/s"),
            Figure("smtp-one-connection", "SMTP, one reused connection (smtp-source -s 1 -d)", "msg/s"),
            Figure("imap-fetch-envelope", "FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE)", "msg/s"),
            Figure("imap-fetch-body", "FETCH 1:* BODY.PEEK[]", "msg/s"),
            Figure("imap-search", "UID SEARCHes", "cmd/s"),
            Figure("imap-sessions", "parallel sessions: LOGIN, SELECT, FETCH 1:10, LOGOUT", "sessions/s"),
        ),
        run=run,
    )
