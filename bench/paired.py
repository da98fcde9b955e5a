"""Interleaved paired runs of the IMAP workloads, for a machine too busy for ``python -m bench``'s rounds.

Every server is started once and filled once; then each workload runs on each server in turn, round after
round, the order rotating, so that a slow moment of a shared machine falls on every server alike. For each
run it keeps the wall time and the CPU time of the server's processes (user and system, children included,
read from /proc), and reports medians with their spread and the paired ratios against the first server.

python -m bench.paired [--workloads body,search,...] [--servers elektromail,dovecot,dovecot-tuned]
                       [--rounds 7] [--messages 2000] [--small]

A server ``name=PATH`` is elektromail's package imported from the source tree at PATH (an earlier checkout,
to compare two versions of the code side by side).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from pathlib import Path

from bench import client_loop, processes
from bench.imap_client import Client, exists, login, message_4k, message_small
from bench.model import Endpoint, StartOptions, WrongAnswer
from bench.peers import dovecot, elektromail
from bench.workloads import imap

MIXED_SEARCHES = imap.SEARCHES * 20  # 200 UID SEARCHes: flags, headers, body, dates and sizes


# A paired workload answers how many operations it did and the seconds they took. Checking the answers
# afterwards is not timed.
Timed = tuple[int, float]


def _whole(workload: Callable[[Endpoint, int], Awaitable[imap.Done]]) -> Callable[[Endpoint, int], Awaitable[Timed]]:
    """An ``imap`` workload timed as the ``imap`` bench times it: log in, select, the commands, log out."""

    async def run(endpoint: Endpoint, messages: int) -> Timed:
        started = time.perf_counter()
        operations, finished = await workload(endpoint, messages)
        return operations, finished - started

    return run


def _command_only(
    command: bytes, select: bool = True, check: Callable[[Client, bytes, int], str] | None = None
) -> Callable[[Endpoint, int], Awaitable[Timed]]:
    """One command in a session already logged in (and with INBOX selected), timed alone, as the
    ``scaling`` bench times it; ``check`` says what is wrong with the answer (empty: nothing)."""

    async def run(endpoint: Endpoint, messages: int) -> Timed:
        client = await login(endpoint, select=select)
        started = time.perf_counter()
        response = await client.command(command)
        elapsed = client.answered_at - started
        await client.close()
        wrong = check(client, response, messages) if check is not None else ""
        if wrong:
            raise WrongAnswer(f"{command.decode()}: {wrong}")
        return 1, elapsed

    return run


def _every_message_selected(client: Client, response: bytes, messages: int) -> str:
    return "" if exists(response) == messages else f"SELECT shows {exists(response)} of {messages} messages"


def _a_response_per_message(client: Client, response: bytes, messages: int) -> str:
    fetched = response.count(b" FETCH (")
    if client.answer.untagged == fetched == messages:
        return ""
    return f"{fetched} FETCH responses ({client.answer.untagged} untagged) for {messages} messages"


async def _searches(endpoint: Endpoint, messages: int) -> imap.Done:
    client = await login(endpoint)
    for search in MIXED_SEARCHES:
        await client.command(search)
    await client.close()
    return len(MIXED_SEARCHES), client.answered_at


def _every_sender_found(client: Client, response: bytes, messages: int) -> str:
    """FROM sender1 matches every message numbered 1, 1x, 1xx, ... (its From holds ``sender<n>@``)."""
    expected = sum(1 for number in range(1, messages + 1) if str(number).startswith("1"))
    found = len(response.split(b"* SEARCH", 1)[-1].split(b"\r\n", 1)[0].split())
    return "" if found == expected else f"found {found} of {expected} messages"


WORKLOADS: dict[str, Callable[[Endpoint, int], Awaitable[Timed]]] = {
    "body": _whole(imap.fetch_bodies),
    "envelope": _whole(imap.fetch_envelopes),
    "search": _whole(_searches),
    "store": _whole(imap.store_all),
    "sessions": _whole(imap.parallel_sessions(50)),
    "select": _command_only(b"SELECT INBOX", select=False, check=_every_message_selected),
    "flags": _command_only(b"FETCH 1:* (FLAGS)", check=_a_response_per_message),
    "uid-search": _command_only(b"UID SEARCH FROM sender1 SUBJECT message", check=_every_sender_found),
}


async def _run(workload: Callable[[Endpoint, int], Awaitable[Timed]], endpoint: Endpoint, messages: int) -> Timed:
    return await workload(endpoint, messages)


def _start(stack: ExitStack, spec: str) -> Endpoint:
    if spec in ("dovecot", "dovecot-tuned"):
        return stack.enter_context(dovecot.run(spec == "dovecot-tuned", StartOptions()))
    _, _, source = spec.partition("=")
    # spawn() puts the source tree on PYTHONPATH: an earlier checkout's package is imported from there.
    root = processes.ROOT
    processes.ROOT = Path(source) if source else root
    try:
        return stack.enter_context(elektromail.run(elektromail.PACKAGE, StartOptions()))
    finally:
        processes.ROOT = root


async def _fill(endpoint: Endpoint, messages: list[bytes]) -> None:
    if endpoint.fill is not None:
        endpoint.fill(messages)
        await (await login(endpoint)).close()  # Dovecot indexes the new files now, not in a measured run
        return
    client = await login(endpoint, select=False)
    for start in range(0, len(messages), 5000):
        await client.append_many(messages[start : start + 5000])
    await client.close()


def _spread(values: list[float], scale: float = 1.0) -> str:
    ordered = sorted(values)
    return f"{statistics.median(ordered) * scale:.3g} ({ordered[0] * scale:.3g}-{ordered[-1] * scale:.3g})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.paired", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", default="body,search", help="of: " + ",".join(WORKLOADS))
    parser.add_argument("--servers", default="elektromail,dovecot,dovecot-tuned")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--small", action="store_true", help="messages of about 400 bytes instead of 4 KB")
    args = parser.parse_args(argv)
    specs = args.servers.split(",")
    names = [spec.partition("=")[0] for spec in specs]
    workloads = args.workloads.split(",")
    make = message_small if args.small else message_4k
    with ExitStack() as stack:
        endpoints = [_start(stack, spec) for spec in specs]
        mail = [make(number) for number in range(1, args.messages + 1)]
        for endpoint in endpoints:
            client_loop.run(_fill(endpoint, mail))
        for key in workloads:
            wall: dict[str, list[float]] = {name: [] for name in names}
            cpu: dict[str, list[float]] = {name: [] for name in names}
            for endpoint in endpoints:  # once unmeasured: caches of parsed messages fill
                client_loop.run(_run(WORKLOADS[key], endpoint, args.messages))
            for round_number in range(args.rounds):
                shift = round_number % len(names)
                for name, endpoint in (list(zip(names, endpoints, strict=True)) * 2)[shift : shift + len(names)]:
                    before = processes.cpu_seconds(endpoint.pid)
                    _, seconds = client_loop.run(_run(WORKLOADS[key], endpoint, args.messages))
                    wall[name].append(seconds)
                    time.sleep(0.05)  # the server's last writes and exits are counted
                    cpu[name].append(processes.cpu_seconds(endpoint.pid) - before)
            load = os.getloadavg()[0]
            print(f"{key}: {args.rounds} rounds, {args.messages} messages, load {load:.1f}", flush=True)
            reference = names[0]
            for name in names:
                mean_cpu = sum(cpu[name]) / args.rounds * 1000
                line = f"  {name:<16} wall ms {_spread(wall[name], 1000):<24} cpu ms {mean_cpu:.1f}"
                if name != reference:
                    ratios = [theirs / ours for ours, theirs in zip(wall[reference], wall[name], strict=True)]
                    cpu_ratio = sum(cpu[name]) / max(sum(cpu[reference]), 1e-9)
                    line += f"   ratio wall {_spread(ratios)} cpu {cpu_ratio:.2f}"
                print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
