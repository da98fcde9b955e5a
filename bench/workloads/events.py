"""What open ``GET /events`` streams cost: the server's resident memory per open stream, and SMTP ingest
with a thousand streams open, each hearing every ``message.stored``, against the same package with none
(both running at once, the same bursts at the same moment: :mod:`bench.paired`). The goals: little memory per
stream, no loss of throughput, and every stream hears every delivery."""

from __future__ import annotations

import time
from contextlib import ExitStack
from functools import partial

from bench.model import Figure, Peer, Settings, StartOptions, Workload, WrongAnswer
from bench.paired import ratios, side_by_side
from bench.peers.elektromail import PACKAGE, run as run_package
from bench.processes import rss_mib
from bench.sse_streams import Streams
from bench.workloads.transcripts import send

STORED = b"event: message.stored\n"
DELIVERY_TIMEOUT = 120.0
SETTLE_SECONDS = 1.0


def run(peer: Peer, settings: Settings) -> dict[str, float | list[float]]:
    pairs, messages, count = settings.pairs, settings.pair_messages, settings.event_streams
    work = partial(send, messages, settings.message_length, ("-s", "1", "-d"))
    with ExitStack() as stack:
        streamed = stack.enter_context(run_package(PACKAGE, StartOptions(http=True)))
        quiet = stack.enter_context(run_package(PACKAGE, StartOptions(http=True)))
        assert streamed.http is not None
        for endpoint in (streamed, quiet):
            work(endpoint)  # warm up before any stream opens: first use loads code and fills caches
        time.sleep(SETTLE_SECONDS)
        before = rss_mib(streamed.pid)
        streams = Streams(streamed.http, count, "/events?types=message.stored", STORED)
        stack.callback(streams.close)
        streams.open()
        time.sleep(SETTLE_SECONDS)
        after = rss_mib(streamed.pid)
        measured = side_by_side(quiet, streamed, work, pairs)
        expected = pairs * messages
        deadline = time.monotonic() + DELIVERY_TIMEOUT
        while min(streams.received) < expected and time.monotonic() < deadline:
            time.sleep(0.1)
        if max(streams.received) > expected:
            raise WrongAnswer(f"a stream heard {max(streams.received)} deliveries of {expected}")
        heard = sum(streams.received) / (count * expected)
        for endpoint, sent in ((streamed, expected), (quiet, expected)):
            if (stored := endpoint.count()) != sent + messages:
                raise WrongAnswer(f"{sent + messages} messages delivered, {stored} stored")
    paired = ratios(measured)
    return {
        "stream-kib": (after - before) * 1024 / count,
        "heard": heard,
        "smtp-cpu": paired["cpu"],
        "smtp-wall": paired["wall"],
        "smtp-cpu-streams": [variant.cpu / messages * 1e6 for _, variant in measured],
        "smtp-cpu-none": [base.cpu / messages * 1e6 for base, _ in measured],
    }


def workload(settings: Settings) -> Workload:
    streams = f"{settings.event_streams:,}"
    return Workload(
        name="events",
        title=f"Event streams: {streams} open GET /events against none",
        figures=(
            Figure("stream-kib", "server memory per open stream", "KiB", higher_is_better=False),
            Figure("heard", "message.stored events heard of those due (every stream, every message)", "share"),
            Figure("smtp-cpu", f"SMTP one connection: throughput by server CPU, {streams} streams / none", "ratio"),
            Figure("smtp-wall", f"SMTP one connection: throughput by wall clock, {streams} streams / none", "ratio"),
            Figure("smtp-cpu-streams", f"server CPU per message, {streams} streams", "µs", higher_is_better=False),
            Figure("smtp-cpu-none", "server CPU per message, no stream", "µs", higher_is_better=False),
        ),
        run=run,
        max_rounds=1,
    )
