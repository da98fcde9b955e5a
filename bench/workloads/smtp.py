"""SMTP ingest with Postfix's smtp-source: a new connection per message (20 sessions in parallel), and
every message over one reused connection (``-s 1 -d``)."""

from __future__ import annotations

from bench.model import Figure, Peer, Settings, StartOptions, Workload
from bench.workloads.smtp_delivery import smtp_source


def run(peer: Peer, settings: Settings) -> dict[str, float]:
    with peer.start(StartOptions()) as endpoint:
        n, length = settings.smtp_messages, settings.message_length
        per_connection = smtp_source(endpoint, n, length, "-s", str(settings.smtp_sessions))
        one_connection = smtp_source(endpoint, n, length, "-s", "1", "-d")
    return {"per-connection": n / per_connection, "one-connection": n / one_connection}


def workload(settings: Settings) -> Workload:
    return Workload(
        name="smtp",
        title="SMTP ingest (smtp-source, 4 KiB messages)",
        figures=(
            Figure("per-connection", "a connection per message, parallel sessions", "msg/s"),
            Figure("one-connection", "one reused connection (-s 1 -d)", "msg/s"),
        ),
        run=run,
    )
