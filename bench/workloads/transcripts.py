"""What recording session transcripts costs: elektromail with recording on (the default) against the same
package with ``ELEKTROMAIL_TRANSCRIPTS=off``, both running at once and given the same bursts of work at
the same moment (:mod:`bench.paired`). Per pair, the ratio of throughputs by the server's CPU time and by the wall
clock: above 0.95 everywhere is the goal (recording costs at most 5 %).

Bursts: SMTP over one reused connection and with a connection per message (``smtp-source``), IMAP
``FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE)`` and a mix of commands in parallel sessions."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial

from bench import client_loop
from bench.imap_client import exists, login, message_4k, populate
from bench.model import Endpoint, Figure, Peer, Settings, StartOptions, Workload, WrongAnswer
from bench.peers.elektromail import PACKAGE
from bench.peers.elektromail import run as run_package
from bench.side_by_side import Burst, ratios, side_by_side
from bench.workloads.smtp_delivery import SENDER

FETCHES_PER_BURST = 5


def send(messages: int, length: int, session_options: tuple[str, ...], endpoint: Endpoint) -> None:
    """``messages`` of ``length`` octets with smtp-source (the count is checked once, after every pair)."""
    assert endpoint.smtp is not None
    command = ["smtp-source", *session_options, "-m", str(messages), "-l", str(length)]
    command += ["-f", SENDER, "-t", endpoint.recipient, f"127.0.0.1:{endpoint.smtp}"]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if completed.returncode != 0:
        raise WrongAnswer(f"smtp-source failed ({completed.returncode}): {completed.stderr.strip()[:200]}")


async def _fetch_envelopes(endpoint: Endpoint, messages: int) -> None:
    client = await login(endpoint)
    for _ in range(FETCHES_PER_BURST):
        response = await client.command(b"FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE)")
        if response.count(b"ENVELOPE (") != messages:
            raise WrongAnswer(f"FETCH ENVELOPE answered {response.count(b'ENVELOPE (')} of {messages} messages")
    await client.close()


MIXED = (
    b"FETCH 1:20 (FLAGS UID ENVELOPE)",
    b"UID SEARCH UNSEEN",
    b"UID SEARCH FROM sender1",
    b"STORE 1:5 +FLAGS (\\Seen)",
    b"STORE 1:5 -FLAGS (\\Seen)",
    b"FETCH 3 (BODY.PEEK[HEADER] BODYSTRUCTURE)",
    b"NOOP",
    b"STATUS INBOX (MESSAGES UNSEEN)",
)


async def _mixed(endpoint: Endpoint, messages: int, sessions: int) -> None:
    """Parallel sessions of LOGIN, SELECT, the commands above, LOGOUT: many short lines each way."""

    async def one() -> None:
        client = await login(endpoint, select=False)
        selected = await client.command(b"SELECT INBOX")
        if exists(selected) != messages:
            raise WrongAnswer(f"SELECT shows {exists(selected)} of {messages} messages")
        for command in MIXED:
            await client.command(command)
        await client.close()

    await asyncio.gather(*(one() for _ in range(sessions)))


def fetch_envelopes(messages: int, endpoint: Endpoint) -> None:
    client_loop.run(_fetch_envelopes(endpoint, messages))


def mixed(messages: int, sessions: int, endpoint: Endpoint) -> None:
    client_loop.run(_mixed(endpoint, messages, sessions))


@contextmanager
def on_and_off() -> Iterator[tuple[Endpoint, Endpoint]]:
    with ExitStack() as stack:
        recording = stack.enter_context(run_package(PACKAGE, StartOptions()))
        unrecorded = stack.enter_context(run_package(PACKAGE, StartOptions(), env={"ELEKTROMAIL_TRANSCRIPTS": "off"}))
        yield recording, unrecorded


def _figures(key: str, unit_count: int, measured: list[tuple[Burst, Burst]]) -> dict[str, list[float]]:
    """The paired ratios (off against on) and the CPU µs per operation of each side."""
    paired = ratios([(off, on) for on, off in measured])
    return {
        f"{key}-cpu": paired["cpu"],
        f"{key}-wall": paired["wall"],
        f"{key}-cpu-on": [on.cpu / unit_count * 1e6 for on, _ in measured],
        f"{key}-cpu-off": [off.cpu / unit_count * 1e6 for _, off in measured],
    }


def run(peer: Peer, settings: Settings) -> dict[str, list[float]]:
    pairs, messages, length = settings.pairs, settings.pair_messages, settings.message_length
    imap_messages = settings.imap_messages
    figures: dict[str, list[float]] = {}
    with on_and_off() as (recording, unrecorded):
        for endpoint in (recording, unrecorded):
            client_loop.run(populate(endpoint, [message_4k(n) for n in range(1, imap_messages + 1)]))
        steps: tuple[tuple[str, int, Callable[[Endpoint], None]], ...] = (
            ("imap-fetch", FETCHES_PER_BURST * imap_messages, partial(fetch_envelopes, imap_messages)),
            ("imap-mixed", settings.imap_sessions, partial(mixed, imap_messages, settings.imap_sessions)),
            ("smtp-one", messages, partial(send, messages, length, ("-s", "1", "-d"))),
            ("smtp-per-connection", messages, partial(send, messages, length, ("-s", str(settings.smtp_sessions)))),
        )
        for key, units, work in steps:
            work(recording)  # warm both up: first uses load code and fill caches
            work(unrecorded)
            figures.update(_figures(key, units, side_by_side(recording, unrecorded, work, pairs)))
        expected = imap_messages + 2 * messages * (pairs + 1)
        for endpoint in (recording, unrecorded):
            if (count := endpoint.count()) != expected:
                raise WrongAnswer(f"{expected} messages delivered, {count} stored")
    return figures


def _figure_set(key: str, title: str, unit: str) -> tuple[Figure, ...]:
    return (
        Figure(f"{key}-cpu", f"{title}: throughput by server CPU, on / off", "ratio"),
        Figure(f"{key}-wall", f"{title}: throughput by wall clock, on / off", "ratio"),
        Figure(f"{key}-cpu-on", f"{title}: server CPU, recording on", unit, higher_is_better=False),
        Figure(f"{key}-cpu-off", f"{title}: server CPU, recording off", unit, higher_is_better=False),
    )


def workload(settings: Settings) -> Workload:
    return Workload(
        name="transcripts",
        title="Session transcripts: recording on against off (paired bursts)",
        figures=(
            *_figure_set("smtp-one", "SMTP, one reused connection (smtp-source -s 1 -d)", "µs/msg"),
            *_figure_set("smtp-per-connection", "SMTP, a connection per message (smtp-source -s N)", "µs/msg"),
            *_figure_set("imap-fetch", "IMAP FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE)", "µs/msg"),
            *_figure_set("imap-mixed", "IMAP sessions: LOGIN, SELECT, 8 commands, LOGOUT", "µs/session"),
        ),
        run=run,
        max_rounds=1,
    )
