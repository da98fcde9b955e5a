"""Start-up to ready (process start until every listener greets; elektromail without HTTP) and the
resident memory of the idle server a moment later (all its processes)."""

from __future__ import annotations

import statistics
import time

from bench.model import Figure, Peer, Settings, StartOptions, Workload
from bench.processes import rss_mib

SETTLE = 0.3  # seconds after ready before the idle memory is read


def run(peer: Peer, settings: Settings) -> dict[str, float]:
    ready, memory = [], []
    for _ in range(settings.starts):
        with peer.start(StartOptions()) as endpoint:
            ready.append(endpoint.ready_seconds)
            time.sleep(SETTLE)
            memory.append(rss_mib(endpoint.pid))
    return {"ready": statistics.median(ready), "idle-rss": statistics.median(memory)}


def workload(settings: Settings) -> Workload:
    return Workload(
        name="startup",
        title="Start-up and idle memory",
        figures=(
            Figure("ready", "start-up to ready", "s", higher_is_better=False),
            Figure("idle-rss", "idle resident memory", "MiB", higher_is_better=False),
        ),
        run=run,
    )
