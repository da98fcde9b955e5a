"""``python -m bench``: every workload against every installed peer, then a report folder.

python -m bench [--quick] [--only smtp,imap,...] [--peers elektromail,dovecot,...] [--rounds N]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.machine import machine, versions
from bench.model import Settings
from bench.peers import ALL_PEERS, REFERENCE
from bench.processes import ROOT
from bench.report import peer_rows, write
from bench.runner import run_all
from bench.workloads import NAMES, all_workloads


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (under two minutes)")
    parser.add_argument("--only", type=_names, default=list(NAMES), help="workloads: " + ",".join(NAMES))
    peer_names = [peer.name for peer in ALL_PEERS]
    parser.add_argument("--peers", type=_names, default=None, help="peers: " + ",".join(peer_names))
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    unknown = [name for name in args.only if name not in NAMES] + [
        name for name in args.peers or [] if name not in peer_names
    ]
    if unknown:
        parser.error(f"unknown: {', '.join(unknown)}")
    settings = Settings.short() if args.quick else Settings()
    if args.rounds:
        settings = dataclasses.replace(settings, rounds=args.rounds)
    wanted = [peer for peer in ALL_PEERS if args.peers is None or peer.name in args.peers]
    if REFERENCE not in wanted:
        wanted.insert(0, REFERENCE)  # every ratio is against it
    skipped = {peer.name: how for peer in wanted if (how := peer.missing())}
    peers = [peer for peer in wanted if peer.name not in skipped]
    for name, how in skipped.items():
        print(f"skipped {name}: {how}", file=sys.stderr)
    workloads = [workload for workload in all_workloads(settings) if workload.name in args.only]
    started = datetime.now(UTC)
    meta: dict[str, object] = {
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(peers),
        "peers": peer_rows(peers),
    }
    print(f"{len(workloads)} workloads, {len(peers)} peers: {', '.join(peer.name for peer in peers)}", flush=True)
    clock = time.perf_counter()
    results = run_all(workloads, peers, settings)
    meta["seconds"] = round(time.perf_counter() - clock, 1)
    folder = args.out / started.strftime("%Y%m%dT%H%M%SZ")
    report = write(folder, workloads, results, settings, meta, skipped)
    print(f"report: {report} ({meta['seconds']} s)")
    return 0
