"""``elektromail healthcheck``: exit 0 when every configured listener answers with its greeting."""

from __future__ import annotations

import socket

from elektromail.config import Config

TIMEOUT_SECONDS = 3.0


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


def healthcheck(config: Config) -> int:
    host = _probe_host(config.bind_addr)
    checks = [_greets(host, config.smtp_port, b"220"), _greets(host, config.imap_port, b"* OK")]
    if config.http_port is not None:
        checks.append(_answers_http(host, config.http_port))
    return 0 if all(checks) else 1
