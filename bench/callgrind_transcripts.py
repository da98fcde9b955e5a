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
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench.callgrind import counted_server, send
from bench.workloads.transcripts import MIXED

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


def measure(recording: bool, messages: int, keep: Path | None = None) -> list[float]:
    """Instructions per SMTP session (a connection per message), per SMTP message (one connection), per
    message FETCHed and per short IMAP session; ``keep``: a directory to keep callgrind's files in, for
    ``callgrind_annotate``."""
    env = {"ELEKTROMAIL_TRANSCRIPTS": "on" if recording else "off", "ELEKTROMAIL_TRANSCRIPT_SESSIONS": "20"}
    with tempfile.TemporaryDirectory(prefix="bench-callgrind-") as name:
        directory = Path(name) if keep is None else keep / ("on" if recording else "off")
        directory.mkdir(parents=True, exist_ok=True)
        with counted_server(directory, env) as server:
            send(server.smtp, max(messages, FETCHED))
            send(server.smtp, messages, one_connection=True)
            _fetch_envelopes(server.imap)
            _short_sessions(server.imap)
            server.zero()
            send(server.smtp, messages)
            per_session = server.instructions()[0] / messages
            send(server.smtp, messages, one_connection=True)
            per_message = server.instructions()[0] / messages
            _fetch_envelopes(server.imap)
            per_fetched = server.instructions()[0] / (FETCHES * FETCHED)
            _short_sessions(server.imap)
            per_imap_session = server.instructions()[0] / SESSIONS
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
