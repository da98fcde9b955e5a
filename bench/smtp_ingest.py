"""SMTP ingest rate: Postfix's ``smtp-source`` against elektromail and against a minimal aiosmtpd server.

Run from the repository root::

    python bench/smtp_ingest.py [--rounds 3] [--sessions 20] [--messages 5000] [--length 4096]

Each round runs ``smtp-source -s SESSIONS -m MESSAGES -l LENGTH`` once against each server, alternating
which goes first, and checks that every message arrived (elektromail: counted through its store;
aiosmtpd: counted by its handler). Both servers run inside this process, each on its own thread, while the
main thread only waits for smtp-source. It prints messages/s per run and the ratio of medians.

aiosmtpd runs as its ``Controller`` starts it by default, on the standard asyncio loop; ``--aiosmtpd-uvloop``
gives it uvloop too, which isolates the cost of the SMTP implementation from the cost of the event loop.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parent.parent
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

import aiosmtpd  # noqa: E402

from bench.servers import free_port  # noqa: E402
from elektromail import Config, ServerThread  # noqa: E402
from elektromail.server import new_event_loop  # noqa: E402

RECIPIENT_USER = "foo"  # smtp-source's default recipient is foo@<its host name>


def smtp_source(port: int, sessions: int, messages: int, length: int) -> float:
    """Run smtp-source to completion and return the elapsed seconds."""
    command = ["smtp-source", "-s", str(sessions), "-m", str(messages), "-l", str(length), f"127.0.0.1:{port}"]
    started = time.perf_counter()
    completed = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"smtp-source failed ({completed.returncode}): {completed.stderr.strip()}")
    return elapsed


# ---------------------------------------------------------------- elektromail


def run_elektromail(sessions: int, messages: int, length: int, db: str | None = None) -> float:
    config = Config(smtp_port=0, imap_port=0, bind_addr="127.0.0.1", db=db)
    with ServerThread(config) as server:
        elapsed = smtp_source(server.smtp_port, sessions, messages, length)

        async def count() -> int:
            account = server.server.store.account(RECIPIENT_USER)
            return 0 if account is None else len(account.inbox.messages)

        stored: int = server.call(count)
    if stored != messages:
        raise SystemExit(f"elektromail stored {stored} of {messages} messages")
    return messages / elapsed


def run_elektromail_sqlite(sessions: int, messages: int, length: int) -> float:
    """The same, with every message committed to a fresh SQLite database before its 250."""
    with tempfile.TemporaryDirectory(prefix="elektromail-bench-") as directory:
        return run_elektromail(sessions, messages, length, db=str(Path(directory) / "mail.db"))


# ---------------------------------------------------------------- aiosmtpd


class CountingHandler:
    """The smallest useful aiosmtpd handler: accept and count."""

    def __init__(self) -> None:
        self.count = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.count += 1
        return "250 OK"


def run_aiosmtpd(sessions: int, messages: int, length: int, uvloop: bool) -> float:
    from aiosmtpd.controller import Controller

    handler = CountingHandler()
    loop = new_event_loop() if uvloop else asyncio.new_event_loop()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), loop=loop)
    controller.start()
    try:
        elapsed = smtp_source(controller.port, sessions, messages, length)
    finally:
        controller.stop()
        loop.close()
    if handler.count != messages:
        raise SystemExit(f"aiosmtpd counted {handler.count} of {messages} messages")
    return messages / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--length", type=int, default=4096)
    parser.add_argument("--aiosmtpd-uvloop", action="store_true", help="run aiosmtpd on uvloop as well")
    args = parser.parse_args()
    if shutil.which("smtp-source") is None:
        print("smtp-source not found: install the Debian package postfix", file=sys.stderr)
        return 1
    peer_loop = "uvloop" if args.aiosmtpd_uvloop else "asyncio"
    runners: dict[str, Callable[[int, int, int], float]] = {
        "elektromail": run_elektromail,
        "elektromail+db": run_elektromail_sqlite,
        "aiosmtpd": lambda s, m, n: run_aiosmtpd(s, m, n, args.aiosmtpd_uvloop),
    }
    rates: dict[str, list[float]] = {name: [] for name in runners}
    print(
        f"smtp-source -s {args.sessions} -m {args.messages} -l {args.length}, {args.rounds} rounds, "
        f"aiosmtpd {aiosmtpd.__version__} on {peer_loop}"
    )
    for round_number in range(args.rounds):
        order = list(runners) if round_number % 2 == 0 else list(reversed(runners))
        for name in order:
            rate = runners[name](args.sessions, args.messages, args.length)
            rates[name].append(rate)
            print(f"  round {round_number + 1}  {name:<12} {rate:9.0f} messages/s", flush=True)
    ours, theirs = statistics.median(rates["elektromail"]), statistics.median(rates["aiosmtpd"])
    print(f"median: elektromail {ours:.0f}/s, aiosmtpd {theirs:.0f}/s, ratio {ours / theirs:.2f}x")
    durable = statistics.median(rates["elektromail+db"])
    print(f"median: elektromail on SQLite {durable:.0f}/s, {durable / ours:.2f}x the in-memory rate")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
