"""Which server the harness talks to: the RFC9051_TEST_* environment variables, or the bundled server."""

from __future__ import annotations

import os
from dataclasses import dataclass

_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    user: str
    password: str
    tls: bool
    timeout: float


def external_target() -> Target | None:
    """The server named by RFC9051_TEST_HOST (and friends), or None to use the bundled server."""
    host = os.environ.get("RFC9051_TEST_HOST")
    if not host:
        return None
    tls = os.environ.get("RFC9051_TEST_TLS", "").strip().lower() in _TRUE_WORDS
    return Target(
        host=host,
        port=int(os.environ.get("RFC9051_TEST_PORT", "993" if tls else "143")),
        user=os.environ.get("RFC9051_TEST_USER", "user"),
        password=os.environ.get("RFC9051_TEST_PASS", "pass"),
        tls=tls,
        timeout=response_timeout(),
    )


def response_timeout() -> float:
    """Seconds the harness waits for any one response (RFC9051_TEST_TIMEOUT, default 5)."""
    return float(os.environ.get("RFC9051_TEST_TIMEOUT", "5"))
