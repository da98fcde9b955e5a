"""Paired measurements of two variants of one server on a noisy machine: the same burst of work given to
both at the same moment (one client each, at once), each burst timed by the wall clock and by the
server's own CPU time; a ratio per pair, and the median of the pairs with their spread in the report.

Both servers run all along and work side by side, so whatever else the machine does falls on both alike.
Bursts in turn (A B, B A, ...) were tried first: on the 2-core machine at load 11, eight such pairs of
two identical servers gave medians from 0.88 to 1.07 by CPU time, too wide to see 5 %; side by side, the
same A/A comparison gave 0.995 to 1.008. CPU time is the steadier measure: other work delays a server
more than it makes it spend more."""

from __future__ import annotations

import threading
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


def ratios(measured: list[tuple[Burst, Burst]]) -> dict[str, list[float]]:
    """Per pair, how the variant's throughput compares with the base's (below 1: the variant costs
    more), by CPU time and by wall-clock time."""
    return {
        "cpu": [base.cpu / variant.cpu if variant.cpu else 0.0 for base, variant in measured],
        "wall": [base.wall / variant.wall if variant.wall else 0.0 for base, variant in measured],
    }


def total_ratio(measured: list[tuple[Burst, Burst]]) -> float:
    """The base's CPU over all pairs against the variant's: the throughput ratio by CPU of the whole run.
    Where a cost comes in lumps larger than one burst (a wake of every event stream every few thousand
    messages), some bursts carry it and others not; the median of the pairs then says little, the totals
    say what a message costs on average."""
    variant = sum(pair[1].cpu for pair in measured)
    return sum(pair[0].cpu for pair in measured) / variant if variant else 0.0


def side_by_side(
    base: Endpoint, variant: Endpoint, work: Callable[[Endpoint], None], pairs: int
) -> list[tuple[Burst, Burst]]:
    """``pairs`` pairs of bursts of ``work``, each pair run on both servers at the same moment."""
    measured = []
    for _ in range(pairs):
        measured.append(_pair(base, variant, work))
    return measured


def _pair(base: Endpoint, variant: Endpoint, work: Callable[[Endpoint], None]) -> tuple[Burst, Burst]:
    results: dict[int, Burst] = {}
    errors: list[BaseException] = []

    def one(endpoint: Endpoint, slot: int) -> None:
        try:
            results[slot] = burst(endpoint, work)
        except BaseException as error:  # handed to the caller below
            errors.append(error)

    threads = [threading.Thread(target=one, args=(endpoint, slot)) for slot, endpoint in enumerate((base, variant))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results[0], results[1]
