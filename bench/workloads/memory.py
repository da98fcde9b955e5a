"""Resident memory of the whole server (every process) holding mail: after 10,000 messages of 4 KB have
been delivered and read once over IMAP (ENVELOPEs, a body search: what fills parsed caches), after 1,000
of 1 MB, and at its peak while SMTP refuses a message over the size limit."""

from __future__ import annotations

from bench import client_loop
from bench.imap_client import login, message_4k, populate
from bench.model import Endpoint, Figure, Peer, Settings, StartOptions, Workload, WrongAnswer
from bench.processes import peak_rss_mib, rss_mib
from bench.workloads.smtp_delivery import Sender, smtp_source

LIMIT = 10 * 1024 * 1024
OVERSIZED = 3 * LIMIT


async def read_once(endpoint: Endpoint) -> None:
    client = await login(endpoint)
    await client.command(b"FETCH 1:* (FLAGS ENVELOPE)")
    await client.command(b"UID SEARCH BODY consectetur")
    await client.close()


def hold(endpoint: Endpoint, count: int, length: int) -> float:
    """Fill the server with ``count`` messages of about ``length`` octets; its memory afterwards in MiB."""
    if endpoint.smtp is not None:
        smtp_source(endpoint, count, length, "-s", "10")
    else:
        filler = length // len(message_4k(1))
        body = [message_4k(n) * max(1, filler) for n in range(count)] if filler > 1 else None
        client_loop.run(populate(endpoint, body or [message_4k(n) for n in range(count)]))
    if endpoint.imap is not None:
        client_loop.run(read_once(endpoint))
    return rss_mib(endpoint.pid)


async def refuse(endpoint: Endpoint) -> None:
    sender = await Sender.connect(endpoint)
    reply = await sender.refused(endpoint.recipient, OVERSIZED)
    await sender.close()
    if not reply.startswith(b"5"):
        raise WrongAnswer(f"a message of {OVERSIZED >> 20} MiB over a {LIMIT >> 20} MiB limit got {reply[:80]!r}")


def run(peer: Peer, settings: Settings) -> dict[str, float]:
    figures: dict[str, float] = {}
    with peer.start(StartOptions(max_message_size=LIMIT)) as endpoint:
        if endpoint.smtp is not None:  # first, so that the peak is the refusal's
            client_loop.run(refuse(endpoint))
            figures["refused-peak"] = peak_rss_mib(endpoint.pid)
        figures["small"] = hold(endpoint, settings.memory_small, 4096)
        if settings.quick:  # one server for both: the small messages weigh little beside the large
            figures["large"] = hold(endpoint, settings.memory_large, 1024 * 1024)
            return figures
    with peer.start(StartOptions(max_message_size=LIMIT)) as endpoint:
        figures["large"] = hold(endpoint, settings.memory_large, 1024 * 1024)
    return figures


def workload(settings: Settings) -> Workload:
    return Workload(
        name="memory",
        title="Memory holding mail (all processes)",
        figures=(
            Figure("small", f"RSS with {settings.memory_small:,} x 4 KB", "MiB", higher_is_better=False),
            Figure("large", f"RSS with {settings.memory_large:,} x 1 MB", "MiB", higher_is_better=False),
            Figure("refused-peak", f"peak RSS refusing {OVERSIZED >> 20} MiB", "MiB", higher_is_better=False),
        ),
        run=run,
        max_rounds=1,  # memory varies little from run to run, and filling servers takes long
    )
