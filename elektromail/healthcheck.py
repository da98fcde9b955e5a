"""``elektromail healthcheck``: exit 0 when every configured listener answers with its greeting.

``--host`` checks a server elsewhere (a CI service such as ``mail``); ``--wait SECONDS`` keeps trying until
it answers or the time is up, so a job can wait for its service with the executable alone.
"""

from __future__ import annotations

import socket
import time

from elektromail.config import Config, ConfigError

TIMEOUT_SECONDS = 3.0
RETRY_SECONDS = 0.25


def _probe_host(bind_addr: str) -> str:
    return "127.0.0.1" if bind_addr in ("0.0.0.0", "") else ("::1" if bind_addr == "::" else bind_addr)


def _greets(host: str, port: int, prefix: bytes) -> bool:
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT_SECONDS) as sock:
            return sock.recv(512).startswith(prefix)
    except OSError:
        return False


def _answers_http(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=TIMEOUT_SECONDS) as sock:
            sock.sendall(b"GET /healthz HTTP/1.0\r\nHost: localhost\r\n\r\n")
            return sock.recv(64).startswith(b"HTTP/1.")
    except OSError:
        return False


def _answers(config: Config, host: str) -> bool:
    if not (_greets(host, config.smtp_port, b"220") and _greets(host, config.imap_port, b"* OK")):
        return False
    return config.http_port is None or _answers_http(host, config.http_port)


def healthcheck(config: Config, host: str | None = None, wait: float = 0.0) -> int:
    """0 once every configured listener of the server at ``host`` answers (within ``wait`` seconds), else 1."""
    target = host or _probe_host(config.bind_addr)
    deadline = time.monotonic() + wait
    while not _answers(config, target):
        if time.monotonic() >= deadline:
            return 1
        time.sleep(RETRY_SECONDS)
    return 0


def parse_healthcheck_options(args: list[str]) -> tuple[str | None, float, list[str]]:
    """Take ``--host H`` and ``--wait SECONDS`` (or ``=value``) out of ``args``: (host, wait, the rest)."""
    values: dict[str, str] = {}
    rest: list[str] = []
    index = 0
    while index < len(args):
        name, eq, value = args[index].partition("=")
        if name not in ("--host", "--wait"):
            rest.append(args[index])
        elif eq:
            values[name] = value
        elif index + 1 < len(args):
            index += 1
            values[name] = args[index]
        else:
            raise ConfigError(f"{name}: needs a value")
        index += 1
    host = values.get("--host")
    if host is not None and not host.strip():
        raise ConfigError("--host: needs a host name or address")
    text = values.get("--wait", "0")
    try:
        wait = float(text)
    except ValueError:
        wait = -1.0
    if not 0 <= wait < float("inf"):
        raise ConfigError(f"--wait: {text!r} is not a number of seconds")
    return host, wait, rest
