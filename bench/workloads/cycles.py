"""Memory over ingest/reset cycles: 10,000 messages of 4 KB over SMTP, the server's resident memory, then
its reset (elektromail's ``POST /reset``; aiosmtpd empties its list), again and again on one process.
What a reset frees should hold the next cycle's mail: every cycle should end near where the first did."""

from __future__ import annotations

from bench.model import Figure, Peer, Settings, StartOptions, Workload, WrongAnswer
from bench.processes import rss_mib
from bench.workloads.smtp_delivery import smtp_source

LENGTH = 4096


def run(peer: Peer, settings: Settings) -> dict[str, float]:
    with peer.start(StartOptions(http=True)) as endpoint:
        if endpoint.reset is None:
            raise WrongAnswer("the server offers no way to forget the mail it keeps")
        filled: list[float] = []
        for _ in range(settings.cycles):
            smtp_source(endpoint, settings.cycle_messages, LENGTH, "-s", "10")
            filled.append(rss_mib(endpoint.pid))
            endpoint.reset()
        after_reset = rss_mib(endpoint.pid)
    return {
        "first": filled[0],
        "last": filled[-1],
        "growth": max(filled) / filled[0],
        "after-reset": after_reset,
    }


def workload(settings: Settings) -> Workload:
    n = f"{settings.cycle_messages:,} x 4 KB"
    return Workload(
        name="cycles",
        title=f"Memory over {settings.cycles} cycles of ({n} over SMTP, reset)",
        figures=(
            Figure("first", f"RSS after the first {n}", "MiB", higher_is_better=False),
            Figure("last", f"RSS after the last {n}", "MiB", higher_is_better=False),
            Figure("growth", "highest cycle's RSS over the first's", "x", higher_is_better=False),
            Figure("after-reset", "RSS after the last reset", "MiB", higher_is_better=False),
        ),
        run=run,
        max_rounds=1,  # memory varies little from run to run, and the cycles take long
    )
