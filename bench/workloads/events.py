"""What open ``GET /events`` streams cost: the server's resident memory per open stream, and SMTP ingest
with a thousand streams open against the same package with none (both running at once, the same bursts at
the same moment: :mod:`bench.paired`), first with every stream hearing every ``message.stored`` (streams
that ask for no coding, as curl does, then streams that accept ``deflate``, as browsers and httpx do), then
with streams that listen for another user's mail (open, but told nothing). The goals: little memory per
stream, no loss of throughput, and every stream hears every delivery.

Server CPU per message is not the server's work alone on this machine: about a fifth of it is the kernel
waking the client for each reply, which costs less while the machine is busy. Side by side, the streamed
server pays more of that than the quiet one: streams told nothing, which cost the server nothing per
delivery, measure 0.87–0.98 there. So the cost of streams that hear every delivery is also measured on
one server, in alternating phases without and with the streams open (:func:`_alternating`): there the
stream reader keeps the machine busy in the phases with streams, which then cost less per message. The
two measures bracket the streams' cost from both sides."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from functools import partial

from bench.model import Endpoint, Figure, Peer, Settings, StartOptions, Workload, WrongAnswer
from bench.peers.elektromail import PACKAGE
from bench.peers.elektromail import run as run_package
from bench.processes import rss_mib
from bench.side_by_side import burst, ratios, side_by_side, total_ratio
from bench.sse_streams import Streams
from bench.workloads.transcripts import send

STORED = b"event: message.stored\n"
DELIVERY_TIMEOUT = 120.0
SETTLE_SECONDS = 1.0


def _one_connection(settings: Settings, messages: int) -> Callable[[Endpoint], None]:
    """A burst of ``messages`` over one SMTP connection, as the workload sends them."""
    return partial(send, messages, settings.message_length, ("-s", "1", "-d"))


def _open_hearing(settings: Settings, endpoint: Endpoint, deflate: bool) -> Streams:
    """The workload's streams that hear every delivery, open and settled."""
    assert endpoint.http is not None
    streams = Streams(endpoint.http, settings.event_streams, "/events?types=message.stored", STORED, deflate)
    try:
        streams.open()
    except BaseException:
        streams.close()
        raise
    time.sleep(SETTLE_SECONDS)
    return streams


def _await_heard(streams: Streams, expected: int) -> None:
    """Until every stream has heard ``expected`` deliveries, or the delivery timeout passes."""
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while min(streams.received) < expected and time.monotonic() < deadline:
        time.sleep(0.1)


def _hearing(settings: Settings, streamed: Endpoint, quiet: Endpoint, deflate: bool) -> dict[str, float | list[float]]:
    """Streams that hear every delivery: memory per stream, the paired bursts, and what was heard; the
    figures of deflated streams are named with ``deflate-``."""
    pairs, messages, count = settings.pairs, settings.pair_messages, settings.event_streams
    before = rss_mib(streamed.pid)
    streams = _open_hearing(settings, streamed, deflate)
    try:
        after = rss_mib(streamed.pid)
        measured = side_by_side(quiet, streamed, _one_connection(settings, messages), pairs)
        expected = pairs * messages
        _await_heard(streams, expected)
        if max(streams.received) > expected:
            raise WrongAnswer(f"a stream heard {max(streams.received)} deliveries of {expected}")
        heard = sum(streams.received) / (count * expected)
    finally:
        streams.close()
    paired = ratios(measured)
    if deflate:
        return {
            "deflate-heard": heard,
            "deflate-cpu": paired["cpu"],
            "deflate-cpu-total": total_ratio(measured),
            "deflate-wall": paired["wall"],
            "deflate-cpu-streams": [variant.cpu / messages * 1e6 for _, variant in measured],
        }
    return {
        "stream-kib": (after - before) * 1024 / count,
        "heard": heard,
        "smtp-cpu": paired["cpu"],
        "smtp-cpu-total": total_ratio(measured),
        "smtp-wall": paired["wall"],
        "smtp-cpu-streams": [variant.cpu / messages * 1e6 for _, variant in measured],
        "smtp-cpu-none": [base.cpu / messages * 1e6 for base, _ in measured],
    }


def _alternating(settings: Settings, endpoint: Endpoint, deflate: bool) -> tuple[float, int]:
    """The server's CPU in phases of SMTP with no stream open against phases with every stream hearing
    every delivery, alternating on one server; and how many messages it was sent."""
    phases, messages = max(2, settings.pairs // 2), 3 * settings.pair_messages
    work = _one_connection(settings, messages)
    quiet_cpu = streamed_cpu = 0.0
    for _ in range(phases):
        quiet_cpu += burst(endpoint, work).cpu
        streams = _open_hearing(settings, endpoint, deflate)
        try:
            streamed_cpu += burst(endpoint, work).cpu
            _await_heard(streams, messages)
            if min(streams.received) != messages or max(streams.received) != messages:
                raise WrongAnswer(f"streams heard {min(streams.received)}–{max(streams.received)} of {messages}")
        finally:
            streams.close()
        time.sleep(SETTLE_SECONDS)
    return (quiet_cpu / streamed_cpu if streamed_cpu else 0.0), 2 * phases * messages


def _idle(settings: Settings, streamed: Endpoint, quiet: Endpoint) -> dict[str, float | list[float]]:
    """Streams open for another user's mail: what being open costs when there is nothing to tell."""
    assert streamed.http is not None
    streams = Streams(streamed.http, settings.event_streams, "/events?user=nobody", STORED)
    try:
        streams.open()
        measured = side_by_side(quiet, streamed, _one_connection(settings, settings.pair_messages), settings.pairs)
        paired = ratios(measured)
        if max(streams.received):
            raise WrongAnswer("a stream for another user heard a delivery")
    finally:
        streams.close()
    return {"idle-cpu": paired["cpu"], "idle-cpu-total": total_ratio(measured), "idle-wall": paired["wall"]}


def run(peer: Peer, settings: Settings) -> dict[str, float | list[float]]:
    work = _one_connection(settings, settings.pair_messages)
    with ExitStack() as stack:
        streamed = stack.enter_context(run_package(PACKAGE, StartOptions(http=True)))
        quiet = stack.enter_context(run_package(PACKAGE, StartOptions(http=True)))
        for endpoint in (streamed, quiet):
            work(endpoint)  # warm up before any stream opens: first use loads code and fills caches
        time.sleep(SETTLE_SECONDS)
        figures = _hearing(settings, streamed, quiet, deflate=False)
        figures.update(_hearing(settings, streamed, quiet, deflate=True))
        figures.update(_idle(settings, streamed, quiet))
        figures["smtp-cpu-alternating"], plain = _alternating(settings, streamed, deflate=False)
        figures["deflate-cpu-alternating"], deflated = _alternating(settings, streamed, deflate=True)
        sent = settings.pair_messages * (1 + 3 * settings.pairs)
        for endpoint, alone in ((streamed, plain + deflated), (quiet, 0)):
            if (stored := endpoint.count()) != sent + alone:
                raise WrongAnswer(f"{sent + alone} messages delivered, {stored} stored")
    return figures


def workload(settings: Settings) -> Workload:
    streams = f"{settings.event_streams:,}"
    return Workload(
        name="events",
        title=f"Event streams: {streams} open GET /events against none",
        figures=(
            Figure("stream-kib", "server memory per open stream", "KiB", higher_is_better=False),
            Figure("heard", "message.stored events heard of those due (every stream, every message)", "share"),
            Figure("smtp-cpu", f"SMTP one connection: throughput by server CPU, {streams} streams / none", "ratio"),
            Figure("smtp-cpu-total", f"the same by the server CPU of all bursts, {streams} streams / none", "ratio"),
            Figure(
                "smtp-cpu-alternating",
                f"the same on one server, phases with none / {streams} streams, by its CPU",
                "ratio",
            ),
            Figure("smtp-wall", f"SMTP one connection: throughput by wall clock, {streams} streams / none", "ratio"),
            Figure("smtp-cpu-streams", f"server CPU per message, {streams} streams", "µs", higher_is_better=False),
            Figure("smtp-cpu-none", "server CPU per message, no stream", "µs", higher_is_better=False),
            Figure("deflate-heard", "the same heard, streams accepting deflate", "share"),
            Figure("deflate-cpu", f"the same by server CPU, {streams} streams accepting deflate / none", "ratio"),
            Figure("deflate-cpu-total", "the same by the server CPU of all bursts, accepting deflate", "ratio"),
            Figure(
                "deflate-cpu-alternating",
                f"the same on one server, phases with none / {streams} streams accepting deflate",
                "ratio",
            ),
            Figure("deflate-wall", f"the same by wall clock, {streams} streams accepting deflate / none", "ratio"),
            Figure(
                "deflate-cpu-streams",
                f"server CPU per message, {streams} streams accepting deflate",
                "µs",
                higher_is_better=False,
            ),
            Figure("idle-cpu", f"the same by server CPU, {streams} streams for another user / none", "ratio"),
            Figure("idle-cpu-total", "the same by the server CPU of all bursts, for another user", "ratio"),
            Figure("idle-wall", f"the same by wall clock, {streams} streams for another user / none", "ratio"),
        ),
        run=run,
        max_rounds=1,
    )
