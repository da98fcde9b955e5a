"""What recording SMTP session transcripts costs, counted in instructions rather than timed.

The paired bursts of ``bench --only transcripts`` move by several per cent from run to run on a shared
machine; instruction counts do not. This runs the server under valgrind's callgrind twice, with
``ELEKTROMAIL_TRANSCRIPTS`` on and off (20 transcripts kept, so that every new session drops the oldest as
the 1,000 kept do in a long run), warms each up with a first burst of ``smtp-source``, then counts the
server's instructions for a second burst of each unit: SMTP messages with a connection each, SMTP messages
over one connection, five ``FETCH 1:200 (FLAGS UID RFC822.SIZE ENVELOPE)`` and ten short IMAP sessions
(LOGIN, SELECT, the commands of the paired workload, LOGOUT) one after another. It prints instructions
per unit, on / off, and the throughput ratio on / off (the instructions off over on; goal: at least 0.95).

Usage, from the repository (valgrind and Postfix's ``smtp-source`` on PATH)::

    python -m bench.callgrind_transcripts [--messages 100] [--keep DIRECTORY]
"""

from __future__ import annotations

import argparse
import imaplib
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from bench.processes import free_port, greets
from bench.workloads.transcripts import MIXED

SENDER = "bench@example.test"
RECIPIENT = "user@localhost"  # the IMAP account "user"
_TOTALS = re.compile(rb"^(?:summary|totals):\s*(\d+)", re.MULTILINE)


@contextmanager
def _server(recording: bool, directory: Path) -> Iterator[tuple[int, int, int]]:
    """The server under callgrind: its SMTP and IMAP ports and valgrind's process id."""
    port, imap = free_port(), free_port()
    env = dict(os.environ, PYTHONHASHSEED="0", ELEKTROMAIL_TRANSCRIPTS="on" if recording else "off")
    env["ELEKTROMAIL_TRANSCRIPT_SESSIONS"] = "20"
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={directory}/callgrind.out.%p"]
    command += [sys.executable, "-m", "elektromail", "--smtp-port", str(port), "--imap-port", str(imap)]
    command += ["--bind", "127.0.0.1", "--users", "user:pass", "--log-level", "warning"]
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300  # callgrind starts CPython slowly, the more on a busy machine
        while not greets(port, b"220"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server under callgrind did not start")
            time.sleep(0.1)
        yield port, imap, process.pid
    finally:
        process.terminate()
        process.wait(timeout=120)


def _send(port: int, messages: int, one_connection: bool) -> None:
    command = ["smtp-source", "-s", "1", "-m", str(messages), "-l", "4096", "-f", SENDER, "-t", RECIPIENT]
    if one_connection:
        command.append("-d")
    subprocess.run([*command, f"127.0.0.1:{port}"], check=True, capture_output=True, timeout=1200)


FETCHED = 200  # messages each FETCH answers
FETCHES = 5
SESSIONS = 10


def _fetch_envelopes(port: int) -> None:
    with imaplib.IMAP4("127.0.0.1", port) as imap:
        imap.login("user", "pass")
        imap.select("INBOX")
        for _ in range(FETCHES):
            status, data = imap.fetch(f"1:{FETCHED}", "(FLAGS UID RFC822.SIZE ENVELOPE)")
            assert status == "OK" and len(data) >= FETCHED, (status, len(data))


def _short_sessions(port: int) -> None:
    """LOGIN, SELECT, the commands of the paired workload's short sessions, LOGOUT; one after another."""
    for _ in range(SESSIONS):
        imap = imaplib.IMAP4("127.0.0.1", port)
        imap.login("user", "pass")
        imap.select("INBOX")
        for command in MIXED:
            tag = imap._new_tag()  # as the command is written, whatever imaplib knows of it
            imap.send(tag + b" " + command + b"\r\n")
            while not imap._get_line().startswith(tag + b" "):
                pass
        imap.logout()


def _dump(pid: int, directory: Path, before: set[Path]) -> int:
    """Instructions since the last dump (callgrind_control writes a new numbered file)."""
    subprocess.run(["callgrind_control", "-d", str(pid)], check=True, capture_output=True, timeout=600)
    for _ in range(3000):  # a busy machine makes callgrind slow to answer
        new = set(directory.glob(f"callgrind.out.{pid}.*")) - before
        if new:
            (path,) = new
            time.sleep(0.5)  # written in one go, but let it finish
            before.add(path)
            found = _TOTALS.search(path.read_bytes())
            assert found is not None, path
            return int(found.group(1))
        time.sleep(0.1)
    raise RuntimeError("callgrind wrote no dump")


def measure(recording: bool, messages: int, keep: Path | None = None) -> list[float]:
    """Instructions per SMTP session (a connection per message), per SMTP message (one connection), per
    message FETCHed and per short IMAP session; ``keep``: a directory to keep callgrind's files in, for
    ``callgrind_annotate``."""
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as name:
        directory = Path(name) if keep is None else keep / ("on" if recording else "off")
        directory.mkdir(parents=True, exist_ok=True)
        with _server(recording, directory) as (port, imap, pid):
            seen: set[Path] = set()
            _send(port, max(messages, FETCHED), False)
            _send(port, messages, True)
            _fetch_envelopes(imap)
            _short_sessions(imap)
            _dump(pid, directory, seen)
            _send(port, messages, False)
            per_session = _dump(pid, directory, seen) / messages
            _send(port, messages, True)
            per_message = _dump(pid, directory, seen) / messages
            _fetch_envelopes(imap)
            per_fetched = _dump(pid, directory, seen) / (FETCHES * FETCHED)
            _short_sessions(imap)
            per_imap_session = _dump(pid, directory, seen) / SESSIONS
    return [per_session, per_message, per_fetched, per_imap_session]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--keep", type=Path, help="keep callgrind's files in this directory (on/, off/)")
    arguments = parser.parse_args()
    with ThreadPoolExecutor(2) as pool:  # the two servers at once: instruction counts do not mind
        on_run = pool.submit(measure, True, arguments.messages, arguments.keep)
        off_run = pool.submit(measure, False, arguments.messages, arguments.keep)
        on, off = on_run.result(), off_run.result()
    labels = (
        "SMTP, a connection per message (per session)",
        "SMTP, one connection (per message)",
        "IMAP FETCH (FLAGS UID RFC822.SIZE ENVELOPE) (per message)",
        "IMAP short session (per session)",
    )
    for index, label in enumerate(labels):
        print(f"{label}: {on[index]:,.0f} / {off[index]:,.0f} ({off[index] / on[index]:.3f})")


if __name__ == "__main__":
    main()
