"""The server under valgrind's callgrind, for the tools that count its instructions
(:mod:`bench.instructions`, :mod:`bench.callgrind_transcripts`): start it, send it SMTP bursts, and read
the instructions it executed since the last look.

A shared machine moves wall-clock figures by several per cent from run to run; the instructions the
server executes for the same work hardly move. Counters are zeroed or dumped with ``callgrind_control``
while the server runs, so a first burst can warm it up (imports, caches, the transcripts registry filled
to its steady size) before anything is counted.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.processes import PYTHON, ROOT, free_port, greets

SENDER = "bench@example.test"
RECIPIENT = "user@localhost"  # the IMAP account "user"
START_SECONDS = 300  # callgrind starts CPython slowly, the more on a busy machine
_TOTALS = re.compile(rb"^(?:summary|totals):\s*(\d+)", re.MULTILINE)


@dataclass
class CountedServer:
    """A server running under callgrind: its ports, valgrind's process id and where its dumps go."""

    smtp: int
    imap: int
    pid: int
    directory: Path
    dumps: set[Path] = field(default_factory=set)  # the dumps already read

    def zero(self) -> None:
        """Forget what was counted so far."""
        _control("--zero", str(self.pid))

    def instructions(self) -> tuple[int, Path]:
        """The instructions executed since the counters were last zeroed or dumped, and the dump holding
        them (``callgrind_control`` writes each into a new numbered file)."""
        _control("--dump", str(self.pid))
        for _ in range(3000):  # a busy machine makes callgrind slow to answer
            new = set(self.directory.glob(f"callgrind.out.{self.pid}.*")) - self.dumps
            if new:
                (path,) = new
                time.sleep(0.5)  # written in one go, but let it finish
                self.dumps.add(path)
                found = _TOTALS.search(path.read_bytes())
                if found is None:
                    raise RuntimeError(f"no totals in {path}")
                return int(found.group(1)), path
            time.sleep(0.1)
        raise RuntimeError("callgrind wrote no dump")


@contextmanager
def counted_server(directory: Path, env: Mapping[str, str], tree: Path = ROOT) -> Iterator[CountedServer]:
    """The package in ``tree`` under callgrind with ``env`` added to its environment, its dumps in
    ``directory``; stopped at the end."""
    smtp, imap = free_port(), free_port()
    environment = dict(os.environ, PYTHONPATH=str(tree), PYTHONHASHSEED="0", **env)
    command = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={directory}/callgrind.out.%p"]
    command += [PYTHON, "-m", "elektromail", "--smtp-port", str(smtp), "--imap-port", str(imap)]
    command += ["--bind", "127.0.0.1", "--users", "user:pass", "--log-level", "warning"]
    process = subprocess.Popen(
        command, env=environment, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not greets(smtp, b"220"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server under callgrind did not start")
            time.sleep(0.1)
        yield CountedServer(smtp, imap, process.pid, directory)
    finally:
        process.terminate()
        process.wait(timeout=120)


def send(port: int, messages: int, length: int = 4096, one_connection: bool = False) -> None:
    """``messages`` of ``length`` octets with smtp-source, one session at a time: a connection each, or
    all over one connection."""
    command = ["smtp-source", "-s", "1", "-m", str(messages), "-l", str(length), "-f", SENDER, "-t", RECIPIENT]
    if one_connection:
        command.append("-d")
    subprocess.run([*command, f"127.0.0.1:{port}"], check=True, capture_output=True, timeout=3600)


def _control(*arguments: str) -> None:
    subprocess.run(["callgrind_control", *arguments], check=True, capture_output=True, timeout=600)
