"""Rounds: every peer runs every workload once per round, in an order that rotates from round to round,
so that a shared machine's slow moments fall on each server in turn. Ratios are paired within a round."""

from __future__ import annotations

import statistics
import sys
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field

from bench.model import Peer, Settings, Workload, WrongAnswer, rotate


@dataclass
class Outcome:
    """One workload's figures for one peer over the rounds (a failed round scores 0 with its reason)."""

    values: dict[str, list[float]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


Results = dict[str, dict[str, Outcome]]  # workload -> peer -> outcome


def run_all(workloads: list[Workload], peers: list[Peer], settings: Settings) -> Results:
    results: Results = {}
    for workload in workloads:
        taking_part = [peer for peer in peers if workload.name in peer.groups]
        outcomes = results[workload.name] = {peer.name: Outcome() for peer in taking_part}
        rounds = min(settings.rounds, workload.max_rounds or settings.rounds)
        for round_number in range(rounds):
            for peer in rotate(taking_part, round_number):
                outcome = outcomes[peer.name]
                started = time.perf_counter()
                figures: Mapping[str, float | list[float]]
                try:
                    figures = workload.run(peer, settings)
                except WrongAnswer as error:
                    figures = {figure.key: 0.0 for figure in workload.figures}
                    outcome.failures.append(f"round {round_number + 1}: {error}")
                except Exception as error:  # a server that crashed or hung scores 0 too, with the reason
                    figures = {figure.key: 0.0 for figure in workload.figures}
                    outcome.failures.append(f"round {round_number + 1}: {type(error).__name__}: {error}")
                    traceback.print_exc(file=sys.stderr)
                elapsed = time.perf_counter() - started
                outcome.seconds += elapsed
                for key, value in figures.items():
                    values = outcome.values.setdefault(key, [])
                    if isinstance(value, list):
                        values.extend(value)
                    else:
                        values.append(value)
                print(f"  {workload.name:<8} round {round_number + 1}  {peer.name:<20} {elapsed:6.1f} s", flush=True)
    return results


def paired_ratios(ours: list[float], theirs: list[float], higher_is_better: bool) -> list[float]:
    """Round by round, how many times better elektromail's package did (above 1: better). A 0 (failed) on
    the peer's side counts as infinitely better; on ours, as 0."""
    ratios = []
    for mine, other in zip(ours, theirs, strict=False):
        good, bad = (mine, other) if higher_is_better else (other, mine)
        if mine == 0:
            ratios.append(0.0)
        elif other == 0:
            ratios.append(float("inf"))
        else:
            ratios.append(good / bad)
    return ratios


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")
