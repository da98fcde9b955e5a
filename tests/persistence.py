"""Helpers for the persistence tests: damaged database files and the command line as a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# The supervisor logs "SMTP listening on 127.0.0.1:40123" for each listener.
LISTENING = re.compile(r"(\w+) listening on \S+:(\d+)")


def cli_env(**extra: str) -> dict[str, str]:
    """The environment for ``python -m elektromail`` run from this checkout."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ELEKTROMAIL_", "SMTP", "IMAP"))}
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def cli_args(db: Path | str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "elektromail",
        "--db",
        str(db),
        "--bind",
        "127.0.0.1",
        "--smtp-port",
        "0",
        "--imap-port",
        "0",
        *extra,
    ]


def run_cli(db: Path | str, extra: Sequence[str] = (), timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """Run the server on ``db`` expecting it to stop by itself (a bad database ends start-up)."""
    return subprocess.run(cli_args(db, *extra), env=cli_env(), capture_output=True, text=True, timeout=timeout)


def is_writable(path: Path) -> bool:
    try:
        os.close(os.open(path, os.O_RDWR))
    except OSError:
        return False
    return True


@contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """Make ``path`` impossible to open for writing, even for root (which ignores permission bits)."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True, capture_output=True, timeout=10)
        undo = ["chattr", "-i", str(path)]
    else:
        path.chmod(0o444)
        undo = []
    try:
        assert not is_writable(path), f"could not make {path} read-only"
        yield
    finally:
        if undo:
            subprocess.run(undo, check=True, capture_output=True, timeout=10)
        else:
            path.chmod(0o644)


def damage(path: Path, offset: int, length: int) -> None:
    """Overwrite part of a file with bytes no SQLite page contains."""
    with path.open("r+b") as file:
        file.seek(offset)
        file.write(b"\xa5" * length)


class RunningServer:
    """``python -m elektromail`` as a subprocess, with the ports it logged once ready.

    Its log goes to a file beside the database, so a chatty server never blocks on a full pipe.
    """

    def __init__(self, db: Path | str, *extra: str, start_timeout: float = 30) -> None:
        self.log_path = Path(f"{db}.log")
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                cli_args(db, *extra), env=cli_env(), stdout=subprocess.DEVNULL, stderr=log, text=True
            )
        self.ports: dict[str, int] = {}
        self._wait_ready(start_timeout)

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            log = self.log
            if "elektromail ready" in log:
                self.ports = {name: int(port) for name, port in LISTENING.findall(log)}
                return
            time.sleep(0.02)
        self.kill()
        raise AssertionError("server did not become ready:\n" + self.log)

    def kill(self) -> None:
        """SIGKILL: no goodbye, no flush, no close."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)

    def terminate(self, timeout: float = 15) -> int:
        """SIGTERM and wait for the graceful stop; returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout)
