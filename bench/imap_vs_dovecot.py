"""IMAP side by side: the same workload against elektromail and Debian's dovecot-imapd, in one run.

    python -m bench.imap_vs_dovecot [--messages 2000] [--sessions 50]

Both servers run as separate processes on loopback ports; one lean asyncio client drives them (it reads
responses as raw bytes, so client-side parsing does not hide the servers' differences). Each workload
is timed on both and the throughput ratio printed (> 1.0: elektromail is faster).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import suppress

from bench.dovecot import dovecot_available, run_dovecot
from bench.servers import run_elektromail


class Client:
    """A minimal IMAP client: one command at a time, responses kept as bytes."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.counter = 0

    @classmethod
    async def connect(cls, port: int) -> Client:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 24)
        await reader.readline()  # greeting
        return cls(reader, writer)

    async def command(self, text: bytes) -> bytes:
        self.counter += 1
        tag = b"b%d" % self.counter
        self.writer.write(tag + b" " + text + b"\r\n")
        return await self._until_tagged(tag)

    async def _until_tagged(self, tag: bytes) -> bytes:
        chunks: list[bytes] = []
        while True:
            line = await self.reader.readline()
            if not line:
                raise ConnectionError("server closed the connection")
            chunks.append(line)
            if line.endswith(b"}\r\n"):  # a literal: read it whole, then the rest of the line
                size = int(line[line.rindex(b"{") + 1 : -3])
                chunks.append(await self.reader.readexactly(size))
                continue
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(line.decode("latin-1"))
                return b"".join(chunks)

    async def append(self, message: bytes) -> None:
        self.counter += 1
        tag = b"b%d" % self.counter
        self.writer.write(tag + b" APPEND INBOX {%d}\r\n" % len(message))
        line = await self.reader.readline()
        if not line.startswith(b"+"):
            raise RuntimeError(line.decode("latin-1"))
        self.writer.write(message + b"\r\n")
        await self._until_tagged(tag)

    async def close(self) -> None:
        self.writer.write(b"z LOGOUT\r\n")
        await self.writer.drain()
        self.writer.close()
        with suppress(ConnectionError):
            await self.writer.wait_closed()


def make_message(number: int) -> bytes:
    """About 4 KB: a realistic header block and a two-part body."""
    filler = (b"Lorem ipsum dolor sit amet, consectetur adipiscing elit %d.\r\n" % number) * 60
    return (
        b"From: Sender %d <sender%d@example.com>\r\n"
        b"To: Recipient <rcpt@example.org>, other@example.org\r\n"
        b"Subject: Benchmark message %d =?utf-8?q?gr=C3=BC=C3=9Fe?=\r\n"
        b"Date: Mon, 7 Feb 2022 21:52:25 +0100\r\n"
        b"Message-ID: <bench-%d@example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/alternative; boundary="b%d"\r\n\r\n'
        b"--b%d\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%b\r\n"
        b"--b%d\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>%d</p>\r\n--b%d--\r\n"
    ) % (number, number, number, number, number, number, filler, number, number, number)


async def _login(port: int, select: bool = True) -> Client:
    client = await Client.connect(port)
    await client.command(b"LOGIN user pass")
    if select:
        await client.command(b"SELECT INBOX")
    return client


async def populate(port: int, count: int) -> None:
    client = await _login(port, select=False)
    for number in range(1, count + 1):
        await client.append(make_message(number))
    await client.close()


Workload = Callable[[int, int], Awaitable[int]]  # (port, messages) -> operations done


async def fetch_envelopes(port: int, messages: int) -> int:
    client = await _login(port)
    await client.command(b"FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE)")
    await client.close()
    return messages


async def fetch_bodies(port: int, messages: int) -> int:
    client = await _login(port)
    await client.command(b"FETCH 1:* BODY.PEEK[]")
    await client.close()
    return messages


SEARCHES = (
    b"UID SEARCH ALL",
    b"UID SEARCH UNSEEN",
    b"UID SEARCH FROM sender1",
    b"UID SEARCH SUBJECT message",
    b"UID SEARCH LARGER 4000",
    b"UID SEARCH SENTSINCE 1-Jan-2022",
    b"UID SEARCH OR FLAGGED TO other",
    b"UID SEARCH HEADER Message-ID bench-7",
    b"UID SEARCH BODY consectetur",
    b"UID SEARCH NOT DELETED 1:500",
)


async def uid_searches(port: int, messages: int) -> int:
    client = await _login(port)
    for search in SEARCHES:
        await client.command(search)
    await client.close()
    return len(SEARCHES)


async def store_all(port: int, messages: int) -> int:
    client = await _login(port)
    await client.command(b"STORE 1:* +FLAGS (\\Flagged)")
    await client.command(b"STORE 1:* -FLAGS (\\Flagged)")
    await client.close()
    return 2 * messages


def parallel_sessions(sessions: int) -> Workload:
    async def run(port: int, messages: int) -> int:
        async def one() -> None:
            client = await _login(port)
            await client.command(b"FETCH 1:10 (FLAGS UID ENVELOPE)")
            await client.close()

        await asyncio.gather(*(one() for _ in range(sessions)))
        return sessions

    return run


def standard_workloads(sessions: int) -> dict[str, Workload]:
    """The workloads every IMAP comparison runs, by the name printed in its table."""
    return {
        "FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE)  msg/s": fetch_envelopes,
        "FETCH 1:* BODY.PEEK[]                       msg/s": fetch_bodies,
        f"UID SEARCH x{len(SEARCHES)}                           cmd/s": uid_searches,
        "STORE 1:* +FLAGS / -FLAGS                   msg/s": store_all,
        f"{sessions} parallel LOGIN/SELECT/FETCH/LOGOUT  ses/s": parallel_sessions(sessions),
    }


async def timed(workload: Workload, port: int, messages: int, rounds: int) -> float:
    """Best operations per second over ``rounds`` runs (best-of reduces noise from shared cores)."""
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        operations = await workload(port, messages)
        best = max(best, operations / (time.perf_counter() - start))
    return best


async def measure(port: int, workloads: dict[str, Workload], messages: int, rounds: int) -> dict[str, float]:
    await populate(port, messages)
    return {name: await timed(workload, port, messages, rounds) for name, workload in workloads.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not dovecot_available():
        sys.exit("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
    workloads = standard_workloads(args.sessions)
    with run_elektromail() as ports:
        ours = asyncio.run(measure(ports.imap, workloads, args.messages, args.rounds))
    with run_dovecot() as port:
        theirs = asyncio.run(measure(port, workloads, args.messages, args.rounds))
    print(f"{args.messages} messages of ~{len(make_message(1))} bytes, best of {args.rounds}")
    print(f"{'workload':<52} {'elektromail':>12} {'dovecot':>12} {'ratio':>7}")
    for name in workloads:
        print(f"{name:<52} {ours[name]:>12.0f} {theirs[name]:>12.0f} {ours[name] / theirs[name]:>7.2f}")


if __name__ == "__main__":
    main()
