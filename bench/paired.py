"""Paired measurements of two variants of one server on a noisy machine: the same work done on each in
turn (A B, then B A, and so on), each burst timed both by the wall clock and by the server's own CPU time.

Both servers run all along, so each pair sees the same moment of a shared machine; the order alternates
so that neither is always the warmer or the later one. A ratio is taken per pair and the median of the
pairs with their spread is what a report gives. CPU time is the steadier of the two: other work on the
machine delays a server more than it makes it spend more."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bench.model import Endpoint
from bench.processes import cpu_seconds


@dataclass(frozen=True)
class Burst:
    """One burst of work on one server: its CPU seconds and the wall-clock seconds it took."""

    cpu: float
    wall: float


def burst(endpoint: Endpoint, work: Callable[[Endpoint], None]) -> Burst:
    cpu = cpu_seconds(endpoint.pid)
    started = time.perf_counter()
    work(endpoint)
    wall = time.perf_counter() - started
    return Burst(cpu_seconds(endpoint.pid) - cpu, wall)


def interleaved(
    base: Endpoint, variant: Endpoint, work: Callable[[Endpoint], None], pairs: int
) -> list[tuple[Burst, Burst]]:
    """``pairs`` pairs of bursts of ``work``, (base, variant) and (variant, base) in turn."""
    measured = []
    for number in range(pairs):
        if number % 2 == 0:
            first = burst(base, work)
            second = burst(variant, work)
            measured.append((first, second))
        else:
            second = burst(variant, work)
            first = burst(base, work)
            measured.append((first, second))
    return measured


def ratios(measured: list[tuple[Burst, Burst]]) -> dict[str, list[float]]:
    """Per pair, how the variant's throughput compares with the base's (below 1: the variant costs
    more), by CPU time and by wall-clock time."""
    return {
        "cpu": [base.cpu / variant.cpu if variant.cpu else 0.0 for base, variant in measured],
        "wall": [base.wall / variant.wall if variant.wall else 0.0 for base, variant in measured],
    }
