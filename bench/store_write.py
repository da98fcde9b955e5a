"""Store write throughput and start-up time, in memory and on SQLite, side by side in one run.

Run from the repository root::

    python bench/store_write.py [--rounds 3] [--writers 50] [--messages 4000] [--length 4096]
                                [--startup-messages 10000] [--smtp-sessions 20] [--smtp-messages 4000]

1. Appends: WRITERS tasks append MESSAGES messages of LENGTH octets in all, each awaiting its commit, to
   the in-memory store and to a fresh SQLite store (group commit). Prints messages/s and the ratio.
2. SMTP ingest: Postfix's ``smtp-source`` against the server on each backend (skipped with a note when
   smtp-source is not installed). Prints messages/s and the ratio.
3. Start-up: opening a database that holds STARTUP_MESSAGES messages (check, migrate, load everything).
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
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import msgspec

REPOSITORY = Path(__file__).resolve().parent.parent
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

from elektromail import Config, ServerThread  # noqa: E402
from elektromail.server import new_event_loop  # noqa: E402
from elektromail.store.memory import Store  # noqa: E402
from elektromail.store.sqlite import SqliteJournal, open_sqlite_store  # noqa: E402

T = TypeVar("T")


def message(index: int, length: int) -> bytes:
    header = b"From: bench@example.com\r\nTo: user@example.com\r\nSubject: message %d\r\n\r\n" % index
    line = b"x" * 76 + b"\r\n"
    return header + line * max(1, (length - len(header)) // len(line))


async def append_all(store: Store, writers: int, messages: int, length: int) -> float:
    account = await store.add_user("user", "pass")
    per_writer = messages // writers
    payloads = [message(n, length) for n in range(per_writer)]

    async def write() -> None:
        for raw in payloads:
            await store.append(account.inbox, raw)

    started = time.perf_counter()
    await asyncio.gather(*(write() for _ in range(writers)))
    return (per_writer * writers) / (time.perf_counter() - started)


async def appends_memory(writers: int, messages: int, length: int) -> float:
    return await append_all(Store(), writers, messages, length)


async def appends_sqlite(directory: Path, writers: int, messages: int, length: int) -> tuple[float, int]:
    store = await open_sqlite_store(str(directory / "appends.db"))
    journal = store.journal
    assert isinstance(journal, SqliteJournal)
    try:
        rate = await append_all(store, writers, messages, length)
        return rate, journal.transactions
    finally:
        await journal.close()


def smtp_ingest(config: Config, sessions: int, messages: int, length: int) -> float:
    with ServerThread(config) as server:
        command = ["smtp-source", "-s", str(sessions), "-m", str(messages), "-l", str(length)]
        started = time.perf_counter()
        subprocess.run([*command, f"127.0.0.1:{server.smtp_port}"], check=True, capture_output=True, timeout=600)
        return messages / (time.perf_counter() - started)


async def fill(path: Path, count: int, length: int) -> None:
    store = await open_sqlite_store(str(path))
    account = await store.add_user("user", "pass")
    batch = 500
    for start in range(0, count, batch):
        await asyncio.gather(*(store.append(account.inbox, message(n, length)) for n in range(start, start + batch)))
    journal = store.journal
    assert isinstance(journal, SqliteJournal)
    await journal.close()


async def open_and_close(path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    store = await open_sqlite_store(str(path))
    elapsed = time.perf_counter() - started
    account = store.account("user")
    loaded = 0 if account is None else len(account.inbox.messages)
    journal = store.journal
    assert isinstance(journal, SqliteJournal)
    await journal.close()
    return elapsed, loaded


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    loop = new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--length", type=int, default=4096)
    parser.add_argument("--startup-messages", type=int, default=10_000)
    parser.add_argument("--smtp-sessions", type=int, default=20)
    parser.add_argument("--smtp-messages", type=int, default=4000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="elektromail-bench-") as temp:
        directory = Path(temp)
        memory_rates: list[float] = []
        sqlite_rates: list[float] = []
        for round_number in range(args.rounds):
            for path in directory.glob("appends.db*"):
                path.unlink()
            memory = run(appends_memory(args.writers, args.messages, args.length))
            rate, transactions = run(appends_sqlite(directory, args.writers, args.messages, args.length))
            memory_rates.append(memory)
            sqlite_rates.append(rate)
            print(
                f"appends round {round_number + 1}: memory {memory:9.0f}/s   sqlite {rate:9.0f}/s"
                f"   ({transactions} transactions for {args.messages} commits)"
            )
        print(
            f"appends median: memory {statistics.median(memory_rates):.0f}/s, sqlite"
            f" {statistics.median(sqlite_rates):.0f}/s, sqlite/memory ="
            f" {statistics.median(sqlite_rates) / statistics.median(memory_rates):.2f}"
        )

        if shutil.which("smtp-source") is None:
            print("smtp ingest: skipped, smtp-source (Debian package postfix) is not installed")
        else:
            base = Config(smtp_port=0, imap_port=0, bind_addr="127.0.0.1", log_level="warning")
            smtp_memory: list[float] = []
            smtp_sqlite: list[float] = []
            for round_number in range(args.rounds):
                db = directory / f"smtp{round_number}.db"
                on_disk = msgspec.structs.replace(base, db=str(db))
                pair = [("memory", base, smtp_memory), ("sqlite", on_disk, smtp_sqlite)]
                if round_number % 2:
                    pair.reverse()
                line = []
                for name, config, rates in pair:
                    rates.append(smtp_ingest(config, args.smtp_sessions, args.smtp_messages, args.length))
                    line.append(f"{name} {rates[-1]:7.0f}/s")
                print(f"smtp ingest round {round_number + 1}: " + "   ".join(line))
            print(
                f"smtp ingest median: memory {statistics.median(smtp_memory):.0f}/s, sqlite"
                f" {statistics.median(smtp_sqlite):.0f}/s, sqlite/memory ="
                f" {statistics.median(smtp_sqlite) / statistics.median(smtp_memory):.2f}"
            )

        startup_db = directory / "startup.db"
        run(fill(startup_db, args.startup_messages, args.length))
        size = sum(path.stat().st_size for path in directory.glob("startup.db*"))
        for round_number in range(args.rounds):
            elapsed, loaded = run(open_and_close(startup_db))
            print(
                f"start-up round {round_number + 1}: {loaded} messages ({size / 1e6:.0f} MB) opened, checked"
                f" and loaded in {elapsed * 1000:.0f} ms"
            )


if __name__ == "__main__":
    main()
