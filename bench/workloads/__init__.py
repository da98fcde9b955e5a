"""Every workload, in the order a run measures them."""

from __future__ import annotations

from bench.model import Settings, Workload
from bench.workloads import cycles, events, imap, latency, memory, scaling, search, smtp, startup, transcripts

NAMES = ("smtp", "imap", "scaling", "latency", "startup", "memory", "cycles", "transcripts", "events", "search")


def all_workloads(settings: Settings) -> list[Workload]:
    modules = (smtp, imap, scaling, latency, startup, memory, cycles, transcripts, events, search)
    return [module.workload(settings) for module in modules]
