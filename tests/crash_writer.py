"""A store under load, for the SIGKILL tests: ``python -m tests.crash_writer DB WRITERS``.

Each writer appends to its own mailbox, changes the new message's flags in steps, and expunges every
fourth message. A line goes to stdout only after the change's commit returned, so every line printed is
a change the server would have acknowledged.
"""

from __future__ import annotations

import asyncio
import sys

from elektromail.store import FlagMode
from elektromail.store.sqlite import open_sqlite_store

USER = "crash"
FLAG_STEPS = 3
# Bounds, should the parent never kill us: messages per writer and seconds in all.
MAX_MESSAGES = 5000
MAX_SECONDS = 30.0


def payload(writer: int, index: int) -> bytes:
    """A message whose bytes say who wrote it, so any stored copy can be checked exactly."""
    body = bytes((writer * 31 + index * 7 + n) % 256 for n in range(600 + index % 300))
    return b"Subject: w%d-%d\r\nX-Writer: %d\r\n\r\n" % (writer, index, writer) + body


def parse_subject(raw: bytes) -> tuple[int, int]:
    first = raw.split(b"\r\n", 1)[0]
    writer, index = first.removeprefix(b"Subject: w").split(b"-")
    return int(writer), int(index)


def ack(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def main(path: str, writers: int) -> None:
    store = await open_sqlite_store(path)
    account = store.account(USER) or await store.add_user(USER, "pass")

    async def write(writer: int) -> None:
        name = f"W{writer}"
        mailbox = account.mailbox(name) or await store.create_mailbox(account, name)
        index = 0
        while index < MAX_MESSAGES:
            message = await store.append(mailbox, payload(writer, index))
            ack(f"A {writer} {message.uid} {index}")
            for step in range(FLAG_STEPS):
                await store.set_flags(mailbox, [message], [f"s{step}"], FlagMode.REPLACE)
                ack(f"F {writer} {message.uid} {step}")
            if index % 4 == 3:
                await store.expunge(mailbox, [message.uid])
                ack(f"X {writer} {message.uid}")
            index += 1

    ack("READY")
    await asyncio.wait_for(asyncio.gather(*(write(writer) for writer in range(writers))), MAX_SECONDS)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
