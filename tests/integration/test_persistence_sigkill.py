"""SIGKILL in the middle of parallel writes: every acknowledged change is there after a restart, intact."""

from __future__ import annotations

import asyncio
import contextlib
import imaplib
import os
import random
import select
import smtplib
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from elektromail.store import Store
from elektromail.store.sqlite import SqliteJournal, open_sqlite_store
from tests import crash_writer
from tests.persistence import RunningServer, cli_env

ROUNDS = 3
SMTP_CLIENTS = 8
STORE_WRITERS = 8
# IMAP sessions changing flags while SMTP ingest runs; each owns an account with this many messages.
IMAP_CLIENTS = 4
IMAP_MESSAGES = 10
# Kill only once this many changes were acknowledged, and within this many seconds of the first.
MIN_ACKS = 40
KILL_WINDOW = (0.2, 0.8)
RUN_LIMIT_SECONDS = 20.0


async def load(path: Path) -> Store:
    return await open_sqlite_store(str(path))


async def unload(store: Store) -> None:
    journal = store.journal
    assert isinstance(journal, SqliteJournal)
    await journal.close()


def reopened(path: Path) -> tuple[Store, asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    return loop.run_until_complete(load(path)), loop


# ---------------------------------------------------------------------- SMTP ingest and IMAP STORE through the server


def smtp_message(client: int, index: int) -> bytes:
    body = b"".join(b"line %d of message %d from client %d\r\n" % (n, index, client) for n in range(20 + index % 40))
    return (
        b"From: sender@example.com\r\nTo: load%d@example.com\r\nSubject: c%d-%d\r\nMessage-ID: <c%d-%d@test>\r\n\r\n"
        % (client, client, index, client, index)
        + body
    )


@dataclass
class Ingest:
    acked: list[tuple[int, int, tuple[str, ...]]] = field(default_factory=list)  # client, index, users
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)


def send_until_stopped(port: int, client: int, ingest: Ingest) -> None:
    deadline = time.monotonic() + RUN_LIMIT_SECONDS
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            index = 0
            while not ingest.stop.is_set() and time.monotonic() < deadline:
                users = (f"load{client}",) if index % 5 else (f"load{client}", "shared")
                addresses = [f"{user}@example.com" for user in users]
                smtp.sendmail("sender@example.com", addresses, smtp_message(client, index))
                with ingest.lock:
                    ingest.acked.append((client, index, users))
                index += 1
    except (smtplib.SMTPException, OSError):
        pass  # the server was killed under us: what was not acknowledged may or may not be stored


# ---------------------------------------------------------------------- IMAP flag changes through the server
#
# Each IMAP session owns the account ``flags<k>`` and changes the flags of its messages one step at a
# time. Step n of a message is, alternately, ``UID STORE uid FLAGS (\Seen s<n>)`` (replace) and
# ``STORE seq +FLAGS.SILENT (s<n>)`` (add), so the flags after any committed prefix of steps are known
# exactly: the highest s<n> present names the last step stored, and it must not be below the last step
# whose tagged OK arrived.


def flag_user(session: int) -> str:
    return f"flags{session}"


def flags_after(step: int) -> set[str]:
    """The flags of a message once its steps 0..step have been stored."""
    if step % 2 == 0:
        return {"\\Seen", f"s{step}"}
    return {"\\Seen", f"s{step - 1}", f"s{step}"}


@dataclass
class FlagChanges:
    acked: dict[tuple[int, int], int] = field(default_factory=dict)  # (session, uid) -> last acknowledged step
    count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def store_flags_until_stopped(port: int, session: int, changes: FlagChanges, stop: threading.Event) -> None:
    deadline = time.monotonic() + RUN_LIMIT_SECONDS
    user = flag_user(session)
    try:
        imap = imaplib.IMAP4("127.0.0.1", port, timeout=10)
        try:
            imap.login(user, user)  # accounts created by delivery take the user name as password
            imap.select("INBOX")
            turn = 0
            while not stop.is_set() and time.monotonic() < deadline:
                uid, step = turn % IMAP_MESSAGES + 1, turn // IMAP_MESSAGES
                if step % 2 == 0:
                    status, _ = imap.uid("STORE", str(uid), "FLAGS", f"(\\Seen s{step})")
                else:  # only SMTP adds to other accounts, so sequence number = UID here
                    status, _ = imap.store(str(uid), "+FLAGS.SILENT", f"(s{step})")
                assert status == "OK", status
                with changes.lock:
                    changes.acked[session, uid] = step
                    changes.count += 1
                turn += 1
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                imap.shutdown()
    except (imaplib.IMAP4.error, OSError):
        pass  # the server was killed under us: an unacknowledged STORE may or may not be stored


def seed_flag_accounts(port: int) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        for session in range(IMAP_CLIENTS):
            for index in range(IMAP_MESSAGES):
                message = b"Subject: flags %d-%d\r\n\r\nbody\r\n" % (session, index)
                smtp.sendmail("sender@example.com", [f"{flag_user(session)}@example.com"], message)


def check_flag_changes(store: Store, changes: FlagChanges) -> None:
    for session in range(IMAP_CLIENTS):
        account = store.account(flag_user(session))
        assert account is not None, f"user {flag_user(session)} lost"
        assert [message.uid for message in account.inbox.messages] == list(range(1, IMAP_MESSAGES + 1))
        for message in account.inbox.messages:
            steps = [int(flag[1:]) for flag in message.flags if flag.startswith("s")]
            stored = max(steps, default=-1)
            acked = changes.acked.get((session, message.uid), -1)
            assert stored >= acked, f"acknowledged STORE step {acked} of {flag_user(session)}/{message.uid} lost"
            if stored >= 0:
                assert set(message.flags) == flags_after(stored), f"{flag_user(session)}/{message.uid} damaged"


@pytest.mark.slow
@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_sigkill_during_parallel_smtp_ingest_and_imap_flag_changes(tmp_path: Path, round_number: int) -> None:
    path = tmp_path / "mail.db"
    server = RunningServer(path)
    ingest = Ingest()
    changes = FlagChanges()
    seed_flag_accounts(server.ports["SMTP"])
    clients = [
        threading.Thread(target=send_until_stopped, args=(server.ports["SMTP"], n, ingest), daemon=True)
        for n in range(SMTP_CLIENTS)
    ]
    clients += [
        threading.Thread(
            target=store_flags_until_stopped, args=(server.ports["IMAP"], n, changes, ingest.stop), daemon=True
        )
        for n in range(IMAP_CLIENTS)
    ]
    try:
        for thread in clients:
            thread.start()
        deadline = time.monotonic() + RUN_LIMIT_SECONDS
        while (len(ingest.acked) < MIN_ACKS or changes.count < MIN_ACKS) and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(random.uniform(*KILL_WINDOW))
    finally:
        server.kill()
        ingest.stop.set()
        for thread in clients:
            thread.join(15)
    assert len(ingest.acked) >= MIN_ACKS, server.log
    assert changes.count >= MIN_ACKS, server.log

    store, loop = reopened(path)
    try:
        check_flag_changes(store, changes)
        for client, index, users in ingest.acked:
            expected = smtp_message(client, index)
            for user in users:
                account = store.account(user)
                assert account is not None, f"user {user} lost"
                assert any(m.source == expected for m in account.inbox.messages), f"acknowledged c{client}-{index} lost"
        for account in store.accounts():
            uids = [m.uid for m in account.inbox.messages]
            assert uids == sorted(set(uids))
            assert account.inbox.uid_next > max(uids, default=0)
            if account.name.startswith("flags"):
                continue  # checked above
            for message in account.inbox.messages:
                subject = message.source.split(b"Subject: c", 1)[1].split(b"\r\n", 1)[0]
                client, index = (int(part) for part in subject.split(b"-"))
                assert message.source == smtp_message(client, index), "a stored message is damaged"
    finally:
        loop.run_until_complete(unload(store))
        loop.close()

    # The server itself starts again on the database and keeps taking mail.
    server = RunningServer(path)
    try:
        with smtplib.SMTP("127.0.0.1", server.ports["SMTP"], timeout=10) as smtp:
            smtp.sendmail("sender@example.com", ["load0@example.com"], smtp_message(99, 0))
    finally:
        assert server.terminate() == 0
    store, loop = reopened(path)
    try:
        account = store.account("load0")
        assert account is not None
        assert account.inbox.messages[-1].source == smtp_message(99, 0)
    finally:
        loop.run_until_complete(unload(store))
        loop.close()


# ---------------------------------------------------------------------- store writes and flag changes


@dataclass
class Acks:
    appended: dict[tuple[int, int], int] = field(default_factory=dict)  # (writer, uid) -> index
    flag_step: dict[tuple[int, int], int] = field(default_factory=dict)
    expunged: set[tuple[int, int]] = field(default_factory=set)
    count: int = 0

    def add(self, line: str) -> None:
        kind, *values = line.split()
        if kind == "A":
            writer, uid, index = map(int, values)
            self.appended[writer, uid] = index
        elif kind == "F":
            writer, uid, step = map(int, values)
            self.flag_step[writer, uid] = step
        elif kind == "X":
            writer, uid = map(int, values)
            self.expunged.add((writer, uid))
        self.count += 1


def read_acks_then_kill(process: subprocess.Popen[bytes], acks: Acks) -> None:
    stdout = process.stdout
    assert stdout is not None
    fd = stdout.fileno()
    buffer = b""
    kill_at: float | None = None
    deadline = time.monotonic() + RUN_LIMIT_SECONDS
    ready = False
    while time.monotonic() < deadline:
        if kill_at is not None and time.monotonic() >= kill_at:
            break
        readable, _, _ = select.select([fd], [], [], 0.05)
        if not readable:
            if process.poll() is not None:
                break
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line == b"READY":
                ready = True
            elif ready:
                acks.add(line.decode())
        if kill_at is None and acks.count >= MIN_ACKS:
            kill_at = time.monotonic() + random.uniform(*KILL_WINDOW)
    process.kill()
    process.wait(10)
    # Lines already in the pipe were printed after their commits: they count too.
    rest = buffer + stdout.read()
    for line in rest.split(b"\n"):
        if line.count(b" ") >= 2 and b"\n" not in line and line[:1] in b"AFX":
            with contextlib.suppress(ValueError):  # the last line may have been cut by the kill
                acks.add(line.decode())


@pytest.mark.slow
@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_sigkill_during_parallel_appends_flag_changes_and_expunges(tmp_path: Path, round_number: int) -> None:
    path = tmp_path / "mail.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.crash_writer", str(path), str(STORE_WRITERS)],
        env=cli_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    acks = Acks()
    try:
        read_acks_then_kill(process, acks)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        if process.stdout is not None:
            process.stdout.close()
    assert acks.count >= MIN_ACKS

    store, loop = reopened(path)
    try:
        account = store.account(crash_writer.USER)
        assert account is not None
        for (writer, uid), index in acks.appended.items():
            mailbox = account.mailbox(f"W{writer}")
            assert mailbox is not None
            assert mailbox.uid_next > uid
            message = mailbox.by_uid.get(uid)
            if (writer, uid) in acks.expunged:
                assert message is None, f"expunge of W{writer}/{uid} lost"
                continue
            step = acks.flag_step.get((writer, uid), -1)
            if message is None and index % 4 == 3 and step == crash_writer.FLAG_STEPS - 1:
                continue  # its expunge was committed but the kill came before the acknowledgement
            assert message is not None, f"acknowledged append W{writer}/{uid} lost"
            assert message.source == crash_writer.payload(writer, index)
            stored_steps = [int(flag[1:]) for flag in message.flags]
            assert len(stored_steps) <= 1, message.flags
            assert (stored_steps[0] if stored_steps else -1) >= step, f"flag change of W{writer}/{uid} lost"
        for mailbox in account.mailboxes.values():
            for message in mailbox.messages:
                writer, index = crash_writer.parse_subject(message.source)
                assert message.source == crash_writer.payload(writer, index), "a stored message is damaged"
    finally:
        loop.run_until_complete(unload(store))
        loop.close()
