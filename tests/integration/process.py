"""Running ``python -m elektromail`` as a real process, the way users start it."""

from __future__ import annotations

import imaplib
import os
import re
import selectors
import signal
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.external import require_own_process

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 20.0
STOP_TIMEOUT_SECONDS = 10.0
_LISTENING = re.compile(r"(\w+) listening on (\S+):(\d+)")


def server_command() -> list[str]:
    """The command that starts the server: ``ELEKTROMAIL_BINARY`` when set, else the package."""
    binary = os.environ.get("ELEKTROMAIL_BINARY")
    if binary:
        return [binary]
    return [sys.executable, "-m", "elektromail"]


def process_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("ELEKTROMAIL_", "RFC9051_"))}
    for key in ("SMTP_PORT", "IMAP_PORT", "HTTP_PORT", "BIND_ADDR", "SMTPS_PORT", "IMAPS_PORT"):
        env.pop(key, None)
    env["PYTHONPATH"] = str(REPO_ROOT)
    env.update(extra)
    return env


def run_cli(args: list[str], env: Mapping[str, str], timeout: float = 30.0) -> subprocess.CompletedProcess[str]:
    require_own_process()
    return subprocess.run(
        [*server_command(), *args], env=process_env(env), capture_output=True, text=True, timeout=timeout, check=False
    )


class ServerProcess:
    """A server process on OS-chosen ports; ports are read from its listener log lines."""

    def __init__(
        self, env: Mapping[str, str] | None = None, args: list[str] | None = None, command: list[str] | None = None
    ) -> None:
        require_own_process()
        settings = {"SMTP_PORT": "0", "IMAP_PORT": "0", "BIND_ADDR": "127.0.0.1", **(env or {})}
        self.process = subprocess.Popen(
            [*(command or server_command()), *(args or [])],
            env=process_env(settings),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self.ports: dict[str, int] = {}
        self.log: list[str] = []

    def wait_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> Self:
        assert self.process.stderr is not None
        fd = self.process.stderr.fileno()
        pending = b""
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    continue
                chunk = os.read(fd, 65536)  # raw reads: a buffered readline would hide lines from select
                if not chunk:
                    raise RuntimeError(f"server exited before ready: {''.join(self.log)}")
                pending += chunk
                *lines, pending = pending.split(b"\n")
                for raw in lines:
                    line = raw.decode("utf-8", "replace")
                    self.log.append(line + "\n")
                    if match := _LISTENING.search(line):
                        self.ports[match.group(1)] = int(match.group(3))
                    if "elektromail ready" in line:
                        return self
        raise TimeoutError(f"server not ready in {timeout}s: {''.join(self.log)}")

    def signal(self, signum: int = signal.SIGTERM) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout)

    def stop(self) -> None:
        """SIGTERM, as a container runtime would, then SIGKILL if it lingers. (SIGKILL alone would end only
        the launcher of a one-file executable and leave the server itself running.)"""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if self.process.stderr is not None:
            self.process.stderr.close()

    def __enter__(self) -> Self:
        return self.wait_ready()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def connect_greeted(port: int, greeting: bytes, timeout: float = 10.0) -> socket.socket:
    """A client connection to a local listener that has sent its greeting."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    assert sock.recv(1024).startswith(greeting)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    sock.close()
    return data


def send_then_fetch(ports: Mapping[str, int], message: bytes, timeout: float = 10.0) -> bytes:
    """Send ``message`` to ``user`` over SMTP, then return INBOX message 1 as IMAP serves it."""
    with smtplib.SMTP("127.0.0.1", ports["SMTP"], timeout=timeout) as smtp:
        smtp.sendmail("a@example.com", ["user@example.com"], message)
    imap = imaplib.IMAP4("127.0.0.1", ports["IMAP"], timeout=timeout)
    try:
        imap.login("user", "pass")
        imap.select("INBOX")
        typ, data = imap.fetch("1", "(BODY.PEEK[])")
        assert typ == "OK"
        first = data[0]
        assert isinstance(first, tuple)
        return first[1]
    finally:
        imap.logout()
