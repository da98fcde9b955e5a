"""Servers as separate processes on loopback ports: start, wait for the greeting, stop (shared by the benches)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_COMMAND = (sys.executable, "-m", "elektromail")
START_TIMEOUT = 15.0
USER, PASSWORD = "user", "pass"


class Ports(NamedTuple):
    smtp: int
    imap: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def greets(port: int, greeting: bytes) -> bool:
    """True if a server listens on ``port`` and its first bytes start with ``greeting``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            return sock.recv(100).startswith(greeting)
    except OSError:
        return False


def wait_for_greeting(
    port: int,
    process: subprocess.Popen[bytes],
    greeting: bytes = b"* OK",
    timeout: float = START_TIMEOUT,
    interval: float = 0.05,
) -> bool:
    """True once the server on ``port`` greets; False if ``process`` exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while not greets(port, greeting):
        if process.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(interval)
    return True


def stop_process(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL if the server has not gone within five seconds. SIGTERM first matters for the
    one-file executables: SIGKILL would end only their launcher and leave the server running."""
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_elektromail(command: Sequence[str], ports: Ports) -> subprocess.Popen[bytes]:
    """Start elektromail (the package or an executable) with one user, on the given loopback ports."""
    arguments = ["--smtp-port", str(ports.smtp), "--imap-port", str(ports.imap), "--bind", "127.0.0.1"]
    arguments += ["--users", f"{USER}:{PASSWORD}"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([*command, *arguments], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@contextmanager
def run_elektromail(command: Sequence[str] = PACKAGE_COMMAND) -> Iterator[Ports]:
    """Run elektromail until the block ends; yield its ports once both SMTP and IMAP greet."""
    ports = Ports(smtp=free_port(), imap=free_port())
    process = start_elektromail(command, ports)
    try:
        for port, greeting in ((ports.smtp, b"220"), (ports.imap, b"* OK")):
            if not wait_for_greeting(port, process, greeting):
                raise RuntimeError(f"{' '.join(command)} did not start")
        yield ports
    finally:
        stop_process(process)
